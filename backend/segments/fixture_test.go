package segments_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"magpie/backend/clock"
	"magpie/backend/companies"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/segments"
)

type fixture struct {
	d    *db.DB
	clk  *clock.Fake
	cs   *contacts.Service
	seg  *segments.Service
	ids  map[string]string // firstname -> id
	name map[string]string // id -> firstname
}

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// newFixture builds the four contacts every operator test runs against (see the table in
// filters_test.go for the expected Mautic answers).
func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	d, clk := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []fields.Input{
		{Object: fields.Contact, Alias: "score_n", Label: "Score", Type: fields.Number, Listable: true},
		{Object: fields.Contact, Alias: "vip", Label: "VIP", Type: fields.Boolean, Listable: true},
		{Object: fields.Contact, Alias: "interests", Label: "Interests", Type: fields.Multiselect, Listable: true,
			Options: []fields.Option{{Label: "A", Value: "a"}, {Label: "B", Value: "b"}, {Label: "C", Value: "c"}}},
		{Object: fields.Contact, Alias: "birthday", Label: "Birthday", Type: fields.Date, Listable: true},
		{Object: fields.Contact, Alias: "renewal_at", Label: "Renewal", Type: fields.Datetime, Listable: true},
	} {
		if _, err := fs.Add(ctx, in); err != nil {
			t.Fatalf("field %s: %v", in.Alias, err)
		}
	}
	cs := contacts.New(d, fs)
	co := companies.New(d, fs)
	f := &fixture{d: d, clk: clk, cs: cs, seg: segments.New(d, fs), ids: map[string]string{}, name: map[string]string{}}
	people := []struct {
		at   string
		vals map[string]string
		tags []string
	}{
		{"2026-03-02 08:00", map[string]string{"firstname": "Ann", "email": "ann@x.io", "city": "Paris", "score_n": "5", "vip": "1",
			"interests": "a|b", "birthday": "1990-03-02", "renewal_at": "2026-03-02 18:00:00"}, []string{"vip", "news"}},
		{"2026-02-25 12:00", map[string]string{"firstname": "Bob", "email": "bob@y.io", "score_n": "0", "vip": "0", "interests": "b",
			"birthday": "1985-12-24"}, []string{"news"}},
		{"2026-01-15 10:00", map[string]string{"firstname": "Élodie", "city": "Montréal", "interests": "c"}, nil},
		{"2025-06-01 10:00", map[string]string{"firstname": "Dan", "lastname": "O'Neil"}, nil},
	}
	for _, p := range people {
		clk.Set(ts(p.at))
		c, err := cs.Create(ctx, contacts.Input{Values: p.vals, Tags: p.tags}, "test")
		if err != nil {
			t.Fatalf("contact %s: %v", p.vals["firstname"], err)
		}
		f.ids[p.vals["firstname"]] = c.ID
		f.name[c.ID] = p.vals["firstname"]
	}
	clk.Set(testenv.Epoch) // Monday 2026-03-02 09:30 UTC
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cs.AdjustPoints(ctx, f.ids["Ann"], 10, "test", "test"))
	must(cs.AdjustPoints(ctx, f.ids["Élodie"], 3, "test", "test"))
	_, err = cs.SetDNC(ctx, []string{f.ids["Élodie"]}, "email", 1, "", "test")
	must(err)
	acme, err := co.Create(ctx, map[string]string{"companyname": "Acme"})
	must(err)
	beta, err := co.Create(ctx, map[string]string{"companyname": "Beta"})
	must(err)
	must(cs.LinkCompany(ctx, f.ids["Ann"], acme.ID, true, "test"))
	must(cs.LinkCompany(ctx, f.ids["Bob"], acme.ID, true, "test"))
	must(cs.LinkCompany(ctx, f.ids["Bob"], beta.ID, false, "test"))
	iphone := "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1"
	evs := []events.Event{
		{ContactID: f.ids["Ann"], Type: events.PageHit, At: ts("2026-03-01 10:00"), URL: "https://shop.io/pricing", UserAgent: iphone, UTM: events.UTM{Source: "newsletter"}},
		{ContactID: f.ids["Ann"], Type: events.PageHit, At: ts("2026-03-01 10:10"), URL: "https://shop.io/pricing", UserAgent: iphone},
		{ContactID: f.ids["Ann"], Type: events.PageHit, At: ts("2026-03-01 12:10"), URL: "https://shop.io/blog", UserAgent: iphone},
		{ContactID: f.ids["Bob"], Type: events.PageHit, At: ts("2026-02-20 10:00"), URL: "https://shop.io/about", Referrer: "https://google.com/"},
		{ContactID: f.ids["Bob"], Type: events.EmailSent, At: ts("2026-02-20 09:00"), ObjectID: "e1", ObjectName: "Welcome"},
		{ContactID: f.ids["Bob"], Type: events.EmailRead, At: ts("2026-02-20 09:30"), ObjectID: "e1"},
		{ContactID: f.ids["Bob"], Type: events.EmailRead, At: ts("2026-02-21 09:30"), ObjectID: "e1"},
		{ContactID: f.ids["Élodie"], Type: events.PageHit, At: ts("2026-02-01 10:00")}, // a hit without URL
	}
	must(d.Write(ctx, func(tx *db.Tx) error {
		for _, e := range evs {
			if _, err := events.Append(tx, e); err != nil {
				return err
			}
		}
		return nil
	}))
	return f
}

func (f *fixture) names(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		out = append(out, f.name[id])
	}
	sort.Strings(out)
	return out
}

// match runs filters in both compile modes and checks they agree.
func (f *fixture) match(t *testing.T, filters string) []string {
	t.Helper()
	ctx := context.Background()
	var got [2][]string
	for i, mode := range []segments.Mode{segments.Scan, segments.One} {
		comp, err := f.seg.Compiler(ctx, time.Time{}, mode)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := segments.Parse([]byte(filters))
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		cond, args, err := comp.Compile(tree)
		if err != nil {
			t.Fatalf("compile: %v", err)
		}
		rows, err := f.d.R.Query("SELECT c.id FROM contacts c WHERE c.deleted = 0 AND ("+cond+")", args...)
		if err != nil {
			t.Fatalf("query %s: %v", cond, err)
		}
		var ids []string
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		got[i] = f.names(ids)
	}
	if !equal(got[0], got[1]) {
		t.Fatalf("scan mode %v != one mode %v", got[0], got[1])
	}
	return got[0]
}

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
