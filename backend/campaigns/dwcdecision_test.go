package campaigns

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"magpie/backend/dwc"
	"magpie/backend/events"
	"magpie/backend/signing"
	"magpie/backend/tracking"
)

// dwcFixture: two published items (the decision's default and the offer its yes path
// pushes), a segment of everyone with an email, and a campaign whose root decision waits for
// a request of slot "hero": yes → push the offer into "hero" and tag "asked"; no after 3 days
// → tag "silent".
type dwcFixture struct {
	*fixture
	dwc              *dwc.Service
	def, offer, camp string
}

func newDWCFixture(t *testing.T, props map[string]any) *dwcFixture {
	f := &dwcFixture{fixture: newFixture(t), dwc: nil}
	f.dwc = dwc.New(f.d, f.seg, f.cs)
	save := func(name, slot, content string) string {
		s, err := f.dwc.Save(f.ctx, dwc.Slot{Name: name, Slot: slot, DefaultContent: content, Published: true})
		if err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	save("Hero", "hero", "<p>Hello stranger</p>")
	f.def = save("Welcome", "hero-welcome", "<p>Welcome, {contactfield=firstname}</p>")
	f.offer = save("Offer", "hero-offer", "<p>20% off for {contactfield=firstname}</p>")
	f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	f.contact(map[string]string{"firstname": "Cy"}) // not in the segment
	seg := f.segment("With email", `[{"glue":"and","field":"email","object":"lead","type":"email","operator":"!empty"}]`)
	if props == nil {
		props = map[string]any{"slot": "hero", "default": f.def}
	}
	f.camp = f.publish("DWC", false, Graph{Sources: segSource(seg), Events: []Event{
		root("ask", KindDecision, "dwc.request", props),
		child("push", "ask", "yes", KindAction, "dwc.push", map[string]any{"slot": "hero", "dwc": f.offer}),
		child("tag", "ask", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"asked"}}),
		wait(child("silent", "ask", "no", KindAction, "contact.tags", map[string]any{"add": []any{"silent"}}), 3, "d"),
	}})
	f.run()
	return f
}

func (f *dwcFixture) resolve(name, slot string) string {
	f.t.Helper()
	c, _, err := f.dwc.Resolve(f.ctx, f.ids[name], slot)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func TestDWCRequestDecision(t *testing.T) {
	cases := []struct {
		name, slot string
		fires      bool
	}{
		{"the decision's slot", "hero", true},
		{"slot names ignore case", "HERO", true},
		{"another slot", "sidebar", false},
		{"a slot whose name starts alike", "hero-offer", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newDWCFixture(t, nil)
			ann := f.ids["Ann"]
			f.clk.Advance(time.Minute)
			f.appendEvent(events.Event{ContactID: ann, Type: events.DWCRequested, ObjectID: c.slot})
			fired := contains(f.logOf(f.camp, ann), "ask:done:yes")
			if fired != c.fires {
				t.Fatalf("fired = %v, want %v (log %v)", fired, c.fires, f.logOf(f.camp, ann))
			}
			if !c.fires {
				return
			}
			// At once, in the ingest transaction: the default item is Ann's content for the slot.
			if got := f.resolve("Ann", "hero"); got != "<p>Welcome, Ann</p>" {
				t.Errorf("after the decision: %q", got)
			}
			// The yes path pushes the offer; Bob, who never asked, keeps the slot's own content.
			f.run()
			if got := f.resolve("Ann", "hero"); got != "<p>20% off for Ann</p>" {
				t.Errorf("after the push: %q", got)
			}
			if got := f.resolve("Bob", "hero"); got != "<p>Hello stranger</p>" {
				t.Errorf("Bob: %q", got)
			}
			// Asking again fires nothing twice.
			f.appendEvent(events.Event{ContactID: ann, Type: events.DWCRequested, ObjectID: "hero"})
			f.run()
			var n int
			f.d.R.QueryRow("SELECT count(*) FROM campaign_log_ids WHERE campaign_id = ? AND event_id = 'push'", f.camp).Scan(&n)
			if n != 1 {
				t.Errorf("push rows = %d", n)
			}
			// Three days later Bob, who never asked, takes the no path.
			f.advance(72*time.Hour + time.Minute)
			if got := f.tagged("asked"); !equal(got, []string{"Ann"}) {
				t.Errorf("asked = %v", got)
			}
			if got := f.tagged("silent"); !equal(got, []string{"Bob"}) {
				t.Errorf("silent = %v", got)
			}
		})
	}
}

func TestDWCDecisionsLookup(t *testing.T) {
	f := newDWCFixture(t, nil)
	look := NewDWCDecisions(f.d)
	cases := []struct {
		who, slot string
		item      string
		waiting   bool
	}{
		{"Ann", "hero", "offer", true}, // the yes path's immediate push to the slot wins over the default
		{"Ann", "Hero", "offer", true},
		{"Ann", "sidebar", "", false},
		{"Cy", "hero", "", false}, // not in the campaign
		{"", "hero", "", false},   // unknown visitor
	}
	for _, c := range cases {
		item, waiting, err := look.Lookup(f.ctx, f.ids[c.who], c.slot)
		want := map[string]string{"offer": f.offer, "": ""}[c.item]
		if err != nil || item != want || waiting != c.waiting {
			t.Errorf("%s/%s: item %q waiting %v err %v; want %q %v", c.who, c.slot, item, waiting, err, want, c.waiting)
		}
	}
	// Once Ann took the decision it no longer waits for her.
	f.appendEvent(events.Event{ContactID: f.ids["Ann"], Type: events.DWCRequested, ObjectID: "hero"})
	if _, waiting, _ := look.Lookup(f.ctx, f.ids["Ann"], "hero"); waiting {
		t.Error("still waiting after the decision fired")
	}
	// Unpublishing the campaign is seen at once (the index follows commits on campaigns).
	if _, err := f.s.Unpublish(f.ctx, f.camp); err != nil {
		t.Fatal(err)
	}
	if _, waiting, _ := look.Lookup(f.ctx, f.ids["Bob"], "hero"); waiting {
		t.Error("an unpublished campaign still waits")
	}
}

// A decision without a push to its slot shows its default item at once.
func TestDWCDecisionsLookupDefault(t *testing.T) {
	f := newDWCFixture(t, map[string]any{"slot": "banner", "default": ""})
	look := NewDWCDecisions(f.d)
	if item, waiting, err := look.Lookup(f.ctx, f.ids["Ann"], "banner"); err != nil || !waiting || item != "" {
		t.Fatalf("no default: %q %v %v", item, waiting, err)
	}
}

// End to end through the tracker: Ann's browser asks for the slot on the test site; the
// tracker answers with the campaign's content at once and records the request, which the
// pump stores and the ingester turns into dwc.requested — the decision fires and its yes
// path runs. Cy, whom no campaign waits for, records nothing.
func TestDWCRequestThroughTracker(t *testing.T) {
	f := newDWCFixture(t, nil)
	ctx := context.Background()
	signer, _ := signing.New([]byte(strings.Repeat("s", 32)))
	spool, err := tracking.OpenSpool(t.TempDir(), tracking.SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	web := &tracking.Web{DB: f.d, Contacts: f.cs, DWC: f.dwc, DWCDecision: NewDWCDecisions(f.d).Lookup}
	tsrv, err := tracking.NewServer(tracking.Config{PublicURL: "https://t.example", Signer: signer, Log: quiet, Web: web}, spool, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	go (&tracking.Pump{Spool: spool, Store: &tracking.SQLiteStore{DB: f.d}, Log: quiet}).Run(pctx)
	ing := &tracking.Ingester{Contacts: f.cs, Log: quiet}

	get := func(who string) string {
		t.Helper()
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/dwc/hero", nil)
		r.Header.Set("Referer", "https://www.example.com/home")
		r.AddCookie(&http.Cookie{Name: "magpie_ct", Value: signer.Sign("ct", 0, f.ids[who])})
		tsrv.Handler().ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("%s: GET /dwc/hero = %d %s", who, w.Code, w.Body)
		}
		var out struct{ Content string }
		json.Unmarshal(w.Body.Bytes(), &out)
		return out.Content
	}
	if got := get("Ann"); got != "<p>20% off for Ann</p>" {
		t.Errorf("Ann's first answer: %q", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !contains(f.logOf(f.camp, f.ids["Ann"]), "ask:done:yes") {
		if _, err := ing.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("request not ingested: %v", f.logOf(f.camp, f.ids["Ann"]))
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.run()
	if got := f.tagged("asked"); !equal(got, []string{"Ann"}) {
		t.Errorf("asked = %v", got)
	}
	if got := get("Ann"); got != "<p>20% off for Ann</p>" { // now from the stored push
		t.Errorf("Ann's second answer: %q", got)
	}
	var n int
	f.d.R.QueryRow("SELECT count(*) FROM events WHERE type = 'dwc.requested' AND contact_id = ? AND object_id = 'hero'", f.ids["Ann"]).Scan(&n)
	if n != 1 {
		t.Errorf("Ann's dwc.requested events = %d (the second request is not awaited: not recorded)", n)
	}
	// Cy is in no campaign: the slot's own content, nothing recorded.
	if got := get("Cy"); got != "<p>Hello stranger</p>" {
		t.Errorf("Cy: %q", got)
	}
	for end := time.Now().Add(5 * time.Second); spool.Pending() != 0 && time.Now().Before(end); {
		time.Sleep(20 * time.Millisecond)
	}
	f.d.R.QueryRow("SELECT count(*) FROM hits WHERE kind = 'dwc'").Scan(&n)
	if n != 1 {
		t.Errorf("dwc hits = %d, want 1 (Ann's awaited request only)", n)
	}
}
