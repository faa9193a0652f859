package db

import (
	"fmt"
	"strings"
)

// ApplyNew inserts rows sync has never seen (a new desktop's bootstrap) with multi-row
// statements. It is all or nothing: if any row cannot be inserted (it exists already, a
// constraint fails) nothing is written and the error says so; the caller then falls back to
// Apply row by row. Rows are announced to commit hooks as Remote changes.
//
// It is the bootstrap's hot loop (a million rows), so: derived columns are computed in each
// row's own map and taken out again (no copy), a row with the same column set as the one
// before it is not sorted again, and statements hold a power-of-two number of rows (at most
// applyChunk) so each transaction prepares a handful of small statements instead of one
// giant VALUES list per page.
func (t *Tx) ApplyNew(table string, ids []string, rows []Cols) error {
	if len(ids) != len(rows) {
		return fmt.Errorf("db: apply new %s: %d ids for %d rows", table, len(ids), len(rows))
	}
	tb, err := t.table(table)
	if err != nil {
		return err
	}
	if !tb.Synced {
		return fmt.Errorf("db: apply to %s: table is not synced", table)
	}
	type group struct {
		in      []string // the rows' own columns, sorted
		keys    []string // every column written, sorted (derived ones included)
		derived []string // the columns Derive added (taken out of the rows again)
		args    []any
		n       int
	}
	groups := map[string]*group{}
	var order []*group
	var cur *group
	for i, cols := range rows {
		same := cur != nil && sameKeys(cur.in, cols)
		var in []string
		if same {
			in = cur.in
		} else {
			in = sortedKeys(cols)
		}
		if tb.Derive != nil {
			tb.Derive(cols)
		}
		if !same || !sameKeys(cur.keys, cols) {
			keys := sortedKeys(cols)
			derived := minus(keys, in)
			sig := strings.Join(keys, "\x00") + "\x01" + strings.Join(derived, "\x00")
			g, ok := groups[sig]
			if !ok {
				g = &group{in: in, keys: keys, derived: derived}
				groups[sig] = g
				order = append(order, g)
			}
			cur = g
		}
		cur.args = append(cur.args, ids[i])
		for _, k := range cur.keys {
			cur.args = append(cur.args, cols[k])
		}
		for _, k := range cur.derived {
			delete(cols, k)
		}
		cur.n++
	}
	if _, err := t.Exec("SAVEPOINT db_apply_new"); err != nil {
		return err
	}
	fail := func(err error) error {
		t.Exec("ROLLBACK TO db_apply_new")
		t.Exec("RELEASE db_apply_new")
		return fmt.Errorf("db: apply new %s: %w", table, err)
	}
	for _, g := range order {
		per := len(g.keys) + 1
		chunk := applyChunk
		for chunk > 1 && chunk*per > maxVars {
			chunk /= 2
		}
		head := strings.TrimSuffix(insertSQL(table, g.keys), "(?"+strings.Repeat(", ?", len(g.keys))+")")
		for start := 0; start < g.n; {
			n := chunk
			for n > g.n-start {
				n /= 2
			}
			if _, err := t.Exec(head+valuesList(per, n), g.args[start*per:(start+n)*per]...); err != nil {
				return fail(err)
			}
			start += n
		}
	}
	if _, err := t.Exec("RELEASE db_apply_new"); err != nil {
		return err
	}
	for i, cols := range rows {
		t.changes.add(Change{Table: table, ID: ids[i], Op: OpInsert, Cols: cols, Remote: true})
	}
	return nil
}

// applyChunk is the most rows one ApplyNew statement carries (a power of two).
const applyChunk = 128

// sameKeys says whether cols has exactly the columns keys.
func sameKeys(keys []string, cols Cols) bool {
	if len(keys) != len(cols) {
		return false
	}
	for _, k := range keys {
		if _, ok := cols[k]; !ok {
			return false
		}
	}
	return true
}

// minus lists the keys of a (sorted) that b (sorted) lacks.
func minus(a, b []string) []string {
	var out []string
	j := 0
	for _, k := range a {
		for j < len(b) && b[j] < k {
			j++
		}
		if j >= len(b) || b[j] != k {
			out = append(out, k)
		}
	}
	return out
}
