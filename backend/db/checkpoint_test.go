package db_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"magpie/backend/db"
)

// While BackgroundCheckpoints is held the writer does not checkpoint, yet the committed
// pages reach the database file (the background connection copies them); holders nest and
// the last release turns the writer's automatic checkpoint back on.
func TestBackgroundCheckpoints(t *testing.T) {
	d, err := db.Open(t.TempDir()+"/x.db", db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	auto := func() int {
		var n int
		if err := d.W.QueryRow("PRAGMA wal_autocheckpoint").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	size := func() int64 {
		fi, err := os.Stat(d.Path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if _, err := d.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.Exec("CREATE TABLE ck(k INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	before := auto()
	release := d.BackgroundCheckpoints(ctx)
	inner := d.BackgroundCheckpoints(ctx)
	if got := auto(); got != 0 {
		t.Fatalf("writer's wal_autocheckpoint while held = %d, want 0", got)
	}
	start := size()
	pad := strings.Repeat("x", 1000)
	for i := 0; i < 20; i++ {
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(`WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 200)
				INSERT INTO ck(v) SELECT ? FROM s`, pad)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for size() < start+4_000_000 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes after 4 MB of commits: nothing checkpointed in the background", size())
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.RestartWALIfBig(ctx) // a small WAL: nothing to do, must not fail or block
	inner()
	inner() // idempotent
	if got := auto(); got != 0 {
		t.Fatalf("wal_autocheckpoint after an inner release = %d, want 0 (still held)", got)
	}
	release()
	if got := auto(); got != before || got == 0 {
		t.Fatalf("wal_autocheckpoint after the last release = %d, want %d", got, before)
	}
	var n int
	if err := d.R.QueryRow("SELECT count(*) FROM ck").Scan(&n); err != nil || n != 4000 {
		t.Fatalf("rows = %d, %v; want 4000", n, err)
	}
}
