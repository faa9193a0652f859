package teamsync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"magpie/backend/db"
	"magpie/backend/rqlite"
)

// errEpoch means the cluster's epoch is not the one this desktop synced with: bootstrap.
var errEpoch = errors.New("sync: the cluster was restored or replaced (new epoch)")

// errNeedBootstrap means the local copy must be rebuilt from the cluster's state first.
var errNeedBootstrap = errors.New("sync: bootstrap needed")

type outRow struct {
	seq      int64
	changeID string
	tbl, row string
	cols     string
	hlc      int64
	site     string
	schema   int
}

// pushBatch sends the oldest pending changes in one transactional request: the change_log
// inserts (ON CONFLICT(change_id) DO NOTHING) and the clock-guarded state upserts. Only a
// complete, error-free answer clears them from the outbox; anything indeterminate leaves
// them to be resent as they are. A statement the cluster refuses parks that change as
// rejected. It returns how many changes were acknowledged.
func (e *Engine) pushBatch(ctx context.Context, c Client, epoch string) (int, error) {
	rows, err := e.d.R.QueryContext(ctx, `SELECT seq, change_id, tbl, row_id, cols, hlc, site, schema_ver
		FROM sync_outbox WHERE state = 0 ORDER BY seq LIMIT ?`, e.opt.PushBatch)
	if err != nil {
		return 0, err
	}
	var batch []outRow
	for rows.Next() {
		var o outRow
		if err := rows.Scan(&o.seq, &o.changeID, &o.tbl, &o.row, &o.cols, &o.hlc, &o.site, &o.schema); err != nil {
			rows.Close()
			return 0, err
		}
		batch = append(batch, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(batch) == 0 {
		return 0, err
	}
	stmts := []rqlite.Statement{rqlite.S(`INSERT INTO epoch_guard(ok) SELECT 0 WHERE (SELECT v FROM meta WHERE k = 'epoch') IS NOT ?`, epoch)}
	owner := []int{-1}
	now := e.wall.Now().UnixMilli()
	for i, o := range batch {
		cols, err := decodeCols(o.cols)
		if err != nil {
			if err := e.reject(ctx, o.seq, "corrupt outbox entry: "+err.Error()); err != nil {
				return 0, err
			}
			continue
		}
		stmts = append(stmts, rqlite.S(`INSERT INTO change_log(change_id, site_id, tbl, row_id, cols, hlc, schema_ver, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(change_id) DO NOTHING`, o.changeID, o.site, o.tbl, o.row, o.cols, o.hlc, o.schema, now))
		owner = append(owner, i)
		for _, k := range sortedCols(cols) {
			val, err := encodeOne(cols[k])
			if err != nil {
				return 0, err
			}
			stmts = append(stmts, rqlite.S(`INSERT INTO state(tbl, row_id, col, val, hlc, site_id) VALUES(?, ?, ?, ?, ?, ?)
				ON CONFLICT(tbl, row_id, col) DO UPDATE SET val = excluded.val, hlc = excluded.hlc, site_id = excluded.site_id
				WHERE excluded.hlc > state.hlc OR (excluded.hlc = state.hlc AND excluded.site_id > state.site_id)`,
				o.tbl, o.row, k, val, o.hlc, o.site))
			owner = append(owner, i)
		}
	}
	if len(owner) == 1 {
		return 0, nil
	}
	_, err = c.Execute(ctx, true, stmts...)
	var se *rqlite.StatementError
	if errors.As(err, &se) {
		if se.Index == 0 {
			return 0, errEpoch
		}
		if se.Index < len(owner) && owner[se.Index] >= 0 {
			o := batch[owner[se.Index]]
			return 0, e.reject(ctx, o.seq, se.Msg)
		}
		return 0, err
	}
	if err != nil {
		return 0, err
	}
	if e.afterSend != nil {
		if err := e.afterSend(); err != nil {
			return 0, err
		}
	}
	seqs := make([]string, len(batch))
	for i, o := range batch {
		seqs[i] = fmt.Sprint(o.seq)
	}
	err = e.d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`DELETE FROM sync_outbox WHERE state = 0 AND seq IN (` + strings.Join(seqs, ",") + `)`)
		return err
	})
	if err != nil {
		return 0, err
	}
	e.setStatus(func(s *Status) { s.Pending = max(0, s.Pending-len(batch)) })
	return len(batch), nil
}

func (e *Engine) reject(ctx context.Context, seq int64, msg string) error {
	e.log.Error("sync: the cluster refused a change; it is kept and shown, not retried", "outbox_seq", seq, "error", msg)
	err := e.d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`UPDATE sync_outbox SET state = 2, error = ? WHERE seq = ?`, msg, seq)
		return err
	})
	if err == nil {
		e.setStatus(func(s *Status) {
			s.Rejected++
			s.Pending = max(0, s.Pending-1)
		})
	}
	return err
}

// RetryRejected puts refused changes back in the queue (after the cause was fixed).
func (e *Engine) RetryRejected(ctx context.Context) (int64, error) {
	var n int64
	err := e.d.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(`UPDATE sync_outbox SET state = 0, error = NULL WHERE state = 2`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil {
		err = e.refreshCounts(ctx)
	}
	return n, err
}
