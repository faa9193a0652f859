package db

import (
	"fmt"
	"strings"
)

// maxVars is how many bound parameters one statement may carry (SQLite's default
// SQLITE_MAX_VARIABLE_NUMBER is 32766; stay well below it).
const maxVars = 30000

// Row is one row of InsertMany: its id and values in the order of the column list.
type Row struct {
	ID   string
	Vals []any
}

// InsertMany adds many rows of a declared table through the write path, with multi-row
// INSERT statements (one prepared statement per chunk size, reused by the transaction).
// Every row gets the table's derived columns and is recorded exactly as Insert would record
// it, so the sync recorder and commit hooks see each row. Nil values are stored as NULL and
// left out of the recorded change.
func (t *Tx) InsertMany(table string, cols []string, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	tb, err := t.table(table)
	if err != nil {
		return err
	}
	// Derived columns: ask Derive which columns it adds for a row holding every column.
	probe := make(Cols, len(cols))
	for _, c := range cols {
		probe[c] = "x"
	}
	var derived []string
	if tb.Derive != nil {
		tb.Derive(probe)
		for k := range probe {
			if !contains(cols, k) {
				derived = append(derived, k)
			}
		}
		sortStrings(derived)
	}
	all := append(append([]string{}, cols...), derived...)
	width := len(all) + 1
	per := maxVars / width
	if per < 1 {
		return fmt.Errorf("db: insert %s: %d columns is too many", table, len(all))
	}
	if per > 500 {
		per = 500
	}
	args := make([]any, 0, per*width)
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		args = args[:0]
		for _, r := range rows[start:end] {
			if len(r.Vals) != len(cols) {
				return fmt.Errorf("db: insert %s: row %s has %d values for %d columns", table, r.ID, len(r.Vals), len(cols))
			}
			args = append(args, r.ID)
			args = append(args, r.Vals...)
			if len(derived) > 0 {
				c := make(Cols, len(cols))
				for i, k := range cols {
					c[k] = r.Vals[i]
				}
				tb.Derive(c)
				for _, k := range derived {
					args = append(args, c[k])
				}
			}
		}
		if _, err := t.Exec(insertManySQL(table, all, end-start), args...); err != nil {
			return fmt.Errorf("db: insert %s: %w", table, err)
		}
		for _, r := range rows[start:end] {
			c := make(Cols, len(cols))
			for i, k := range cols {
				if r.Vals[i] != nil {
					c[k] = r.Vals[i]
				}
			}
			if err := t.record(tb, Change{Table: table, ID: r.ID, Op: OpInsert, Cols: c}); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExecMany runs a multi-row INSERT into a local (non-synced) table: prefix is
// "INSERT INTO t(a, b, c)" (optionally followed by a conflict clause in suffix) and rows
// hold the values of each row.
func (t *Tx) ExecMany(prefix, suffix string, width int, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := min(maxVars/width, 500)
	args := make([]any, 0, per*width)
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		args = args[:0]
		for _, r := range rows[start:end] {
			if len(r) != width {
				return fmt.Errorf("db: %s: row has %d values, want %d", prefix, len(r), width)
			}
			args = append(args, r...)
		}
		q := prefix + " VALUES " + valuesList(width, end-start) + suffix
		if _, err := t.Exec(q, args...); err != nil {
			return err
		}
	}
	return nil
}

func insertManySQL(table string, keys []string, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(Quote(table))
	b.WriteString("(id")
	for _, k := range keys {
		b.WriteString(", ")
		b.WriteString(Quote(k))
	}
	b.WriteString(") VALUES ")
	b.WriteString(valuesList(len(keys)+1, n))
	return b.String()
}

func valuesList(width, n int) string {
	one := "(?" + strings.Repeat(",?", width-1) + ")"
	var b strings.Builder
	b.Grow(n * (len(one) + 1))
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
