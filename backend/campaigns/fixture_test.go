package campaigns

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"magpie/backend/clock"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/emails"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/segments"
)

type fixture struct {
	t   testing.TB
	ctx context.Context
	d   *db.DB
	clk *clock.Fake
	cs  *contacts.Service
	seg *segments.Service
	em  *emails.Service
	s   *Service
	ids map[string]string // first name -> contact id
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	d, clk := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	seg := segments.New(d, fs)
	em := emails.New(d, cs, t.TempDir())
	f := &fixture{t: t, ctx: ctx, d: d, clk: clk, cs: cs, seg: seg, em: em, ids: map[string]string{},
		s: New(d, Deps{Contacts: cs, Segments: seg, Emails: em})}
	if tt, ok := t.(*testing.T); ok {
		tt.Cleanup(func() { f.checkCounts() })
	}
	return f
}

// checkCounts: after every test, the writer-kept campaign_counts equal a count of the log
// (every path that writes campaign_log — fan-out, runs, decisions, cancels, merges — keeps
// them exact).
func (f *fixture) checkCounts() {
	f.t.Helper()
	if d := f.countsDiff(); d != "" {
		f.t.Error(d)
	}
}

// countsDiff compares campaign_counts with a count of campaign_log by step and status ("" when
// they agree).
func (f *fixture) countsDiff() string {
	f.t.Helper()
	q := func(sql string) map[string]int {
		rows, err := f.d.R.Query(sql)
		if err != nil {
			f.t.Fatalf("counts: %v", err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var step int64
			var s string
			var n int
			if err := rows.Scan(&step, &s, &n); err != nil {
				f.t.Fatal(err)
			}
			out[fmt.Sprintf("%d/%s", step, s)] = n
		}
		return out
	}
	got := q("SELECT step, status, n FROM campaign_counts WHERE n <> 0")
	want := q("SELECT step, status, count(*) FROM campaign_log GROUP BY 1, 2")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Sprintf("campaign_counts = %v, want (from campaign_log) %v", got, want)
	}
	return ""
}

// logRow inserts a campaign_log row for event of campaign as a writer of the engine would
// (its step key given on first use, the row counted).
func logRow(tx *db.Tx, campaign, event, contact, status string, doneAt any) error {
	step, err := stepKey(tx, campaign, event)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO campaign_log(step, contact_id, rotation, status, trigger_at, ref_at, done_at)
		VALUES(?, ?, 1, ?, 0, 0, ?)`, step, contact, status, doneAt); err != nil {
		return err
	}
	return addCount(tx, step, status, 1)
}

// contact creates a contact with values (firstname required).
func (f *fixture) contact(vals map[string]string, tags ...string) string {
	f.t.Helper()
	c, err := f.cs.Create(f.ctx, contacts.Input{Values: vals, Tags: tags}, "test")
	if err != nil {
		f.t.Fatalf("contact %v: %v", vals, err)
	}
	f.ids[vals["firstname"]] = c.ID
	return c.ID
}

// segment saves a segment with Mautic filters and returns its id.
func (f *fixture) segment(name, filters string) string {
	f.t.Helper()
	g, err := f.seg.Save(f.ctx, segments.Input{Name: name, Filters: []byte(filters)})
	if err != nil {
		f.t.Fatalf("segment %s: %v", name, err)
	}
	return g.ID
}

func (f *fixture) email(name string) string {
	f.t.Helper()
	e, err := f.em.Save(f.ctx, emails.Email{Name: name, Subject: "Hello {contactfield=firstname}", HTML: "<p>Hi</p>",
		FromAddress: "shop@example.com"})
	if err != nil {
		f.t.Fatalf("email %s: %v", name, err)
	}
	return e.ID
}

// publish saves and publishes a campaign, failing the test on problems.
func (f *fixture) publish(name string, restart bool, g Graph) string {
	f.t.Helper()
	c, err := f.s.Save(f.ctx, Input{Name: name, AllowRestart: restart, Graph: g})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.s.Publish(f.ctx, c.ID); err != nil {
		f.t.Fatalf("publish %s: %v", name, err)
	}
	return c.ID
}

func (f *fixture) run() RunStats {
	f.t.Helper()
	st, err := f.s.Run(f.ctx, RunOptions{Batch: benchBatch()})
	if err != nil {
		f.t.Fatalf("run: %v", err)
	}
	return st
}

// advance moves the fake clock and runs what fell due.
func (f *fixture) advance(d time.Duration) RunStats {
	f.clk.Advance(d)
	return f.run()
}

// tagged lists (sorted first names) the contacts with tag.
func (f *fixture) tagged(tag string) []string {
	f.t.Helper()
	rows, err := f.d.R.Query(`SELECT c.firstname FROM contact_tags ct JOIN contacts c ON c.id = ct.contact_id
		WHERE ct.deleted = 0 AND ct.tag_id = ? ORDER BY c.firstname`, contacts.TagID(tag))
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

// logOf returns "event:status:path" for a contact's rows in a campaign, sorted.
func (f *fixture) logOf(campaign, contact string) []string {
	f.t.Helper()
	rows, err := f.d.R.Query(`SELECT event_id, status, path, rotation FROM campaign_log_ids WHERE campaign_id = ? AND contact_id = ?`, campaign, contact)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var e, st, p string
		var rot int
		rows.Scan(&e, &st, &p, &rot)
		s := e + ":" + st
		if p != "" {
			s += ":" + p
		}
		if rot > 1 {
			s += fmt.Sprintf("@%d", rot)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// appendEvent stores a behaviour event (hooks run) for a contact.
func (f *fixture) appendEvent(e events.Event) {
	f.t.Helper()
	if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
		_, err := events.Append(tx, e)
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) points(contact string) int64 {
	var n int64
	f.d.R.QueryRow("SELECT points FROM contacts WHERE id = ?", contact).Scan(&n)
	return n
}

// graph helpers
func root(id, kind, typ string, props map[string]any) Event {
	return Event{ID: id, Name: id, Kind: kind, Type: typ, Props: props, Trigger: Trigger{Mode: "immediate"}}
}

func child(id, parent, path, kind, typ string, props map[string]any) Event {
	p := parent
	return Event{ID: id, Name: id, Kind: kind, Type: typ, Parent: &p, Path: path, Props: props, Trigger: Trigger{Mode: "immediate"}}
}

func wait(e Event, n int, unit string) Event {
	e.Trigger = Trigger{Mode: "interval", Interval: n, Unit: unit}
	return e
}

func segSource(ids ...string) []Source { return []Source{{ID: "s1", Type: "segment", IDs: ids}} }

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
