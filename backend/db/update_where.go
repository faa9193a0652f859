package db

import (
	"fmt"
	"strings"
)

// UpdateWhere is the set-based Update of a synced table: one UPDATE … SET set WHERE id IN
// (idSQL), then the rows are read back and one change per row (the columns in record, with
// their new values) is recorded exactly as Update would record it, so sync and commit hooks
// see every row. For columns without derived keys (counters, flags, dates). It returns how
// many rows changed.
func (t *Tx) UpdateWhere(table, set string, setArgs []any, idSQL string, idArgs []any, record []string) (int, error) {
	tb, err := t.table(table)
	if err != nil {
		return 0, err
	}
	q := "UPDATE " + Quote(table) + " SET " + set + " WHERE id IN (" + idSQL + ")"
	res, err := t.Exec(q, append(append([]any{}, setArgs...), idArgs...)...)
	if err != nil {
		return 0, fmt.Errorf("db: update %s: %w", table, err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	cols := make([]string, len(record))
	for i, c := range record {
		cols[i] = Quote(c)
	}
	rows, err := t.Query("SELECT id, "+strings.Join(cols, ", ")+" FROM "+Quote(table)+" WHERE id IN ("+idSQL+")", idArgs...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var chs []Change
	for rows.Next() {
		var id string
		vals := make([]any, len(record))
		ptrs := make([]any, len(record)+1)
		ptrs[0] = &id
		for i := range vals {
			ptrs[i+1] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, err
		}
		c := make(Cols, len(record))
		for i, k := range record {
			c[k] = vals[i]
		}
		chs = append(chs, Change{Table: table, ID: id, Op: OpUpdate, Cols: c})
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return int(n), t.recordMany(tb, chs)
}
