package db

import (
	"fmt"
	"slices"
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
// (the new points of each contact) reads them from the changes (Change.Col). The changes
// come in the lean form (Keys shared by all rows, Values per row, no Cols map): a points
// step of 200k contacts made 268 MB of maps for the commit hooks, which read Col. The
// returned slice is also the transaction's announced one (kept, not copied): callers read
// it and never write it.
func (t *Tx) UpdateWhereChanges(table, set string, setArgs []any, idSQL string, idArgs []any, record []string) ([]Change, error) {
	tb, err := t.table(table)
	if err != nil {
		return nil, err
	}
	keys := slices.Clone(record)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	q := "UPDATE " + Quote(table) + " SET " + set + " WHERE id IN (" + idSQL + ") RETURNING id"
	for _, k := range keys {
		q += ", " + Quote(k)
	}
	rows, err := t.QueryPrepared(q, append(append([]any{}, setArgs...), idArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("db: update %s: %w", table, err)
	}
	defer rows.Close()
	// The rows' values share backing arrays of updateChunk rows; each row scans into its
	// own window of one. The changes are made once the count is known (no regrown copies).
	var ids []string
	var rowVals [][]any
	var id string
	vals := []any{} // never nil: a change's Values are not
	ptrs := make([]any, len(keys)+1)
	ptrs[0] = &id
	for rows.Next() {
		if len(vals)+len(keys) > cap(vals) {
			vals = make([]any, 0, updateChunk*len(keys))
		}
		n := len(vals)
		vals = vals[:n+len(keys)]
		for i := range keys {
			ptrs[i+1] = &vals[n+i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		ids = append(ids, id)
		rowVals = append(rowVals, vals[n:len(vals):len(vals)])
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: update %s: %w", table, err)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	chs := make([]Change, len(ids))
	for i, id := range ids {
		chs[i] = Change{Table: table, ID: id, Op: OpUpdate, Keys: keys, Values: rowVals[i]}
	}
	return chs, t.recordMany(tb, chs)
}

// updateChunk is how many rows' values UpdateWhereChanges allocates at once.
const updateChunk = 512
