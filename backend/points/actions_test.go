package points_test

import (
	"testing"
	"time"

	"magpie/backend/events"
	"magpie/backend/internal/testenv"
	"magpie/backend/points"
)

func TestFnmatch(t *testing.T) {
	for _, c := range []struct {
		pat, s string
		want   bool
	}{
		{"https://x.com/pricing", "https://x.com/pricing", true},
		{"https://x.com/pricing", "https://x.com/Pricing", false}, // case-sensitive (Q16)
		{"*/pricing*", "https://x.com/en/pricing?plan=pro", true},
		{"*pricing", "https://x.com/pricing/", false},
		{"https://x.com/*", "https://x.com/a/b/c", true}, // * crosses "/"
		{"https://x.com/?", "https://x.com/a", true},
		{"https://x.com/?", "https://x.com/ab", false},
		{"https://x.com/[abc]", "https://x.com/b", true},
		{"https://x.com/[!abc]", "https://x.com/b", false},
		{"https://x.com/[a-z]1", "https://x.com/q1", true},
		{"https://x.com/\\*", "https://x.com/*", true},
		{"https://x.com/\\*", "https://x.com/a", false},
		{"*", "", true},
		{"https://x.com/[", "https://x.com/[", true},
		{"*é*", "https://x.com/café", true},
	} {
		if got := points.Fnmatch(c.pat, c.s); got != c.want {
			t.Errorf("Fnmatch(%q, %q) = %v, want %v", c.pat, c.s, got, c.want)
		}
	}
}

// step is one event of a scenario, minutes after the epoch.
type step struct {
	typ events.Type
	obj string
	url string
	min int
}

func TestActionTypesAndLimits(t *testing.T) {
	e0 := testenv.Epoch
	hit := func(url string, min int) step { return step{typ: events.PageHit, url: url, min: min} }
	for _, c := range []struct {
		name  string
		a     points.Action
		steps []step
		want  int64
	}{
		{"opens any email, once", points.Action{Type: points.EmailOpen, Delta: 5},
			[]step{{typ: events.EmailRead, obj: "e1"}, {typ: events.EmailRead, obj: "e2"}}, 5},
		{"opens any email, repeatable", points.Action{Type: points.EmailOpen, Delta: 5, Repeatable: true},
			[]step{{typ: events.EmailRead, obj: "e1"}, {typ: events.EmailRead, obj: "e2"}}, 10},
		{"opens a given email", points.Action{Type: points.EmailOpen, Delta: 3, Repeatable: true, Props: points.Props{Emails: []string{"e2"}}},
			[]step{{typ: events.EmailRead, obj: "e1"}, {typ: events.EmailRead, obj: "e2"}}, 3},
		{"is sent an email", points.Action{Type: points.EmailSend, Delta: 1, Repeatable: true},
			[]step{{typ: events.EmailSent, obj: "e1"}, {typ: events.EmailRead, obj: "e1"}}, 1},
		{"clicks a link matching", points.Action{Type: points.EmailClick, Delta: 7, Repeatable: true, Props: points.Props{URL: "*/demo*"}},
			[]step{{typ: events.EmailClicked, obj: "e1", url: "https://x.com/demo?a=1"}, {typ: events.EmailClicked, obj: "e1", url: "https://x.com/blog"}}, 7},
		{"negative delta", points.Action{Type: points.EmailClick, Delta: -4},
			[]step{{typ: events.EmailClicked, obj: "e1", url: "https://x.com/unsub"}}, -4},
		{"submits a given form", points.Action{Type: points.FormSubmit, Delta: 10, Props: points.Props{Forms: []string{"f1"}}},
			[]step{{typ: events.FormSubmitted, obj: "f2"}, {typ: events.FormSubmitted, obj: "f1"}, {typ: events.FormSubmitted, obj: "f1"}}, 10},
		{"downloads any asset", points.Action{Type: points.AssetDownload, Delta: 2, Repeatable: true},
			[]step{{typ: events.AssetDownloaded, obj: "a1"}, {typ: events.AssetDownloaded, obj: "a2"}}, 4},
		{"visits a landing page", points.Action{Type: points.PageHit, Delta: 6, Repeatable: true, Props: points.Props{Pages: []string{"p1"}}},
			[]step{{typ: events.PageHit, obj: "p1", url: "https://x.com/lp"}, {typ: events.PageHit, url: "https://x.com/other"}, {typ: events.PageHit, obj: "p2"}}, 6},
		{"visits N pages", points.Action{Type: points.PageVisits, Delta: 20, Props: points.Props{PageHits: 3}},
			[]step{hit("https://x.com/a", 0), hit("https://x.com/b", 1), hit("https://x.com/c", 2), hit("https://x.com/d", 3)}, 20},
		{"url: once per contact", points.Action{Type: points.URLHit, Delta: 5, Props: points.Props{URL: "https://x.com/pricing*"}},
			[]step{hit("https://x.com/pricing", 0), hit("https://x.com/pricing?x", 1), hit("https://x.com/blog", 2)}, 5},
		{"url: repeatable", points.Action{Type: points.URLHit, Delta: 5, Repeatable: true, Props: points.Props{URL: "https://x.com/pricing*"}},
			[]step{hit("https://x.com/pricing", 0), hit("https://x.com/pricing?x", 1), hit("https://x.com/blog", 2)}, 10},
		{"url: case-sensitive", points.Action{Type: points.URLHit, Delta: 5, Repeatable: true, Props: points.Props{URL: "https://x.com/pricing"}},
			[]step{hit("https://x.com/Pricing", 0)}, 0},
		{"url: first visit only (repeatable)", points.Action{Type: points.URLHit, Delta: 5, Repeatable: true,
			Props: points.Props{URL: "*/pricing", FirstTime: true}},
			[]step{hit("https://x.com/pricing", 0), hit("https://x.com/pricing", 90)}, 5},
		{"url: from the 3rd hit", points.Action{Type: points.URLHit, Delta: 5, Props: points.Props{URL: "*/pricing", PageHits: 3}},
			[]step{hit("https://x.com/pricing", 0), hit("https://x.com/pricing", 1), hit("https://x.com/pricing", 2), hit("https://x.com/pricing", 3)}, 5},
		{"url: every 2nd visit", points.Action{Type: points.URLHit, Delta: 1, Repeatable: true, Props: points.Props{URL: "*/pricing", EveryNth: 2}},
			[]step{hit("https://x.com/pricing", 0), hit("https://x.com/pricing", 1), hit("https://x.com/pricing", 2), hit("https://x.com/pricing", 3), hit("https://x.com/pricing", 4)}, 2},
		{"url: returns after 60 minutes", points.Action{Type: points.URLHit, Delta: 1, Repeatable: true,
			Props: points.Props{URL: "*/pricing", ReturnsAfter: 3600}},
			[]step{hit("https://x.com/pricing", 0), hit("https://x.com/pricing", 30), hit("https://x.com/pricing", 100), hit("https://x.com/pricing", 161)}, 2},
		{"url: returns within 10 minutes", points.Action{Type: points.URLHit, Delta: 1, Repeatable: true,
			Props: points.Props{URL: "*/pricing", ReturnsWithin: 600}},
			[]step{hit("https://x.com/pricing", 0), hit("https://x.com/pricing", 5), hit("https://x.com/pricing", 30)}, 1},
		{"url: other URLs do not count toward limits", points.Action{Type: points.URLHit, Delta: 1, Props: points.Props{URL: "*/pricing", PageHits: 2}},
			[]step{hit("https://x.com/pricing", 0), hit("https://x.com/blog", 1), hit("https://x.com/blog", 2)}, 0},
		{"unpublished window", points.Action{Type: points.EmailOpen, Delta: 5, PublishUp: ptr(e0.Add(time.Hour))},
			[]step{{typ: events.EmailRead, obj: "e1"}}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFx(t)
			c.a.Name = c.name
			f.action(c.a)
			cid := f.contact("a@x.com")
			for _, s := range c.steps {
				f.event(events.Event{ContactID: cid, Type: s.typ, ObjectID: s.obj, URL: s.url, At: e0.Add(time.Duration(s.min) * time.Minute)})
			}
			if got := f.points(cid); got != c.want {
				t.Fatalf("points = %d, want %d", got, c.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestGroupActionAndTimelineEvent(t *testing.T) {
	f := newFx(t)
	g, err := f.ps.SaveGroup(f.ctx, points.Group{Name: "Product interest", Published: true})
	if err != nil {
		t.Fatal(err)
	}
	a := f.action(points.Action{Name: "Pricing", Type: points.URLHit, Delta: 8, Repeatable: true, GroupID: g.ID,
		Props: points.Props{URL: "*/pricing"}})
	cid := f.contact("g@x.com")
	f.hit(cid, "https://x.com/pricing", testenv.Epoch)
	f.hit(cid, "https://x.com/pricing", testenv.Epoch.Add(time.Minute))
	if got := f.score(cid, g.ID); got != 16 {
		t.Fatalf("group score = %d, want 16", got)
	}
	if got := f.points(cid); got != 0 {
		t.Fatalf("main points = %d, want 0 (group points do not change them)", got)
	}
	evs, _, err := events.List(f.ctx, f.d.R, events.Query{ContactID: cid, Types: []events.Type{events.PointsChanged}})
	if err != nil || len(evs) != 2 {
		t.Fatalf("points events = %d (%v), want 2", len(evs), err)
	}
	d := evs[0].Data
	if d["actionId"] != a.ID || d["group"] != g.ID || d["score"] != float64(16) || evs[0].ObjectName != "Pricing" {
		t.Fatalf("event = %+v %v", evs[0], d)
	}
	sc, err := f.ps.ContactScores(f.ctx, cid)
	if err != nil || len(sc) != 1 || sc[0].Score != 16 {
		t.Fatalf("ContactScores = %+v, %v", sc, err)
	}
	// Trashing the group stops its actions at once (cache invalidated on commit).
	if err := f.ps.SetDeleted(f.ctx, "point_groups", g.ID, true); err != nil {
		t.Fatal(err)
	}
	f.hit(cid, "https://x.com/pricing", testenv.Epoch.Add(2*time.Minute))
	if got := f.score(cid, g.ID); got != 16 {
		t.Fatalf("score after trashing the group = %d, want 16", got)
	}
}

func TestCacheFollowsDefinitionChanges(t *testing.T) {
	f := newFx(t)
	cid := f.contact("c@x.com")
	f.event(events.Event{ContactID: cid, Type: events.EmailRead, ObjectID: "e1"})
	a := f.action(points.Action{Name: "Opens", Type: points.EmailOpen, Delta: 2, Repeatable: true})
	f.event(events.Event{ContactID: cid, Type: events.EmailRead, ObjectID: "e1"})
	a.Delta = 10
	f.action(a)
	f.event(events.Event{ContactID: cid, Type: events.EmailRead, ObjectID: "e1"})
	if err := f.ps.SetDeleted(f.ctx, "point_actions", a.ID, true); err != nil {
		t.Fatal(err)
	}
	f.event(events.Event{ContactID: cid, Type: events.EmailRead, ObjectID: "e1"})
	if got := f.points(cid); got != 12 {
		t.Fatalf("points = %d, want 12 (0 before the action, 2, then 10, none once trashed)", got)
	}
}

func TestActionValidation(t *testing.T) {
	f := newFx(t)
	for _, c := range []struct {
		a     points.Action
		field string
	}{
		{points.Action{Type: points.EmailOpen, Delta: 1}, "name"},
		{points.Action{Name: "x", Type: "email.nope", Delta: 1}, "type"},
		{points.Action{Name: "x", Type: points.EmailOpen}, "delta"},
		{points.Action{Name: "x", Type: points.URLHit, Delta: 1}, "page_url"},
		{points.Action{Name: "x", Type: points.PageVisits, Delta: 1}, "page_hits"},
		{points.Action{Name: "x", Type: points.EmailOpen, Delta: 1, GroupID: "nope"}, "groupId"},
		{points.Action{Name: "x", Type: points.EmailOpen, Delta: 1, PublishUp: ptr(testenv.Epoch), PublishDown: ptr(testenv.Epoch.Add(-time.Hour))}, "publishDown"},
	} {
		_, err := f.ps.SaveAction(f.ctx, c.a)
		if err == nil {
			t.Errorf("%+v saved, want an error on %s", c.a, c.field)
			continue
		}
		if e, ok := errAs(err); !ok || e.Fields[c.field] == "" {
			t.Errorf("%+v: error %v does not name %s", c.a, err, c.field)
		}
	}
	if n := f.count("SELECT count(*) FROM point_actions"); n != 0 {
		t.Fatalf("%d actions stored after invalid saves", n)
	}
}

// TestGlobAgreesWithFnmatch checks the SQL translation used for hit counts against Fnmatch.
func TestGlobAgreesWithFnmatch(t *testing.T) {
	f := newFx(t)
	urls := []string{"https://x.com/pricing", "https://x.com/Pricing", "https://x.com/a/b", "https://x.com/b", "https://x.com/*",
		"https://x.com/[", "https://x.com/[!", "https://x.com/q1", "https://x.com/café"}
	for _, pat := range []string{"*/pricing", "https://x.com/?", "https://x.com/[!abc]", "https://x.com/[a-z]1", "https://x.com/\\*",
		"https://x.com/[", "https://x.com/[!", "*é*", "https://x.com/*"} {
		for _, u := range urls {
			var got bool
			if err := f.d.R.QueryRow("SELECT ? GLOB ?", u, points.Glob(pat)).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if want := points.Fnmatch(pat, u); got != want {
				t.Errorf("pattern %q (glob %q) on %q: GLOB %v, Fnmatch %v", pat, points.Glob(pat), u, got, want)
			}
		}
	}
}
