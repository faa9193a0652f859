package db

import (
	"database/sql"
	"strings"
)

// inChunk is how many keys one "IN (…)" list holds: well under SQLite's 32,766 bound
// parameters, and short enough that a statement is cheap to prepare.
const inChunk = 500

// EachIn runs query once per chunk of keys and calls scan for every row. The query holds one
// "(%s)", replaced by "(?, …)" for the chunk's keys; extra are bound after them.
//
//	db.EachIn(tx.Query, "SELECT id FROM events WHERE id IN (%s)", ids, scan)
func EachIn[K any](query func(q string, args ...any) (*sql.Rows, error), q string, keys []K, scan func(*sql.Rows) error, extra ...any) error {
	head, tail, ok := strings.Cut(q, "(%s)")
	if !ok {
		panic("db.EachIn: the query has no (%s): " + q)
	}
	args := make([]any, 0, min(len(keys), inChunk)+len(extra))
	for start := 0; start < len(keys); start += inChunk {
		chunk := keys[start:min(start+inChunk, len(keys))]
		args = args[:0]
		for _, k := range chunk {
			args = append(args, k)
		}
		args = append(args, extra...)
		rows, err := query(head+"(?"+strings.Repeat(", ?", len(chunk)-1)+")"+tail, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
