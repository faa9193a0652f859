package testenv

import (
	"database/sql"
	"strings"
	"testing"
)

// QueryPlan is SQLite's EXPLAIN QUERY PLAN of q run through query (a read connection's or
// a transaction's Query), its steps' details joined by "; ".
func QueryPlan(t testing.TB, query func(q string, args ...any) (*sql.Rows, error), q string, args ...any) string {
	t.Helper()
	rows, err := query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}
