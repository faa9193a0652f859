package teamsync

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"magpie/backend/db"
)

// batchEntry is one sync_outbox_batch row: the rows one bulk insert added to a table, row i
// written with the clock (hlc + i, site).
type batchEntry struct {
	seq    int64
	tbl    string
	site   string
	hlc    int64
	n      int
	ids    []string
	schema int
}

// pendingBatches reads the oldest batch entries until they hold about limit rows (always at
// least one entry when there is any).
func (e *Engine) pendingBatches(ctx context.Context, limit int) ([]batchEntry, error) {
	rows, err := e.d.R.QueryContext(ctx, `SELECT seq, tbl, site, hlc, n, row_ids, schema_ver
		FROM sync_outbox_batch ORDER BY seq LIMIT ?`, max(1, limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []batchEntry
	total := 0
	for rows.Next() {
		var b batchEntry
		var list string
		if err := rows.Scan(&b.seq, &b.tbl, &b.site, &b.hlc, &b.n, &list, &b.schema); err != nil {
			return nil, err
		}
		if len(out) > 0 && total+b.n > limit {
			break
		}
		b.ids = strings.Split(list, ",")
		if list == "" {
			b.ids = nil
		}
		out = append(out, b)
		total += b.n
	}
	return out, rows.Err()
}

// queryer is what expansion reads through: a read transaction or a write one.
type queryer interface {
	Query(q string, args ...any) (*sql.Rows, error)
	QueryRow(q string, args ...any) *sql.Row
}

// sqlTx adapts *sql.Tx to queryer.
type sqlTx struct {
	ctx context.Context
	tx  *sql.Tx
}

func (s sqlTx) Query(q string, args ...any) (*sql.Rows, error) {
	return s.tx.QueryContext(s.ctx, q, args...)
}

func (s sqlTx) QueryRow(q string, args ...any) *sql.Row {
	return s.tx.QueryRowContext(s.ctx, q, args...)
}

// expandBatches turns batch entries into the per-row changes Record would have queued, read
// in one snapshot: for row i, every column whose effective clock is still the insert's
// (hlc + i, site), with its current value (a cell keeps the value of the write that set its
// clock, so that is the inserted value). Columns edited since have a newer clock and go with
// their own outbox entry (or came from a teammate); a row no longer there is skipped.
func (e *Engine) expandBatches(ctx context.Context, list []batchEntry) ([]outRow, error) {
	if len(list) == 0 {
		return nil, nil
	}
	tx, err := e.d.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var out []outRow
	for _, b := range list {
		rows, err := e.expandOne(sqlTx{ctx, tx}, b)
		if err != nil {
			return nil, fmt.Errorf("sync: expand outbox batch %d (%s): %w", b.seq, b.tbl, err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

type rowClockRead struct {
	c   ck
	set int64
}

func (e *Engine) expandOne(q queryer, b batchEntry) ([]outRow, error) {
	if len(b.ids) == 0 {
		return nil, nil
	}
	in := "(?" + strings.Repeat(", ?", len(b.ids)-1) + ")"
	args := make([]any, 0, len(b.ids)+1)
	args = append(args, b.tbl)
	for _, id := range b.ids {
		args = append(args, id)
	}
	rcs := make(map[string]rowClockRead, len(b.ids))
	rs, err := q.Query(`SELECT row_id, hlc, site, colset FROM sync_row_clock WHERE tbl = ? AND row_id IN `+in, args...)
	if err != nil {
		return nil, err
	}
	for rs.Next() {
		var id string
		var r rowClockRead
		if err := rs.Scan(&id, &r.c.hlc, &r.c.site, &r.set); err != nil {
			rs.Close()
			return nil, err
		}
		rcs[id] = r
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	cells := map[string]map[string]ck{}
	rs, err = q.Query(`SELECT row_id, col, hlc, site FROM sync_clock WHERE tbl = ? AND row_id IN `+in, args...)
	if err != nil {
		return nil, err
	}
	for rs.Next() {
		var id, col string
		var c ck
		if err := rs.Scan(&id, &col, &c.hlc, &c.site); err != nil {
			rs.Close()
			return nil, err
		}
		if cells[id] == nil {
			cells[id] = map[string]ck{}
		}
		cells[id][col] = c
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	// The columns each row still owes the cluster.
	owed := make([][]string, len(b.ids))
	union := map[string]int{}
	var names []string
	for i, id := range b.ids {
		mine := ck{b.hlc + int64(i), b.site}
		var covered []string
		rc, hasRC := rcs[id]
		if hasRC {
			if covered, err = e.colsetCols(q, rc.set); err != nil {
				return nil, err
			}
		}
		cand := map[string]bool{}
		if hasRC && rc.c == mine {
			for _, c := range covered {
				cand[c] = true
			}
		}
		for col, c := range cells[id] {
			if c == mine {
				cand[col] = true
			}
		}
		var keep []string
		for col := range cand {
			eff, ok := cells[id][col]
			if hasRC && (!ok || later(rc.c, eff)) && containsStr(covered, col) {
				eff = rc.c
			}
			if eff == mine {
				keep = append(keep, col)
			}
		}
		sort.Strings(keep)
		owed[i] = keep
		for _, col := range keep {
			if _, ok := union[col]; !ok {
				union[col] = len(names)
				names = append(names, col)
			}
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = db.Quote(n)
	}
	rs, err = q.Query(`SELECT id, `+strings.Join(quoted, ", ")+` FROM `+db.Quote(b.tbl)+` WHERE id IN `+in, args[1:]...)
	if err != nil {
		return nil, err
	}
	vals := map[string][]any{}
	for rs.Next() {
		var id string
		v := make([]any, len(names))
		ptrs := make([]any, len(names)+1)
		ptrs[0] = &id
		for i := range v {
			ptrs[i+1] = &v[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			rs.Close()
			return nil, err
		}
		for i, x := range v {
			if bs, ok := x.([]byte); ok {
				v[i] = string(bs) // synced tables hold text, never blobs
			}
		}
		vals[id] = v
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	out := make([]outRow, 0, len(b.ids))
	for i, id := range b.ids {
		v, ok := vals[id]
		if !ok || len(owed[i]) == 0 {
			continue
		}
		cols := make(db.Cols, len(owed[i]))
		for _, col := range owed[i] {
			cols[col] = v[union[col]]
		}
		enc, err := encodeSorted(cols, owed[i])
		if err != nil {
			return nil, fmt.Errorf("row %s: %w", id, err)
		}
		h := b.hlc + int64(i)
		out = append(out, outRow{changeID: batchChangeID(b.site, h), tbl: b.tbl, row: id, cols: enc, vals: cols,
			hlc: h, site: b.site, schema: b.schema, batch: b.seq})
	}
	return out, nil
}

// later reports whether clock a is greater than b.
func later(a, b ck) bool { return a.hlc > b.hlc || (a.hlc == b.hlc && a.site > b.site) }

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// materializeBatch replaces a batch entry by ordinary outbox rows holding its expanded
// changes (same change ids and clocks), so one of them can be rejected alone; the others
// stay pending. rows are the entry's changes as just expanded.
func (e *Engine) materializeBatch(tx *db.Tx, seq int64, rows []outRow) error {
	var list [][]any
	for _, o := range rows {
		if o.batch == seq {
			list = append(list, []any{o.changeID, o.tbl, o.row, o.cols, o.hlc, o.site, o.schema, tx.NowMs()})
		}
	}
	if err := tx.ExecMany("INSERT INTO sync_outbox(change_id, tbl, row_id, cols, hlc, site, schema_ver, created_at)",
		" ON CONFLICT(change_id) DO NOTHING", 8, list); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM sync_outbox_batch WHERE seq = ?`, seq)
	return err
}
