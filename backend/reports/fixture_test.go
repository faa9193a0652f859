package reports_test

import (
	"context"
	"testing"
	"time"

	"magpie/backend/bus"
	"magpie/backend/clock"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/jobs"
	"magpie/backend/reports"
	"magpie/backend/segments"
)

type fixture struct {
	d    *db.DB
	clk  *clock.Fake
	fs   *fields.Service
	cs   *contacts.Service
	seg  *segments.Service
	jobs *jobs.Runner
	r    *reports.Service
	dir  string
	ids  map[string]string
}

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// newFixture: three contacts (Ann in Paris, Bob in Lyon, Élodie in Paris) and a small
// behaviour log over February and March 2026.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	d, clk := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Add(ctx, fields.Input{Object: fields.Contact, Alias: "score_n", Label: "Score", Type: fields.Number, Listable: true}); err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	seg := segments.New(d, fs)
	jr := jobs.New(d, bus.New())
	dir := t.TempDir()
	f := &fixture{d: d, clk: clk, fs: fs, cs: cs, seg: seg, jobs: jr, dir: dir, ids: map[string]string{},
		r: reports.New(d, fs, seg, jr, dir)}
	for _, p := range []struct {
		at   string
		vals map[string]string
	}{
		{"2026-02-01 08:00", map[string]string{"firstname": "Ann", "email": "ann@x.io", "city": "Paris", "score_n": "5"}},
		{"2026-02-10 12:00", map[string]string{"firstname": "Bob", "email": "bob@y.io", "city": "Lyon", "score_n": "2.5"}},
		{"2026-03-01 10:00", map[string]string{"firstname": "Élodie", "email": "elo@z.io", "city": "Paris"}},
	} {
		clk.Set(ts(p.at))
		c, err := cs.Create(ctx, contacts.Input{Values: p.vals}, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.ids[p.vals["firstname"]] = c.ID
	}
	clk.Set(testenv.Epoch)
	evs := []events.Event{
		{ContactID: f.ids["Ann"], Type: events.PageHit, At: ts("2026-02-02 10:00"), URL: "https://shop.io/pricing", Title: "Pricing"},
		{ContactID: f.ids["Ann"], Type: events.PageHit, At: ts("2026-02-02 11:00"), URL: "https://shop.io/pricing", Title: "Pricing"},
		{ContactID: f.ids["Bob"], Type: events.PageHit, At: ts("2026-02-15 09:00"), URL: "https://shop.io/blog", Title: "Blog"},
		{ContactID: f.ids["Élodie"], Type: events.PageHit, At: ts("2026-03-01 12:00"), URL: "https://shop.io/pricing", Title: "Pricing"},
		{ContactID: f.ids["Ann"], Type: events.EmailSent, At: ts("2026-02-03 09:00"), ObjectID: "e1", ObjectName: "Welcome"},
		{ContactID: f.ids["Bob"], Type: events.EmailSent, At: ts("2026-02-03 09:00"), ObjectID: "e1", ObjectName: "Welcome"},
		{ContactID: f.ids["Ann"], Type: events.EmailRead, At: ts("2026-02-03 10:00"), ObjectID: "e1", ObjectName: "Welcome"},
		{ContactID: f.ids["Élodie"], Type: events.EmailSent, At: ts("2026-03-01 09:00"), ObjectID: "e2", ObjectName: "March news"},
		{ContactID: f.ids["Bob"], Type: events.StageChanged, At: ts("2026-02-16 09:00"), ObjectID: "s2", ObjectName: "Lead",
			Data: map[string]any{"weight": 10, "fromName": "Visitor"}},
		{ContactID: f.ids["Ann"], Type: events.CampaignEvent, At: ts("2026-02-17 09:00"), ObjectID: "c1", ObjectName: "Welcome › Send email",
			Data: map[string]any{"type": "email.send", "status": "done", "path": "yes"}},
	}
	err = d.Write(ctx, func(tx *db.Tx) error {
		for _, e := range evs {
			if _, err := events.Append(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(jr.Wait)
	return f
}
