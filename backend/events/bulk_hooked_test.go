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

// AppendManyHooked signals every contact on Topic (segments re-check them) and each event
// type once on TypeTopic, with no contact (only the UI's refresh reads it).
func TestAppendManyHookedSignals(t *testing.T) {
	d, _ := testenv.NewDB(t)
	var got []db.Signal
	d.OnCommit(func(c db.Commit) { got = append(got, c.Signals...) })
	evs := []events.Event{
		{ContactID: "c1", Type: events.PointsChanged, Source: "signals-test"},
		{ContactID: "c2", Type: events.PointsChanged, Source: "signals-test"},
		{ContactID: "c1", Type: events.EmailRead, Source: "signals-test"},
		{ContactID: "c3", Type: events.PointsChanged, Source: "signals-test"},
	}
	if err := d.Write(context.Background(), func(tx *db.Tx) error { return events.AppendManyHooked(tx, evs) }); err != nil {
		t.Fatal(err)
	}
	n := map[db.Signal]int{}
	for _, s := range got {
		n[s]++
	}
	want := map[db.Signal]int{
		{Topic: events.Topic, ID: "c1"}: 1, {Topic: events.Topic, ID: "c2"}: 1, {Topic: events.Topic, ID: "c3"}: 1,
		{Topic: events.TypeTopic(events.PointsChanged)}: 1, {Topic: events.TypeTopic(events.EmailRead)}: 1,
	}
	if fmt.Sprint(n) != fmt.Sprint(want) {
		t.Errorf("signals %v, want %v", n, want)
	}
}
