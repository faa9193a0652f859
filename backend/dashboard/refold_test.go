package dashboard

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
)

// contactWidgets are the widgets reading the contacts rollup.
var contactWidgets = []string{TContactsCreated, TCountries, TPointsFunnel, TStagesFunnel}

// compareContactWidgets runs the contact widgets from the rollup and counting contacts
// live, over r, and fails on any difference.
func compareContactWidgets(t *testing.T, f fixture, r Range, step string) {
	t.Helper()
	ctx := context.Background()
	ws := make([]Widget, len(contactWidgets))
	for i, typ := range contactWidgets {
		ws[i] = Widget{ID: typ, Type: typ, W: 6, H: 1}
	}
	f.s.liveContacts = false
	rolled, err := f.s.Run(ctx, ws, Query{Range: r, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if !f.s.contactsReady(ctx) {
		t.Fatalf("%s: the contacts rollup is not current after a board", step)
	}
	f.s.liveContacts = true
	live, err := f.s.Run(ctx, ws, Query{Range: r, Lang: "en"})
	f.s.liveContacts = false
	if err != nil {
		t.Fatal(err)
	}
	for i := range ws {
		a, b := rolled.Results[i], live.Results[i]
		ca, cb := string(a.Chart), string(b.Chart)
		if ws[i].Type == TCountries { // which spelling of a country is shown is arbitrary (France, FRANCE)
			ca, cb = strings.ToLower(ca), strings.ToLower(cb)
		}
		if a.Err != nil || b.Err != nil || ca != cb || a.Empty != b.Empty {
			t.Errorf("%s, %s over %v:\nrollup %s %q %v\nlive   %s %q %v", step, ws[i].Type, r, a.Chart, a.Empty, a.Err, b.Chart, b.Empty, b.Err)
		}
	}
}

// TestContactsRollupFollowsChanges: after every kind of change to contacts (created,
// points across a band, country, identified, stage, deleted, restored), the contact
// widgets read from the rollup equal a live count, on the board's range, over a year, and
// after a time zone change.
func TestContactsRollupFollowsChanges(t *testing.T) {
	f := seedFixture(t)
	ctx := context.Background()
	year := Range{From: "2025-03-03", To: "2026-03-02"}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := f.d.Write(ctx, func(tx *db.Tx) error { _, err := tx.Exec(q, args...); return err }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO stages(id, name, weight, date_added, date_modified) VALUES('s1', 'Lead', 10, 0, 0), ('s2', 'Customer', 50, 0, 0)`)
	steps := []struct {
		name string
		sql  string
		args []any
	}{
		{"as seeded", "SELECT 1", nil},
		{"points within a band", "UPDATE contacts SET points = 35 WHERE id = ?", []any{f.a}},
		{"points across bands", "UPDATE contacts SET points = 60 WHERE id = ?", []any{f.b}},
		{"country changed", "UPDATE contacts SET country = 'Spain' WHERE id = ?", []any{f.a}},
		{"country case only", "UPDATE contacts SET country = 'FRANCE' WHERE id = ?", []any{f.c}},
		{"identified", "UPDATE contacts SET date_identified = date_added, email = 'c@x.test' WHERE id = ?", []any{f.c}},
		{"stages", "UPDATE contacts SET stage_id = CASE id WHEN ? THEN 's2' ELSE 's1' END", []any{f.a}},
		{"deleted", "UPDATE contacts SET deleted = 1 WHERE id = ?", []any{f.b}},
		{"moved to another day", "UPDATE contacts SET date_added = ? WHERE id = ?", []any{at("2026-02-27 23:30").UnixMilli(), f.a}},
		{"restored", "UPDATE contacts SET deleted = 0 WHERE id = ?", []any{f.b}},
		{"removed for good", "DELETE FROM contacts WHERE id = 'c-old'", nil},
	}
	for _, s := range steps {
		exec(s.sql, s.args...)
		compareContactWidgets(t, f, rng, s.name)
		compareContactWidgets(t, f, year, s.name+" (12 months)")
	}
	if err := f.d.SetMeta(ctx, "timezone", "Pacific/Kiritimati"); err != nil { // UTC+14
		t.Fatal(err)
	}
	f.s.LoadTimezone(ctx)
	compareContactWidgets(t, f, rng, "in UTC+14")
	var n int
	if err := f.d.R.QueryRow("SELECT count(*) FROM dash_cdaily WHERE dim = 'id' AND day = '2026-02-28'").Scan(&n); err != nil || n == 0 {
		t.Errorf("rollup rows of 02-28 in UTC+14: %d %v", n, err)
	}
}

// snapshot is the content of dash_daily and dash_top, sorted.
func snapshot(t *testing.T, d *db.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{"SELECT metric, day, n, u FROM dash_daily WHERE n > 0 OR u > 0 ORDER BY 1, 2",
		"SELECT kind, day, key, n FROM dash_top WHERE n > 0 ORDER BY 1, 2, 3"} {
		rows, err := d.R.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b2, c, e any
			if err := rows.Scan(&a, &b2, &c, &e); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%v|%v|%v|%v\n", a, b2, c, e)
		}
		rows.Close()
	}
	return b.String()
}

func randomEvents(r *rand.Rand, n int, start time.Time) []events.Event {
	types := []events.Type{events.PageHit, events.PageHit, events.PageHit, events.EmailSent, events.EmailRead, events.EmailClicked, "form.submitted"}
	refs := []string{"", "https://www.google.com/x", "https://Bing.com/", "not a url"}
	out := make([]events.Event, n)
	for i := range out {
		e := events.Event{ContactID: fmt.Sprintf("k%d", r.Intn(25)), Type: types[r.Intn(len(types))],
			At: start.Add(time.Duration(r.Intn(45*24*60)) * time.Minute)}
		switch e.Type {
		case events.PageHit:
			e.URL = fmt.Sprintf("https://site.test/p%d", r.Intn(6))
			e.Referrer = refs[r.Intn(len(refs))]
		default:
			if r.Intn(3) > 0 {
				e.ObjectID = fmt.Sprintf("em%d", r.Intn(3))
			}
			e.ObjectName = fmt.Sprintf("Email %d", r.Intn(2))
		}
		out[i] = e
	}
	return out
}

// TestRefoldMatchesPerEvent: recounting whole days set-based (a big backlog, from scratch
// or above a watermark) gives exactly the rollup the per-event fold gives, in UTC and in a
// zone with a half-hour offset and DST; new events then fold one by one on top.
func TestRefoldMatchesPerEvent(t *testing.T) {
	for _, zone := range []string{"", "Australia/Adelaide"} {
		t.Run("zone "+zone, func(t *testing.T) {
			f := seedFixture(t)
			ctx := context.Background()
			if zone != "" {
				if err := f.d.SetMeta(ctx, "timezone", zone); err != nil {
					t.Fatal(err)
				}
				f.s.LoadTimezone(ctx)
			}
			r := rand.New(rand.NewSource(7))
			add := func(n int) {
				evs := randomEvents(r, n, at("2026-01-20 00:00"))
				if err := f.d.Write(ctx, func(tx *db.Tx) error { return events.AppendMany(tx, evs) }); err != nil {
					t.Fatal(err)
				}
			}
			catch := func(lag int64) {
				old := bigLag
				bigLag = lag
				defer func() { bigLag = old }()
				if left, err := f.s.CatchUp(ctx, 0); err != nil || left != 0 {
					t.Fatalf("catch-up: %d left, %v", left, err)
				}
			}
			reset := func() {
				if err := f.d.Write(ctx, func(tx *db.Tx) error {
					for _, q := range []string{"DELETE FROM dash_daily", "DELETE FROM dash_top", "DELETE FROM dash_state WHERE k IN ('seq', 'refold')"} {
						if _, err := tx.Exec(q); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			add(400)
			catch(1 << 40) // one by one
			perEvent := snapshot(t, f.d)
			reset()
			catch(0) // whole days, from scratch
			if got := snapshot(t, f.d); got != perEvent {
				t.Fatalf("refold from scratch differs:\n%s", diff(perEvent, got))
			}
			// A backlog above the watermark: days recounted, the rest kept.
			add(300)
			catch(0)
			refolded := snapshot(t, f.d)
			reset()
			catch(1 << 40)
			if got := snapshot(t, f.d); got != refolded {
				t.Fatalf("refold above a watermark differs from folding one by one:\n%s", diff(got, refolded))
			}
			// New events after a refold fold one by one on top of it.
			add(50)
			catch(1 << 40)
			incremental := snapshot(t, f.d)
			reset()
			catch(0)
			if got := snapshot(t, f.d); got != incremental {
				t.Fatalf("incremental after refold differs:\n%s", diff(got, incremental))
			}
		})
	}
}

// diff lists the lines only in a or only in b.
func diff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	if len(out) > 20 {
		out = out[:20]
	}
	return strings.Join(out, "\n") + fmt.Sprint(reflect.DeepEqual(ma, mb))
}

// TestTopListEdges: partial months at either end (read day by day, or as the month minus
// the days outside) rank exactly like summing the daily rows of the range.
func TestTopListEdges(t *testing.T) {
	f := seedFixture(t)
	ctx := context.Background()
	evs := randomEvents(rand.New(rand.NewSource(3)), 600, at("2026-01-01 00:00"))
	if err := f.d.Write(ctx, func(tx *db.Tx) error { return events.AppendMany(tx, evs) }); err != nil {
		t.Fatal(err)
	}
	for _, r := range []Range{{From: "2026-01-03", To: "2026-03-02"}, {From: "2026-01-22", To: "2026-02-25"},
		{From: "2026-02-03", To: "2026-02-26"}, {From: "2026-01-25", To: "2026-01-30"}, {From: "2026-01-02", To: "2026-01-30"},
		{From: "2026-02-01", To: "2026-03-02"}, {From: "2025-12-30", To: "2026-02-14"}} {
		for _, w := range []struct{ typ, kind string }{{TTopPages, "page"}, {TTopReferrers, "referrer"}} {
			b, err := f.s.Run(ctx, []Widget{{ID: "p", Type: w.typ, W: 6, H: 1}}, Query{Range: r})
			if err != nil || b.Results[0].Err != nil {
				t.Fatalf("%+v: %v %v", r, err, b.Results[0].Err)
			}
			var got [][]any
			if b.Results[0].Table != nil {
				got = b.Results[0].Table.Rows
			}
			rows, err := f.d.R.Query(`SELECT key, sum(n) AS n FROM dash_top WHERE kind = ? AND day >= ? AND day <= ?
				GROUP BY key ORDER BY n DESC, key LIMIT 10`, w.kind, r.From, r.To)
			if err != nil {
				t.Fatal(err)
			}
			var want [][]any
			for rows.Next() {
				var k string
				var n int64
				rows.Scan(&k, &n)
				want = append(want, []any{k, n})
			}
			rows.Close()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %+v: %v, want %v", w.kind, r, got, want)
			}
		}
	}
}
