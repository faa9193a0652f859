package events_test

import (
	"context"
	"testing"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
)

// User agents are stored once in the dictionary (migration 0082) whichever way events are
// appended, and the timeline gives them back — also for rows stored before, whose text is
// on the row.
func TestUserAgentDictionary(t *testing.T) {
	d, _ := testenv.NewDB(t)
	ctx := context.Background()
	ua1 := "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"
	ua2 := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36"
	appendAll(t, d,
		events.Event{ID: "a1", ContactID: "c1", Type: events.PageHit, UserAgent: ua1},
		events.Event{ID: "a2", ContactID: "c1", Type: events.PageHit, UserAgent: ua2},
		events.Event{ID: "a3", ContactID: "c1", Type: events.EmailSent})
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := events.NewBatch(tx).AppendMany([]events.Event{
			{ID: "m1", ContactID: "c1", Type: events.PageHit, UserAgent: ua1},
			{ID: "m2", ContactID: "c1", Type: events.PageHit, UserAgent: ua2}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A row from before the dictionary: its text on the row, no id.
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`INSERT INTO events(id, contact_id, type, at, user_agent) VALUES('old', 'c1', 'page.hit', 1, 'Legacy/1.0')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var dict, texts int
	if err := d.R.QueryRow(`SELECT (SELECT count(*) FROM user_agents), (SELECT count(*) FROM events WHERE user_agent IS NOT NULL)`).Scan(&dict, &texts); err != nil {
		t.Fatal(err)
	}
	if dict != 2 || texts != 1 {
		t.Fatalf("%d user agents in the dictionary (want 2), %d rows with the text (want 1: the old one)", dict, texts)
	}
	evs, _, err := events.List(ctx, d.R, events.Query{ContactID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a1": ua1, "a2": ua2, "a3": "", "m1": ua1, "m2": ua2, "old": "Legacy/1.0"}
	if len(evs) != len(want) {
		t.Fatalf("%d events listed, want %d", len(evs), len(want))
	}
	for _, e := range evs {
		if e.UserAgent != want[e.ID] {
			t.Errorf("event %s: user agent %q, want %q", e.ID, e.UserAgent, want[e.ID])
		}
	}
}
