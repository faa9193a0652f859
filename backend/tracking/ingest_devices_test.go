package tracking

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"magpie/backend/db"
	"magpie/backend/events"
)

// readAhead, when set, makes a batch wait inside its transaction until the next batch's
// hits and devices were read beside it: that read then never sees the batch's own writes.
// Its hook is registered by the test that uses it (not in init: the benchmarks in this
// binary run without hooks).
var (
	readAhead     *Ingester
	readAheadHook sync.Once
)

// A batch uses the device rows read beside the previous batch only when nothing but that
// batch wrote since, and reads again the devices that batch wrote: a visitor trashed
// between two batches (another transaction) sends its device's next hit to a new visitor,
// and a device the previous batch created keeps its visitor — as when every row is read
// inside the transaction.
func TestIngestPrefetchedDevicesSeeOtherWrites(t *testing.T) {
	ctx := context.Background()
	d, cs, _ := knownContact(t)
	g := &Ingester{Contacts: cs, Batch: 2}
	readAheadHook.Do(func() {
		events.OnAppendLazy(func(*db.Tx, events.Event) error {
			if g := readAhead; g != nil && g.next != nil {
				<-g.next.done
			}
			return nil
		})
	})
	readAhead = g
	defer func() { readAhead = nil }()
	var hits []Hit
	for i, dev := range []string{"dev-a", "dev-b", "dev-c", "dev-d", "dev-a", "dev-e", "dev-e", "dev-f"} {
		hits = append(hits, Hit{ID: fmt.Sprintf("h%d", i), Kind: KindPage, At: 1767225600000 + int64(i)*1000, Device: dev,
			URL: "https://www.example.com/", Data: map[string]string{}})
	}
	if err := (&SQLiteStore{DB: d}).StoreHits(ctx, hits); err != nil {
		t.Fatal(err)
	}
	once := func() {
		t.Helper()
		if _, err := g.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	once() // dev-a, dev-b
	once() // dev-c, dev-d; the next batch (dev-a, dev-e) read beside it
	if _, err := cs.Delete(ctx, []string{VisitorID("dev-a")}, "test"); err != nil {
		t.Fatal(err)
	}
	once() // dev-a (its visitor trashed since), dev-e (new); the next (dev-e, dev-f) read beside it
	once() // dev-e (created by the batch before), dev-f
	contactOf := func(hit string) string {
		t.Helper()
		var c string
		if err := d.R.QueryRow("SELECT contact_id FROM events WHERE id = ?", hit).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := contactOf("h4"); c == VisitorID("dev-a") || c == "" {
		t.Fatalf("dev-a's hit after its visitor was trashed went to %q, want a new visitor", c)
	}
	for _, tc := range []struct{ hit, dev string }{{"h5", "dev-e"}, {"h6", "dev-e"}, {"h7", "dev-f"}} {
		if c := contactOf(tc.hit); c != VisitorID(tc.dev) {
			t.Fatalf("%s (%s) went to %q, want its visitor %q", tc.hit, tc.dev, c, VisitorID(tc.dev))
		}
	}
	var visitors int
	if err := d.R.QueryRow("SELECT count(*) FROM contacts WHERE deleted = 0 AND email IS NULL").Scan(&visitors); err != nil {
		t.Fatal(err)
	}
	if visitors != 6 {
		t.Fatalf("%d live visitors, want 6 (b to f, and a's second)", visitors)
	}
}
