package db_test

import (
	"context"
	"testing"

	"magpie/backend/db"
)

// A Checkpointer copies what the writer committed (with its automatic checkpoints off) into
// the database file while the writer goes on, and the data reads the same afterwards.
func TestCheckpointerConn(t *testing.T) {
	d, err := db.Open(t.TempDir()+"/x.db", db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if _, err := d.W.Exec("PRAGMA wal_autocheckpoint = 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.Exec("CREATE TABLE ck_probe(id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	k, err := d.NewCheckpointer()
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for round := 1; round <= 3; round++ {
		if _, err := d.W.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000)
			INSERT INTO ck_probe(v) SELECT printf('%0200d', i) FROM s`); err != nil {
			t.Fatal(err)
		}
		frames, copied, err := k.Run(ctx)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if frames == 0 || copied != frames {
			t.Fatalf("round %d: %d of %d WAL frames copied, want all (and some)", round, copied, frames)
		}
	}
	var n int
	if err := d.R.QueryRow("SELECT count(*) FROM ck_probe").Scan(&n); err != nil || n != 6000 {
		t.Fatalf("rows = %d (%v), want 6000", n, err)
	}
}
