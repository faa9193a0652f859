package tracking

import (
	"context"
	"fmt"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/teamsync"
)

// The tracker's last_active is derived from the hits every desktop ingests (SYNC.md §3.9):
// with the sync recorder installed, as in the app, ingest advances it for a known contact
// without any clock or outbox entry for that column, while the new visitor it creates is
// still recorded (a row clock, an outbox entry) and a user's edit of the contact still is.
func TestLastActiveDerivedNotSynced(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	if _, err := teamsync.Open(ctx, d, teamsync.Options{}); err != nil {
		t.Fatal(err)
	}
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	known, err := cs.Create(ctx, contacts.Input{Values: map[string]string{"email": "k@example.com"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	outbox := func() (n int) {
		t.Helper()
		if err := d.R.QueryRow(`SELECT (SELECT count(*) FROM sync_outbox) + (SELECT coalesce(sum(n), 0) FROM sync_outbox_batch)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := outbox()
	at := int64(1767225600000)
	var hits []Hit
	for i := 0; i < 3; i++ {
		// Two page views of the known contact (signed), one of a new visitor.
		hits = append(hits,
			Hit{ID: fmt.Sprintf("k-%d-a", i), Kind: KindPage, At: at + int64(i)*60_000, Contact: known.ID, Device: "dev-k", URL: "https://www.example.com/a"},
			Hit{ID: fmt.Sprintf("k-%d-b", i), Kind: KindPage, At: at + int64(i)*60_000 + 1000, Contact: known.ID, Device: "dev-k", URL: "https://www.example.com/b"},
			Hit{ID: fmt.Sprintf("v-%d", i), Kind: KindPage, At: at + int64(i)*60_000 + 2000, Device: "dev-v", URL: "https://www.example.com/c"})
	}
	g := &Ingester{Contacts: cs, Batch: 3}
	if err := (&SQLiteStore{DB: d}).StoreHits(ctx, hits); err != nil {
		t.Fatal(err)
	}
	ingestAll(t, g)
	var la int64
	var clocks int
	if err := d.R.QueryRow(`SELECT last_active, (SELECT count(*) FROM sync_clock WHERE tbl = 'contacts' AND row_id = ?1 AND col = 'last_active')
		FROM contacts WHERE id = ?1`, known.ID).Scan(&la, &clocks); err != nil {
		t.Fatal(err)
	}
	if want := at + 2*60_000 + 1000; la != want || clocks != 0 {
		t.Fatalf("known contact: last_active %d (want %d), %d last_active clocks (want 0)", la, want, clocks)
	}
	var vla int64
	if err := d.R.QueryRow(`SELECT last_active FROM contacts WHERE id = ?`, VisitorID("dev-v")).Scan(&vla); err != nil {
		t.Fatal(err)
	}
	if want := at + 2*60_000 + 2000; vla != want {
		t.Fatalf("visitor: last_active %d, want %d", vla, want)
	}
	// The visitor's creation is the one recorded change (its later last_active is derived).
	if got := outbox() - before; got != 1 {
		t.Fatalf("%d outbox entries from ingest, want 1 (the new visitor)", got)
	}
	// A user's edit is still recorded.
	if _, err := cs.Update(ctx, known.ID, map[string]string{"firstname": "Kim"}, "test"); err != nil {
		t.Fatal(err)
	}
	if got := outbox() - before; got != 2 {
		t.Fatalf("%d outbox entries after an edit, want 2", got)
	}
}
