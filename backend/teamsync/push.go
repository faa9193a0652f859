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
	vals     db.Cols // decoded columns, when known (expanded batch rows)
	batch    int64   // the sync_outbox_batch entry it was expanded from, 0 for sync_outbox rows
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
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// Bulk inserts wait in sync_outbox_batch: fill the rest of the push with their rows.
	var entries []batchEntry
	if len(batch) < e.opt.PushBatch {
		if entries, err = e.pendingBatches(ctx, e.opt.PushBatch-len(batch)); err != nil {
			return 0, err
		}
		exp, err := e.expandBatches(ctx, entries)
		if err != nil {
			return 0, err
		}
		batch = append(batch, exp...)
	}
	if len(batch) == 0 {
		if len(entries) > 0 { // entries left with nothing to push (every cell overridden since)
			return len(entries), e.clearPushed(ctx, nil, entries)
		}
		return 0, nil
	}
	now := e.wall.Now().UnixMilli()
	var good []outRow
	var cells []cell
	for _, o := range batch {
		cols := o.vals
		if cols == nil {
			if cols, err = decodeCols(o.cols); err != nil {
				if err := e.reject(ctx, o.seq, "corrupt outbox entry: "+err.Error()); err != nil {
					return 0, err
				}
				continue
			}
		}
		good = append(good, o)
		for _, k := range sortedCols(cols) {
			val, err := encodeOne(cols[k])
			if err != nil {
				return 0, err
			}
			cells = append(cells, cell{o.tbl, o.row, k, val, o.hlc, o.site})
		}
	}
	if len(good) == 0 {
		return 0, nil
	}
	guard := rqlite.S(`INSERT INTO epoch_guard(ok) SELECT 0 WHERE (SELECT v FROM meta WHERE k = 'epoch') IS NOT ?`, epoch)
	// Fast path: multi-row statements (a few per batch instead of one per cell).
	stmts := append([]rqlite.Statement{guard}, logInserts(good, now)...)
	stmts = append(stmts, stateUpserts(cells)...)
	_, err = c.Execute(ctx, true, stmts...)
	var se *rqlite.StatementError
	if errors.As(err, &se) && se.Index > 0 {
		// Something in the batch is refused: resend one statement per change to find it.
		stmts = []rqlite.Statement{guard}
		owner := []int{-1}
		for i, o := range good {
			stmts = append(stmts, logInserts([]outRow{o}, now)...)
			owner = append(owner, i)
			var mine []cell
			for _, c := range cells {
				if c.tbl == o.tbl && c.row == o.row && c.hlc == o.hlc && c.site == o.site {
					mine = append(mine, c)
				}
			}
			for _, st := range stateUpserts(mine) {
				stmts = append(stmts, st)
				owner = append(owner, i)
			}
		}
		_, err = c.Execute(ctx, true, stmts...)
		if errors.As(err, &se) && se.Index > 0 && se.Index < len(owner) {
			return 0, e.rejectRow(ctx, good[owner[se.Index]], good, se.Msg)
		}
	}
	if errors.As(err, &se) && se.Index == 0 {
		return 0, errEpoch
	}
	if err != nil {
		return 0, err
	}
	batch = good
	if e.afterSend != nil {
		if err := e.afterSend(); err != nil {
			return 0, err
		}
	}
	if err := e.clearPushed(ctx, batch, entries); err != nil {
		return 0, err
	}
	e.setStatus(func(s *Status) { s.Pending = max(0, s.Pending-len(batch)) })
	return len(batch), nil
}

// clearPushed removes acknowledged changes from the outbox: the sync_outbox rows among
// pushed and the whole batch entries they were expanded from.
func (e *Engine) clearPushed(ctx context.Context, pushed []outRow, entries []batchEntry) error {
	var seqs []string
	for _, o := range pushed {
		if o.batch == 0 {
			seqs = append(seqs, fmt.Sprint(o.seq))
		}
	}
	bseqs := make([]string, len(entries))
	for i, b := range entries {
		bseqs[i] = fmt.Sprint(b.seq)
	}
	return e.d.Write(ctx, func(tx *db.Tx) error {
		if len(seqs) > 0 {
			if _, err := tx.Exec(`DELETE FROM sync_outbox WHERE state = 0 AND seq IN (` + strings.Join(seqs, ",") + `)`); err != nil {
				return err
			}
		}
		if len(bseqs) > 0 {
			if _, err := tx.Exec(`DELETE FROM sync_outbox_batch WHERE seq IN (` + strings.Join(bseqs, ",") + `)`); err != nil {
				return err
			}
		}
		return nil
	})
}

// rejectRow parks one refused change. A row expanded from a batch entry is first written
// out with the entry's other rows as ordinary outbox rows (materializeBatch), so only the
// refused row is held back.
func (e *Engine) rejectRow(ctx context.Context, o outRow, expanded []outRow, msg string) error {
	if o.batch == 0 {
		return e.reject(ctx, o.seq, msg)
	}
	e.log.Error("sync: the cluster refused a change; it is kept and shown, not retried", "change_id", o.changeID, "error", msg)
	err := e.d.Write(ctx, func(tx *db.Tx) error {
		if err := e.materializeBatch(tx, o.batch, expanded); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE sync_outbox SET state = 2, error = ? WHERE change_id = ?`, msg, o.changeID)
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

type cell struct {
	tbl, row, col, val string
	hlc                int64
	site               string
}

const rowsPerStatement = 500

func logInserts(rows []outRow, now int64) []rqlite.Statement {
	var out []rqlite.Statement
	for len(rows) > 0 {
		n := min(len(rows), rowsPerStatement)
		args := make([]any, 0, n*8)
		for _, o := range rows[:n] {
			args = append(args, o.changeID, o.site, o.tbl, o.row, o.cols, o.hlc, o.schema, now)
		}
		out = append(out, rqlite.Statement{SQL: `INSERT INTO change_log(change_id, site_id, tbl, row_id, cols, hlc, schema_ver, created_at) VALUES` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?),", n), ",") + ` ON CONFLICT(change_id) DO NOTHING`, Args: args})
		rows = rows[n:]
	}
	return out
}

// stateUpserts merge cells into the cluster's state, guarded by the clock in SQL. Within
// one statement two cells for the same key apply in order, each against the other's
// result, so the guard still keeps the greatest clock.
func stateUpserts(cells []cell) []rqlite.Statement {
	var out []rqlite.Statement
	for len(cells) > 0 {
		n := min(len(cells), rowsPerStatement)
		args := make([]any, 0, n*6)
		for _, c := range cells[:n] {
			args = append(args, c.tbl, c.row, c.col, c.val, c.hlc, c.site)
		}
		out = append(out, rqlite.Statement{SQL: `INSERT INTO state(tbl, row_id, col, val, hlc, site_id) VALUES` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?),", n), ",") + `
			ON CONFLICT(tbl, row_id, col) DO UPDATE SET val = excluded.val, hlc = excluded.hlc, site_id = excluded.site_id
			WHERE excluded.hlc > state.hlc OR (excluded.hlc = state.hlc AND excluded.site_id > state.site_id)`, Args: args})
		cells = cells[n:]
	}
	return out
}
