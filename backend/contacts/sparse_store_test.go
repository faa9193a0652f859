package contacts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
)

// Sparse anchor indexes survive a restart (a new Service on the same file): the first page
// of a sort loads its stored index (no build), unless a write — from any process, any path
// — moved rows in that order since it was stored; pages read from loaded anchors equal a
// plain ORDER BY … OFFSET.
func TestSparseAnchorsStoredAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	open := func() *contacts.Service {
		fs, err := fields.New(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		s := contacts.New(d, fs)
		contacts.SetSparseStep(s, 23)
		return s
	}
	s := open()
	var rows []contacts.NewContact
	for i := 0; i < 300; i++ {
		vals := db.Cols{"firstname": []string{"Élodie", "Zoé", "anaïs", "Marc"}[i%4], "lastname": fmt.Sprintf("Nom%02d", (i*17)%31),
			"city": []string{"Paris", "lyon", "", "Zürich"}[i%4], "email": fmt.Sprintf("u%03d@example.com", (i*7)%300)}
		rows = append(rows, contacts.NewContact{Vals: vals, Points: int64(i % 13), At: testenv.Epoch.Add(time.Duration(i%50) * time.Minute)})
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").CreateMany([]string{"firstname", "lastname", "city", "email"}, rows, contacts.BulkOpts{})
	}); err != nil {
		t.Fatal(err)
	}
	sorts := []string{"email", "city", "points", "date_added"}
	for _, sort := range sorts {
		if _, err := s.List(ctx, contacts.Query{Sort: sort, Limit: 1}); err != nil {
			t.Fatal(err)
		}
		contacts.WaitAnchors(s)
		if s.SparseAnchors(sort, false) == 0 {
			t.Fatalf("no sparse index for %s after a page", sort)
		}
	}
	var stored int
	if err := d.R.QueryRow("SELECT count(*) FROM listing_sparse").Scan(&stored); err != nil || stored != len(sorts) {
		t.Fatalf("stored indexes: %d (%v), want %d", stored, err, len(sorts))
	}

	// Another process changes emails with plain SQL (no commit hook of this one sees it).
	if _, err := d.W.Exec("UPDATE contacts SET email = 'a' || email WHERE rowid % 3 = 0"); err != nil {
		t.Fatal(err)
	}
	jumps := func(s *contacts.Service, sort string) {
		t.Helper()
		for _, desc := range []bool{false, true} {
			for off := 0; off < 310; off += 29 {
				got, err := s.List(ctx, contacts.Query{Sort: sort, Desc: desc, Offset: off, Limit: 11, Columns: []string{"email"}})
				if err != nil {
					t.Fatal(err)
				}
				dir := map[bool]string{false: "ASC", true: "DESC"}[desc]
				ids, w := pageIDs(got), referencePage(t, d, false, contacts.Sorts[sort], dir, 11, off)
				if strings.Join(ids, ",") != strings.Join(w, ",") {
					t.Fatalf("sort %s desc=%v offset %d:\n got %v\nwant %v", sort, desc, off, ids, w)
				}
			}
		}
	}
	for _, tc := range []struct {
		sort   string
		loaded bool
	}{{"city", true}, {"points", true}, {"date_added", true}, {"email", false}} {
		r := open() // a restart
		if r.SparseAnchors(tc.sort, false) != 0 {
			t.Fatalf("%s: index present before any page", tc.sort)
		}
		if _, err := r.List(ctx, contacts.Query{Sort: tc.sort, Offset: 150, Limit: 5}); err != nil {
			t.Fatal(err)
		}
		if got := r.SortsLoaded() == 1; got != tc.loaded {
			t.Fatalf("%s: index loaded at the first page = %v, want %v", tc.sort, got, tc.loaded)
		}
		jumps(r, tc.sort)
		contacts.WaitAnchors(r)
	}
	// The email index was rebuilt and stored again; an insert (any process) stales them all.
	if _, err := d.W.Exec("INSERT INTO contacts(id, date_added, date_modified, points, deleted) VALUES ('x-new', 5, 5, 0, 0)"); err != nil {
		t.Fatal(err)
	}
	for _, sort := range sorts {
		r := open()
		if _, err := r.List(ctx, contacts.Query{Sort: sort, Limit: 5}); err != nil {
			t.Fatal(err)
		}
		if r.SortsLoaded() != 0 {
			t.Fatalf("%s: stale index loaded after an insert", sort)
		}
		contacts.WaitAnchors(r)
		jumps(r, sort)
	}
}

// Jumps made while a background build is still running (partial anchors, waits for the
// build) give the same pages as a plain ORDER BY … OFFSET.
func TestSparseAnchorsDuringBuild(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	contacts.SetSparseStep(s, 7)
	d := s.DB()
	var rows []contacts.NewContact
	for i := 0; i < 500; i++ {
		rows = append(rows, contacts.NewContact{Vals: db.Cols{"city": fmt.Sprintf("c%03d", (i*37)%101), "email": fmt.Sprintf("u%03d@example.com", i)},
			Points: int64(i % 17), At: testenv.Epoch.Add(time.Duration(i%60) * time.Minute)})
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").CreateMany([]string{"city", "email"}, rows, contacts.BulkOpts{})
	}); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		for sort := range contacts.Sorts {
			for _, desc := range []bool{false, true} {
				for _, off := range []int{0, 480, 250, 30, 470, 120, 499, 3} {
					got, err := s.List(ctx, contacts.Query{Sort: sort, Desc: desc, Offset: off, Limit: 9, Columns: []string{"email"}})
					if err != nil {
						t.Fatal(err)
					}
					dir := map[bool]string{false: "ASC", true: "DESC"}[desc]
					ids, w := pageIDs(got), referencePage(t, d, false, contacts.Sorts[sort], dir, 9, off)
					if strings.Join(ids, ",") != strings.Join(w, ",") {
						t.Fatalf("round %d sort %s desc=%v offset %d:\n got %v\nwant %v", round, sort, desc, off, ids, w)
					}
				}
			}
		}
		contacts.WaitAnchors(s)
		if _, err := s.Create(ctx, contacts.Input{Values: map[string]string{"email": fmt.Sprintf("r%d@example.com", round)}}, "test"); err != nil {
			t.Fatal(err)
		}
	}
}

// WarmSorts readies every sort's sparse index (and the trash's) without any page request.
func TestWarmSorts(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	contacts.SetSparseStep(s, 5)
	var rows []contacts.NewContact
	for i := 0; i < 60; i++ {
		rows = append(rows, contacts.NewContact{Vals: db.Cols{"email": fmt.Sprintf("w%02d@example.com", i)}, At: testenv.Epoch})
	}
	if err := s.DB().Write(ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").CreateMany([]string{"email"}, rows, contacts.BulkOpts{})
	}); err != nil {
		t.Fatal(err)
	}
	all, err := s.IDs(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, all[:12], "test"); err != nil {
		t.Fatal(err)
	}
	s.WarmSorts(ctx)
	contacts.WaitWarm(s)
	for sort := range contacts.Sorts {
		if s.SparseAnchors(sort, false) == 0 {
			t.Errorf("sort %s: no sparse index after WarmSorts", sort)
		}
	}
	if s.SparseAnchors("date_added", true) == 0 {
		t.Error("trash: no sparse index after WarmSorts")
	}
}

// A stored sparse index from before migration 0093 (anchors ending with text ids, at the
// current data generation) is never read as rowids: the first page after a restart builds
// the index again, and its pages equal a plain ORDER BY … OFFSET.
func TestSparseAnchorsOldLayoutDropped(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	var rows []contacts.NewContact
	for i := 0; i < 200; i++ {
		vals := db.Cols{"city": []string{"Paris", "lyon", "", "Zürich"}[i%4]}
		rows = append(rows, contacts.NewContact{Vals: vals, At: testenv.Epoch.Add(time.Duration(i%7) * time.Minute)})
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").CreateMany([]string{"city"}, rows, contacts.BulkOpts{})
	}); err != nil {
		t.Fatal(err)
	}
	// The old layout's copy: every 23rd (key, id) of the (key, id) order.
	var old []string
	list, err := d.R.Query("SELECT lower(coalesce(city, '')), id FROM contacts WHERE deleted = 0 ORDER BY 1, id")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; list.Next(); i++ {
		var k, id string
		if err := list.Scan(&k, &id); err != nil {
			t.Fatal(err)
		}
		if i%23 == 22 {
			old = append(old, fmt.Sprintf(`[%d,%q,%q]`, i, k, id))
		}
	}
	list.Close()
	var gen int64
	if err := d.R.QueryRow("SELECT coalesce(sum(gen), 0) FROM contacts_order_gen WHERE k IN ('*', 'city')").Scan(&gen); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.Exec("INSERT OR REPLACE INTO listing_sparse(sig, gen, n, anchors) VALUES (?, ?, 200, ?)",
		"contacts|"+contacts.Sorts["city"]+"|false", gen, "["+strings.Join(old, ",")+"]"); err != nil {
		t.Fatal(err)
	}
	s := contacts.New(d, fs)
	contacts.SetSparseStep(s, 23)
	if _, err := s.List(ctx, contacts.Query{Sort: "city", Offset: 100, Limit: 5}); err != nil {
		t.Fatal(err)
	}
	if s.SortsLoaded() != 0 {
		t.Fatal("an old-layout stored index was loaded")
	}
	contacts.WaitAnchors(s)
	if s.SparseAnchors("city", false) == 0 {
		t.Fatal("no sparse index built after refusing the stored one")
	}
	var again string // the same order's row, replaced by the rebuilt index
	if err := d.R.QueryRow("SELECT anchors FROM listing_sparse WHERE sig = ?", "contacts|"+contacts.Sorts["city"]+"|false").Scan(&again); err != nil ||
		again == "["+strings.Join(old, ",")+"]" {
		t.Fatalf("stored index not replaced (%v): %s", err, again)
	}
	for _, desc := range []bool{false, true} {
		for off := 0; off < 205; off += 17 {
			got, err := s.List(ctx, contacts.Query{Sort: "city", Desc: desc, Offset: off, Limit: 9})
			if err != nil {
				t.Fatal(err)
			}
			dir := map[bool]string{false: "ASC", true: "DESC"}[desc]
			ids, w := pageIDs(got), referencePage(t, d, false, contacts.Sorts["city"], dir, 9, off)
			if strings.Join(ids, ",") != strings.Join(w, ",") {
				t.Fatalf("desc=%v offset %d:\n got %v\nwant %v", desc, off, ids, w)
			}
		}
	}
}
