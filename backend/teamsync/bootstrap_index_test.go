package teamsync

import (
	"context"
	"testing"

	"magpie/backend/db"
	"magpie/backend/rqlite/rqlitetest"
)

func contactIndexes(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A large bootstrap into an empty store drops the contacts indexes while it inserts and
// builds them again at the end; the rows and every index are there afterwards.
func TestBootstrapDefersIndexes(t *testing.T) {
	for _, threshold := range []int64{0, 1 << 40} { // deferred, and not (the normal path)
		old := deferIndexMinCells
		deferIndexMinCells = threshold
		t.Cleanup(func() { deferIndexMinCells = old })
		srv := rqlitetest.New(t, rqlitetest.Options{})
		c := newClient(t, srv.URL())
		if err := EnsureSchema(context.Background(), c, 1); err != nil {
			t.Fatal(err)
		}
		const n = 25001 // straddles state pages (3 cells per contact)
		if err := srv.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
			INSERT INTO state(tbl, row_id, col, val, hlc, site_id)
			SELECT 'contacts', printf('c%08d', i), c.col, CASE c.col WHEN 'email' THEN '"c' || i || '@example.com"'
			  ELSE CAST(1700000000000 + i AS TEXT) END, 1000 + i, 'site-x'
			FROM s, (SELECT 'email' AS col UNION ALL SELECT 'date_added' UNION ALL SELECT 'date_modified') c`, n); err != nil {
			t.Fatal(err)
		}
		r := newReplica(t, "r", c, 0, Options{})
		want := contactIndexes(t, r.d)
		if want < 5 {
			t.Fatalf("the contacts table has %d indexes; expected the migrations' set", want)
		}
		if err := r.e.Bootstrap(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		// Every contact is there whole, including those whose cells straddled two pages.
		var rows, last int
		r.d.R.QueryRow(`SELECT count(*) FROM contacts WHERE date_added > 0 AND date_modified > 0 AND email LIKE 'c%'`).Scan(&rows)
		r.d.R.QueryRow(`SELECT count(*) FROM contacts INDEXED BY contacts_email WHERE lower(coalesce(email, '')) = 'c25001@example.com' AND deleted = 0`).Scan(&last)
		if rows != n || last != 1 {
			t.Fatalf("threshold %d: %d whole contacts (want %d), last one found by the email index: %d", threshold, rows, n, last)
		}
		if got := contactIndexes(t, r.d); got != want {
			t.Fatalf("threshold %d: %d contacts indexes after bootstrap, want %d", threshold, got, want)
		}
		if v, _ := r.d.Meta(context.Background(), keyDeferredIdx); v != "" {
			t.Fatalf("deferred index list left behind: %s", v)
		}
		// The rebuild's connection settings are put back (temp_store 2 = MEMORY).
		var cache, temp int64
		r.d.W.QueryRow(`PRAGMA cache_size`).Scan(&cache)
		r.d.W.QueryRow(`PRAGMA temp_store`).Scan(&temp)
		if cache != -65536 || temp != 2 {
			t.Fatalf("threshold %d: writer left with cache_size %d, temp_store %d", threshold, cache, temp)
		}
	}
}

// A crash between dropping the indexes and building them again: the next Open builds them.
func TestDeferredIndexesRestoredOnOpen(t *testing.T) {
	r := newReplica(t, "r", nil, 0, Options{})
	want := contactIndexes(t, r.d)
	if err := r.d.Write(context.Background(), func(tx *db.Tx) error { return deferIndexes(tx, "contacts") }); err != nil {
		t.Fatal(err)
	}
	if got := contactIndexes(t, r.d); got >= want {
		t.Fatalf("%d indexes after deferring, want fewer than %d", got, want)
	}
	r.d.Close()
	r2 := openReplica(t, "r", r.dir, nil, 0, Options{})
	if got := contactIndexes(t, r2.d); got != want {
		t.Fatalf("%d indexes after reopening, want %d", got, want)
	}
	if v, _ := r2.d.Meta(context.Background(), keyDeferredIdx); v != "" {
		t.Fatalf("deferred index list left behind: %s", v)
	}
}

// Sparse partial indexes (the trash, columns most rows leave NULL) stay while a bootstrap
// inserts; every other non-unique index is deferred.
func TestSparseIndexesAreKept(t *testing.T) {
	for _, c := range []struct {
		ddl  string
		keep bool
	}{
		{"CREATE INDEX contacts_deleted ON contacts(deleted_at) WHERE deleted = 1", true},
		{"CREATE INDEX IF NOT EXISTS contacts_trash_sort ON contacts(coalesce(deleted_at, 0), id, deleted) WHERE deleted = 1", true},
		{"CREATE INDEX contacts_stage ON contacts(stage_id, id) WHERE deleted = 0 AND stage_id IS NOT NULL", true},
		{"CREATE INDEX x ON t(a)\n  where  deleted=1", false}, // not the spelling the rule knows: deferred (safe)
		{"CREATE INDEX contacts_date_added ON contacts(date_added, id) WHERE deleted = 0", false},
		{"CREATE INDEX contacts_email_lookup ON contacts(email)", false},
		{"CREATE INDEX t_k ON t(coalesce(k, 'IS NOT NULL'))", false}, // only the WHERE clause counts
	} {
		if got := sparseIndex(c.ddl); got != c.keep {
			t.Errorf("sparseIndex(%q) = %v, want %v", c.ddl, got, c.keep)
		}
	}
	r := newReplica(t, "r", nil, 0, Options{})
	if err := r.d.Write(context.Background(), func(tx *db.Tx) error { return deferIndexes(tx, "contacts") }); err != nil {
		t.Fatal(err)
	}
	left, _ := db.Strings(r.d.R.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL ORDER BY name`))
	want := []string{"contacts_deleted", "contacts_stage", "contacts_trash_sort"}
	for _, w := range want {
		found := false
		for _, l := range left {
			found = found || l == w
		}
		if !found {
			t.Errorf("index %s was dropped; kept: %v", w, left)
		}
	}
	for _, l := range left {
		if l == "contacts_date_added" || l == "contacts_email" {
			t.Errorf("index %s was kept; want it deferred", l)
		}
	}
}
