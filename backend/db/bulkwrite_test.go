package db_test

import (
	"context"
	"slices"
	"testing"

	"magpie/backend/db"
)

// A bulk write (Tx.Bulk) reaches the commit hooks as the names of the tables it changed and
// of the topics it signalled, before and after the call, with no change or signal listed;
// the sync recorder still sees every change. Touches answers for changes, listed or bulk,
// Signalled for signals, listed or bulk: a signal is not a table change, even when a topic
// and a table share a name.
func TestBulkWrite(t *testing.T) {
	d, err := db.OpenDir(t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	recorded := 0
	d.SetRecorder(recorderFunc(func(*db.Tx, db.Change) error { recorded++; return nil }))
	var got []db.Commit
	d.OnCommit(func(c db.Commit) { got = append(got, c) })
	ctx := context.Background()
	err = d.Write(ctx, func(tx *db.Tx) error {
		if err := tx.Insert("users", "u0", db.Cols{"name": "Before", "date_added": 1}); err != nil {
			return err
		}
		tx.Bulk()
		for _, id := range []string{"u1", "u2"} {
			if err := tx.Insert("users", id, db.Cols{"name": "Ann", "date_added": 1}); err != nil {
				return err
			}
		}
		tx.Signal("event", "u1")
		tx.Signal("segments", "s1") // (a table's name too)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d commits announced, want 1", len(got))
	}
	c := got[0]
	if len(c.Changes) != 0 || len(c.Signals) != 0 || !slices.Equal(c.Bulk, []string{"users"}) ||
		!slices.Equal(c.BulkSignals, []string{"event", "segments"}) || recorded != 3 {
		t.Fatalf("commit %+v, %d recorded; want only Bulk [users], BulkSignals [event segments] and 3 recorded", c, recorded)
	}
	for _, w := range []struct {
		name              string
		touches, signaled bool
	}{{"users", true, false}, {"event", false, true}, {"segments", false, true}, {"contacts", false, false}} {
		if c.Touches(w.name) != w.touches || c.Signalled(w.name) != w.signaled {
			t.Errorf("Touches / Signalled(%q) = %v / %v, want %v / %v", w.name, c.Touches(w.name), c.Signalled(w.name), w.touches, w.signaled)
		}
	}
	listed := db.Commit{Changes: []db.Change{{Table: "contacts"}}, Signals: []db.Signal{{Topic: "segments"}}}
	if !listed.Touches("contacts") || !listed.Touches("users", "contacts") || listed.Touches("segments") || listed.Touches("users") ||
		!listed.Signalled("segments") || listed.Signalled("contacts") || listed.InBulk("contacts") {
		t.Error("Touches and Signalled on listed changes and signals")
	}
}
