package db

import (
	"fmt"
	"strings"
)

// UpdateValues is the set-based Update of one column of a synced table where every row gets
// its own value: one UPDATE … FROM (VALUES …) per 500 rows (a join, not a scan of the list
// per row), then one change per row recorded exactly as Update would record it. ids must
// name existing rows (read in the same transaction); for columns without derived keys.
func (t *Tx) UpdateValues(table, col string, ids []string, vals []any) error {
	if len(ids) != len(vals) {
		return fmt.Errorf("db: update %s: %d ids for %d values", table, len(ids), len(vals))
	}
	tb, err := t.table(table)
	if err != nil {
		return err
	}
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		n := end - start
		args := make([]any, 0, 2*n)
		for i := start; i < end; i++ {
			args = append(args, ids[i], vals[i])
		}
		q := "WITH v(id, val) AS (VALUES (?, ?)" + strings.Repeat(", (?, ?)", n-1) + ") UPDATE " + Quote(table) +
			" SET " + Quote(col) + " = v.val FROM v WHERE " + Quote(table) + ".id = v.id"
		if _, err := t.Exec(q, args...); err != nil {
			return fmt.Errorf("db: update %s: %w", table, err)
		}
		chs := make([]Change, n)
		for i := start; i < end; i++ {
			chs[i-start] = Change{Table: table, ID: ids[i], Op: OpUpdate, Cols: Cols{col: vals[i]}}
		}
		if err := t.recordMany(tb, chs); err != nil {
			return err
		}
	}
	return nil
}
