package events_test

import (
	"context"
	"fmt"
	"testing"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
)

// AppendManyHooked stores every new event once and runs the hooks for exactly those, with
// ids and times filled, aggregates written (an email.read bumps emails_read).
func TestAppendManyHookedRunsHooksOncePerStoredEvent(t *testing.T) {
	d, _ := testenv.NewDB(t)
	var seen []string
	events.OnAppendLazy(func(tx *db.Tx, e events.Event) error {
		if e.Source != "hooked-test" {
			return nil
		}
		if e.ID == "" || e.At.IsZero() {
			return fmt.Errorf("hook saw an event without id/time: %+v", e)
		}
		seen = append(seen, e.ContactID+":"+string(e.Type))
		return nil
	})
	ctx := context.Background()
	write := func(evs ...events.Event) {
		t.Helper()
		if err := d.Write(ctx, func(tx *db.Tx) error { return events.AppendManyHooked(tx, evs) }); err != nil {
			t.Fatal(err)
		}
	}
	write(events.Event{ID: "k1", ContactID: "c1", Type: events.PointsChanged, Source: "hooked-test"},
		events.Event{ContactID: "c2", Type: events.EmailRead, Source: "hooked-test"},
		events.Event{ID: "k1", ContactID: "c1", Type: events.PointsChanged, Source: "hooked-test"}) // repeated id
	write(events.Event{ID: "k1", ContactID: "c1", Type: events.PointsChanged, Source: "hooked-test"}, // stored already
		events.Event{ID: "k3", ContactID: "c3", Type: events.PointsChanged, Source: "hooked-test"})
	want := "[c1:points.changed c2:email.read c3:points.changed]"
	if got := fmt.Sprint(seen); got != want {
		t.Errorf("hooks saw %s, want %s", got, want)
	}
	var n, read int
	d.R.QueryRow("SELECT count(*) FROM events WHERE source = 'hooked-test'").Scan(&n)
	d.R.QueryRow("SELECT emails_read FROM contact_stats WHERE contact_id = 'c2'").Scan(&read)
	if n != 3 || read != 1 {
		t.Errorf("stored %d events (want 3), emails_read = %d (want 1)", n, read)
	}
}
