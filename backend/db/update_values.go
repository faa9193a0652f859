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

// UpdateRows is the set-based Update of many rows of a synced table, each with its own
// columns and values (cols[i] for ids[i]; the rows must exist — read in the same
// transaction): rows that set the same columns share one UPDATE … FROM (VALUES …) per 500
// rows, derived keys included, and every row's change is recorded as Update records it.
func (t *Tx) UpdateRows(table string, ids []string, cols []Cols) error {
	if len(ids) != len(cols) {
		return fmt.Errorf("db: update %s: %d ids for %d rows", table, len(ids), len(cols))
	}
	tb, err := t.table(table)
	if err != nil {
		return err
	}
	type group struct {
		keys []string
		rows []int
	}
	var groups []*group
	byKeys := map[string]*group{}
	all := make([]Cols, len(cols))
	for i, c := range cols {
		if len(c) == 0 {
			continue
		}
		all[i] = withDerived(tb, c)
		keys := sortedKeys(all[i])
		sig := strings.Join(keys, ",")
		g := byKeys[sig]
		if g == nil {
			g = &group{keys: keys}
			byKeys[sig] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, i)
	}
	for _, g := range groups {
		per := min(maxVars/(len(g.keys)+1), 500)
		names, set := make([]string, len(g.keys)), make([]string, len(g.keys))
		for j, k := range g.keys {
			names[j] = "c" + fmt.Sprint(j)
			set[j] = Quote(k) + " = v." + names[j]
		}
		tuple := "(?" + strings.Repeat(", ?", len(g.keys)) + ")"
		head := "WITH v(id, " + strings.Join(names, ", ") + ") AS (VALUES " + tuple
		tail := ") UPDATE " + Quote(table) + " SET " + strings.Join(set, ", ") + " FROM v WHERE " + Quote(table) + ".id = v.id"
		for start := 0; start < len(g.rows); start += per {
			rows := g.rows[start:min(start+per, len(g.rows))]
			args := make([]any, 0, len(rows)*(len(g.keys)+1))
			for _, i := range rows {
				args = append(args, ids[i])
				for _, k := range g.keys {
					args = append(args, all[i][k])
				}
			}
			q := head + strings.Repeat(", "+tuple, len(rows)-1) + tail
			if _, err := t.Exec(q, args...); err != nil {
				return fmt.Errorf("db: update %s: %w", table, err)
			}
			chs := make([]Change, len(rows))
			for n, i := range rows {
				chs[n] = Change{Table: table, ID: ids[i], Op: OpUpdate, Cols: cols[i]}
			}
			if err := t.recordMany(tb, chs); err != nil {
				return err
			}
		}
	}
	return nil
}
