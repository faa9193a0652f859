package events_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
)

// checkIndexSQL fails unless the store's index name is defined as def (what follows "ON "):
// the condition the summaries add as written (events.ObjectIndexWhere) must be the
// migration's, or SQLite would not see it as implying the index's.
func checkIndexSQL(t *testing.T, d *db.DB, name, def string) {
	t.Helper()
	var got string
	if err := d.R.QueryRow("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", name).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "CREATE INDEX " + name + " ON " + def; got != want {
		t.Errorf("index %s is\n%s\nwant\n%s", name, got, want)
	}
}

// TestObjectIndexPlans: events_type_object is partial (migration 0089: events without an
// object are left out but those of the types the reports group by object). Every query
// shape that reads it must still get it — SQLite uses a partial index only when the
// query's WHERE implies the index's — and what the summary grouped by object counts must
// not change (email, form and asset events without an object stay in it).
func TestObjectIndexPlans(t *testing.T) {
	d, _ := testenv.NewDB(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	evs := []events.Event{
		{ContactID: "c1", Type: events.PageHit, At: at, URL: "https://x.example/a"},
		{ContactID: "c1", Type: events.PageHit, At: at, URL: "https://x.example/lp", ObjectID: "page1"},
		{ContactID: "c1", Type: events.EmailSent, At: at, ObjectID: "mail1"},
		{ContactID: "c2", Type: events.EmailSent, At: at, ObjectID: "mail1"},
		{ContactID: "c2", Type: events.EmailSent, At: at}, // an email without an object: its own group
		{ContactID: "c2", Type: events.FormSubmitted, At: at, ObjectID: "form1"},
		{ContactID: "c3", Type: events.ContactCreated, At: at},                        // left out
		{ContactID: "c3", Type: events.PointsChanged, At: at, ObjectName: "campaign"}, // left out
		{ContactID: "c3", Type: events.PointsChanged, At: at, ObjectID: "group1"},
		{ContactID: "c3", Type: events.ContactImported, At: at, ObjectID: "import1"},
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		for _, e := range evs {
			if _, err := events.Append(tx, e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var indexed int
	if err := d.R.QueryRow(`SELECT count(*) FROM events e INDEXED BY events_type_object WHERE ` +
		events.ObjectIndexWhere("e")).Scan(&indexed); err != nil {
		t.Fatal(err)
	}
	if want := len(evs) - 3; indexed != want {
		t.Errorf("events_type_object holds %d events, want %d (all but the page hit, the contact.created and the points change without an object)", indexed, want)
	}
	checkIndexSQL(t, d, "events_type_object", "events(type, object_id, contact_id) WHERE "+events.ObjectIndexWhere(""))

	// The shapes of the queries that read events_type_object (where they come from). The
	// landing pages' A/B bounce query (type, object_id = ?, at >= ?) reads events_type with
	// the full index as with the partial one.
	for _, tc := range []struct {
		from, q string
		args    []any
	}{
		{"reports summary grouped by email", `SELECT e.object_id, count(*), count(DISTINCT e.contact_id) FROM events e INDEXED BY events_type_object
			WHERE e.type IN ('email.sent', 'email.read', 'email.clicked', 'email.failed') AND ` + events.ObjectIndexWhere("e") + ` GROUP BY e.object_id`, nil},
		{"reports object names (NameSQL)", `SELECT object_name FROM events WHERE type IN ('form.submitted') AND object_id = ? AND object_name IS NOT NULL LIMIT 1`, []any{"form1"}},
		{"focus stats", `SELECT count(*) FROM events WHERE type IN (?1, ?2) AND object_id = ?3`, []any{"focus.viewed", "focus.converted", "f1"}},
		{"assets stats", `SELECT count(*) FROM events e WHERE e.type = 'asset.downloaded' AND e.object_id = ?`, []any{"a1"}},
		{"pages stats", `SELECT e.object_id, count(*), count(DISTINCT e.contact_id) FROM events e
			WHERE e.type = 'page.hit' AND e.object_id IN (SELECT id FROM pages) GROUP BY e.object_id`, nil},
	} {
		if p := testenv.QueryPlan(t, d.R.Query, tc.q, tc.args...); !strings.Contains(p, "INDEX events_type_object") {
			t.Errorf("%s: plan %q does not read events_type_object", tc.from, p)
		}
	}

	// The summary's count per email includes the email without an object.
	rows, err := d.R.Query(`SELECT coalesce(e.object_id, ''), count(*) FROM events e INDEXED BY events_type_object
		WHERE e.type = 'email.sent' AND ` + events.ObjectIndexWhere("e") + ` GROUP BY e.object_id`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		got[k] = n
	}
	rows.Close()
	if got["mail1"] != 2 || got[""] != 1 || len(got) != 2 {
		t.Errorf("emails sent per object = %v, want mail1: 2 and no object: 1", got)
	}
}

// TestURLIndexPlan: events_type_url_at holds page hits only (migration 0085); the reports'
// page hits grouped by URL (source WHERE `e.type = 'page.hit'`, INDEXED BY the index) still
// read it and count every hit.
func TestURLIndexPlan(t *testing.T) {
	d, _ := testenv.NewDB(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := d.Write(ctx, func(tx *db.Tx) error {
		for _, e := range []events.Event{
			{ContactID: "c1", Type: events.PageHit, At: at, URL: "https://x.example/a"},
			{ContactID: "c2", Type: events.PageHit, At: at, URL: "https://x.example/a"},
			{ContactID: "c2", Type: events.PageHit, At: at}, // a hit without a URL stays in the index
			{ContactID: "c1", Type: events.EmailClicked, At: at, URL: "https://x.example/a", ObjectID: "mail1"},
			{ContactID: "c1", Type: events.EmailSent, At: at, ObjectID: "mail1"},
		} {
			if _, err := events.Append(tx, e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var indexed int
	if err := d.R.QueryRow(`SELECT count(*) FROM events INDEXED BY events_type_url_at WHERE type = 'page.hit'`).Scan(&indexed); err != nil {
		t.Fatal(err)
	}
	var all int
	if err := d.R.QueryRow(`SELECT count(*) FROM events WHERE type = 'page.hit'`).Scan(&all); err != nil {
		t.Fatal(err)
	}
	if indexed != 3 || all != 3 {
		t.Errorf("page hits: %d through events_type_url_at, %d in the log, want 3 and 3", indexed, all)
	}
	p := testenv.QueryPlan(t, d.R.Query, `SELECT e.url, count(*) FROM events e INDEXED BY events_type_url_at
		WHERE e.type = 'page.hit' AND e.at >= ? GROUP BY e.url`, 0)
	if !strings.Contains(p, "INDEX events_type_url_at") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("plan %q: want events_type_url_at without a temporary B-tree", p)
	}
}
