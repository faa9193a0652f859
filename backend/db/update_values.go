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
	return t.updateValues(table, col, ids, vals, false)
}

// DeriveValues is UpdateValues for a value every desktop derives by itself from data it
// has anyway — a contact's last_active from the tracker's hits, which every desktop ingests
// (SYNC.md §3.9: "do not turn hits into synced edits"): the rows are updated and the
// changes reach commit hooks (marked Derived, so lists and caches follow), but nothing is
// recorded for sync — no clocks, no outbox rows. A synced edit of the same column (an
// import, a merge) still replicates and, being later, wins until the next derived write.
func (t *Tx) DeriveValues(table, col string, ids []string, vals []any) error {
	return t.updateValues(table, col, ids, vals, true)
}

func (t *Tx) updateValues(table, col string, ids []string, vals []any, derived bool) error {
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
			chs[i-start] = Change{Table: table, ID: ids[i], Op: OpUpdate, Cols: Cols{col: vals[i]}, Derived: derived}
		}
		if derived {
			if t.announce {
				t.changes.addMany(chs)
			}
			continue
		}
		if err := t.recordMany(tb, chs); err != nil {
			return err
		}
	}
	return nil
}
