package db

import (
	"fmt"
	"strings"
)

// UpdateWhere is the set-based Update of a synced table: one UPDATE … SET set WHERE id IN
// (idSQL), then one change per row (the columns in record, with their new values) is
// recorded exactly as Update would record it, so sync and commit hooks see every row. For
// columns without derived keys (counters, flags, dates). It returns how many rows changed.
func (t *Tx) UpdateWhere(table, set string, setArgs []any, idSQL string, idArgs []any, record []string) (int, error) {
	chs, err := t.UpdateWhereChanges(table, set, setArgs, idSQL, idArgs, record)
	return len(chs), err
}

// UpdateWhereChanges is UpdateWhere returning the recorded changes (one per updated row,
// the record columns with their new values): the new values come back from the UPDATE
// itself (RETURNING), so the rows are not read a second time — a caller that needs them
// (the new points of each contact) reads them from the changes.
func (t *Tx) UpdateWhereChanges(table, set string, setArgs []any, idSQL string, idArgs []any, record []string) ([]Change, error) {
	tb, err := t.table(table)
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(record))
	for i, c := range record {
		cols[i] = Quote(c)
	}
	q := "UPDATE " + Quote(table) + " SET " + set + " WHERE id IN (" + idSQL + ") RETURNING id"
	if len(cols) > 0 {
		q += ", " + strings.Join(cols, ", ")
	}
	rows, err := t.QueryPrepared(q, append(append([]any{}, setArgs...), idArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("db: update %s: %w", table, err)
	}
	defer rows.Close()
	var chs []Change
	// One row's scan targets, reused: the values move into the row's Cols.
	var id string
	vals := make([]any, len(record))
	ptrs := make([]any, len(record)+1)
	ptrs[0] = &id
	for i := range vals {
		ptrs[i+1] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		c := make(Cols, len(record))
		for i, k := range record {
			c[k] = vals[i]
		}
		chs = append(chs, Change{Table: table, ID: id, Op: OpUpdate, Cols: c})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: update %s: %w", table, err)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	return chs, t.recordMany(tb, chs)
}
