package db_test

import (
	"context"
	"fmt"
	"testing"

	"magpie/backend/db"
)

// ApplyNew stores every row with its derived columns whatever the mix of column sets and
// whatever the count (statements are split in power-of-two chunks), leaves the callers' maps
// as they were (derived columns taken out), announces each row once as a remote change and
// writes nothing when one row fails.
func TestApplyNew(t *testing.T) {
	d, err := db.Open(t.TempDir()+"/x.db", db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if _, err := d.W.Exec("CREATE TABLE bulk_probe(id TEXT PRIMARY KEY, name TEXT, n INTEGER, extra TEXT, name_key TEXT)"); err != nil {
		t.Fatal(err)
	}
	var seen []db.Change
	d.OnCommit(func(c db.Commit) { seen = append(seen, c.Changes...) })
	for _, n := range []int{1, 2, 127, 128, 129, 300, 1000} {
		d.W.Exec("DELETE FROM bulk_probe")
		seen = nil
		ids := make([]string, n)
		rows := make([]db.Cols, n)
		for i := range rows {
			ids[i] = fmt.Sprintf("r%05d", i)
			switch i % 5 {
			case 0, 1: // name + n
				rows[i] = db.Cols{"name": fmt.Sprint("x", i), "n": int64(i)}
			case 2: // n only: nothing derived
				rows[i] = db.Cols{"n": int64(i)}
			case 3: // empty name: the derived key is NULL
				rows[i] = db.Cols{"name": "", "n": int64(i), "extra": "e"}
			case 4:
				rows[i] = db.Cols{"name": fmt.Sprint("x", i), "n": int64(i), "extra": nil}
			}
		}
		if err := d.Write(ctx, func(tx *db.Tx) error { return tx.ApplyNew("bulk_probe", ids, rows) }); err != nil {
			t.Fatalf("%d rows: %v", n, err)
		}
		for i, r := range rows {
			if _, ok := r["name_key"]; ok {
				t.Fatalf("%d rows: row %d still holds the derived column", n, i)
			}
		}
		var got, keyed, sum, extra int
		if err := d.R.QueryRow("SELECT count(*), count(name_key), sum(n), count(extra) FROM bulk_probe").Scan(&got, &keyed, &sum, &extra); err != nil {
			t.Fatal(err)
		}
		wantKeyed, wantExtra := 0, 0
		for i := 0; i < n; i++ {
			if i%5 != 2 && i%5 != 3 {
				wantKeyed++
			}
			if i%5 == 3 {
				wantExtra++
			}
		}
		if got != n || keyed != wantKeyed || sum != n*(n-1)/2 || extra != wantExtra || len(seen) != n {
			t.Fatalf("%d rows: stored %d, keyed %d (want %d), sum %d, extra %d (want %d), announced %d",
				n, got, keyed, wantKeyed, sum, extra, wantExtra, len(seen))
		}
		var key string
		d.R.QueryRow("SELECT name_key FROM bulk_probe WHERE id = 'r00000'").Scan(&key)
		if key != "k:x0" || !seen[0].Remote || seen[0].Op != db.OpInsert {
			t.Fatalf("%d rows: derived %q, change %+v", n, key, seen[0])
		}
	}
	// A duplicate id fails the whole call: nothing of it is written.
	d.W.Exec("DELETE FROM bulk_probe")
	err = d.Write(ctx, func(tx *db.Tx) error {
		if err := tx.ApplyNew("bulk_probe", []string{"a"}, []db.Cols{{"n": int64(1)}}); err != nil {
			return err
		}
		if err := tx.ApplyNew("bulk_probe", []string{"b", "a"}, []db.Cols{{"n": int64(2)}, {"n": int64(3)}}); err == nil {
			return fmt.Errorf("a duplicate id was accepted")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids string
	d.R.QueryRow("SELECT group_concat(id) FROM bulk_probe").Scan(&ids)
	if ids != "a" {
		t.Fatalf("rows after a failed ApplyNew: %q, want only a", ids)
	}
}
