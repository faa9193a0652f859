package db

import (
	"context"
	"database/sql"
)

// Scanner is what a scan function reads one row from: a *sql.Row or *sql.Rows.
type Scanner interface{ Scan(...any) error }

// Collect runs query on q and returns every row through scan, in order; an empty
// result is an empty (non-nil) slice, so it encodes to JSON as [].
func Collect[T any](ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Strings reads a one-column result of text (ids, mostly) and closes it; it takes a query's
// two results as they come: db.Strings(tx.Query("SELECT id FROM …", args...)).
func Strings(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
