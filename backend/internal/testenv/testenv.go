// Package testenv builds real test fixtures: a migrated SQLite file in a temp dir and a
// fake clock.
package testenv

import (
	"testing"
	"time"

	"magpie/backend/clock"
	"magpie/backend/db"
)

// Epoch is the fake clock's default start: a Monday.
var Epoch = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// NewDB opens a fresh, migrated store in t.TempDir() with a fake clock at Epoch.
func NewDB(t testing.TB) (*db.DB, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(Epoch)
	d, err := db.OpenDir(t.TempDir(), db.Options{Clock: clk})
	if err != nil {
		t.Fatalf("testenv: open db: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d, clk
}
