package tracking

import (
	"context"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
)

// The aggregates a catch-up carries in memory (events.Carry) end as ingest without catch-up
// leaves them — also when another transaction merges two carried visitors and appends a
// page hit for a third mid-catch-up (Settle computes what they owe from the log), and when
// the process is killed mid-catch-up (nothing carried written, the deferred indexes rebuilt
// as db.Open does): the next ingester writes what the owed ranges say, once.
func TestCatchUpCarryAgrees(t *testing.T) {
	ctx := context.Background()
	var got []string
	modes := []string{"plain", "catch-up", "killed"}
	for _, mode := range modes {
		d, cs, known := knownContact(t)
		if err := (&SQLiteStore{DB: d}).StoreHits(ctx, mixedHits(11, 400, known.ID)); err != nil {
			t.Fatal(err)
		}
		// 100 hits per transaction either way (catch-up doubles the batch).
		g := &Ingester{Contacts: cs, Batch: 100, NoCatchUp: true}
		if mode != "plain" {
			g = &Ingester{Contacts: cs, Batch: 50, CatchUpMin: 100}
		}
		for i := 0; i < 2; i++ {
			if _, err := g.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if mode != "plain" && g.carry == nil {
			t.Fatal("no catch-up")
		}
		// Another writer: a merge of two visitors and a page hit (older than the newest).
		err := d.Write(ctx, func(tx *db.Tx) error {
			if err := contacts.NewOps(tx, "test").Merge(VisitorID("dev-2"), VisitorID("dev-1"), "test"); err != nil {
				return err
			}
			_, err := events.Append(tx, events.Event{ID: "foreign-1", ContactID: VisitorID("dev-4"), Type: events.PageHit,
				At: time.UnixMilli(1767225600000 + 5_000_000), URL: "https://www.example.com/p/9", Source: "test"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if mode == "killed" {
			var owed int
			d.R.QueryRow("SELECT count(*) FROM event_agg_ranges").Scan(&owed)
			if owed == 0 {
				t.Fatal("a catch-up with carried aggregates owes no range")
			}
			g = killCatchUp(ctx, t, g, d, cs)
		}
		ingestAll(t, g)
		if st, err := g.RunOnce(ctx); err != nil || st.Hits != 0 { // leaves catch-up
			t.Fatal(st, err)
		}
		var owed, settled int
		d.R.QueryRow("SELECT (SELECT count(*) FROM event_agg_ranges), (SELECT count(*) FROM event_agg_settled)").Scan(&owed, &settled)
		if owed != 0 || settled != 0 {
			t.Fatalf("%s: %d ranges and %d settled contacts still owed", mode, owed, settled)
		}
		got = append(got, strings.ReplaceAll(state(t, d), known.ID, "KNOWN"))
	}
	if !strings.Contains(got[0], "foreign-1") && !strings.Contains(got[0], "p/9") {
		t.Log("note: the foreign hit's URL is not in the rendered state")
	}
	for i := 1; i < len(got); i++ {
		if got[0] != got[i] {
			t.Fatalf("plain:\n%s\n%s:\n%s", got[0], modes[i], got[i])
		}
	}
}

// killCatchUp stands for a process killed in the middle of a catch-up: what the ingester g
// carried in memory is gone, db.Open rebuilds the deferred indexes, and a new ingester (no
// catch-up) starts on the same store.
func killCatchUp(ctx context.Context, t *testing.T, g *Ingester, d *db.DB, cs *contacts.Service) *Ingester {
	t.Helper()
	g.stopKicks()()
	g.carry.Close()
	debug.SetMemoryLimit(g.memLimit)
	if err := d.RestoreIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	return &Ingester{Contacts: cs, Batch: 100, NoCatchUp: true}
}
