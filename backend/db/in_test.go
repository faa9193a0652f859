package db_test

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"magpie/backend/db"
)

// EachIn finds every key across its 500-key chunks (none twice, none for absent keys), binds
// the extra arguments after each chunk's keys, and stops at the first scan error.
func TestEachIn(t *testing.T) {
	d := openProbe(t)
	for i := range 1200 {
		if _, err := d.W.Exec("INSERT INTO bulk_probe(id, name, n) VALUES (?, ?, ?)", fmt.Sprintf("r%05d", i), "x", i%2); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []int{0, 1, 500, 501, 1234} {
		keys := make([]string, n) // r00000 … ; the keys from 1200 on are absent
		for i := range keys {
			keys[i] = fmt.Sprintf("r%05d", i)
		}
		got := map[string]int{}
		err := db.EachIn(d.R.Query, "SELECT id FROM bulk_probe WHERE id IN (%s) AND n = ?", keys, func(r *sql.Rows) error {
			var id string
			err := r.Scan(&id)
			got[id]++
			return err
		}, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for i := range min(n, 1200) {
			if i%2 == 1 {
				want++
				if got[keys[i]] != 1 {
					t.Fatalf("n=%d: %s found %d times", n, keys[i], got[keys[i]])
				}
			}
		}
		if len(got) != want {
			t.Fatalf("n=%d: %d rows, want %d", n, len(got), want)
		}
	}
	stop := errors.New("stop")
	calls := 0
	err := db.EachIn(d.R.Query, "SELECT id FROM bulk_probe WHERE id IN (%s)", []string{"r00001", "r00002"}, func(*sql.Rows) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("err %v after %d calls, want stop after 1", err, calls)
	}
}
