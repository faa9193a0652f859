package tracking

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/ids"
	"magpie/backend/internal/testenv"
)

type pipeline struct {
	*fixture
	cs    *contacts.Service
	store *SQLiteStore
	ing   *Ingester
}

func newPipeline(t *testing.T) *pipeline {
	t.Helper()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	return &pipeline{fixture: newFixture(t, nil), cs: cs, store: &SQLiteStore{DB: d}, ing: &Ingester{Contacts: cs, Batch: 3}}
}

// flush stores what the server spooled and ingests it all.
func (p *pipeline) flush(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	hs := p.hits(t)
	if len(hs) > 0 {
		if err := p.store.StoreHits(ctx, hs); err != nil {
			t.Fatal(err)
		}
		// Storing the same batch again (a retry after an indeterminate failure) is harmless.
		if err := p.store.StoreHits(ctx, hs); err != nil {
			t.Fatal(err)
		}
	}
	ingestAll(t, p.ing)
}

func (p *pipeline) events(t *testing.T, contact string) map[events.Type][]events.Event {
	t.Helper()
	evs, _, err := events.List(context.Background(), p.cs.DB().R, events.Query{ContactID: contact, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[events.Type][]events.Event{}
	for _, e := range evs {
		out[e.Type] = append(out[e.Type], e)
	}
	return out
}

func TestIngestVisitorIdentifyMergeAndEmail(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	known, err := p.cs.Create(ctx, contacts.Input{Values: map[string]string{"email": "ann@example.com", "lastname": "Martin"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	// 1. An anonymous visit with UTM tags.
	w := p.do(post("/mtc/event", form(url.Values{"page_url": {"https://shop.example.com/?utm_source=news&utm_medium=email"},
		"page_title": {"Home"}, "page_referrer": {"https://search.example.org/"}}), formCT))
	var res map[string]string
	json.Unmarshal(w.Body.Bytes(), &res)
	dev := res["device_id"]
	visitor := VisitorID(dev)
	p.flush(t)
	ev := p.events(t, visitor)
	if len(ev[events.PageHit]) != 1 || len(ev[events.ContactCreated]) != 1 {
		t.Fatalf("visitor events %v", ev)
	}
	hit := ev[events.PageHit][0]
	if hit.URL != "https://shop.example.com/?utm_source=news&utm_medium=email" || hit.Referrer != "https://search.example.org/" ||
		hit.Title != "Home" || hit.UTM.Source != "news" || hit.UTM.Medium != "email" || hit.Device.Type != "desktop" || hit.UserAgent == "" {
		t.Fatalf("page hit %+v", hit)
	}
	// 2. The visitor submits a form with the known contact's email: merged into it.
	r := post("/form/submit", form(url.Values{"mauticform[email]": {"ANN@example.com"}, "mauticform[firstname]": {"Ann"},
		"mauticform[formId]": {"7"}, "mauticform[mautic_device_id]": {dev}, "mauticform[notafield]": {"x"}}), formCT)
	if w := p.do(r); w.Code != 200 {
		t.Fatalf("form: %d %s", w.Code, w.Body)
	}
	// 3. A later visit from the same device lands on the known contact.
	r = post("/mtc/event", form(url.Values{"page_url": {"https://shop.example.com/cart"}, "mautic_device_id": {dev}}), formCT)
	p.do(r)
	p.flush(t)
	got, err := p.cs.Get(ctx, known.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Str("firstname") != "Ann" || got.Str("lastname") != "Martin" {
		t.Fatalf("known contact after form: %v", got.Values)
	}
	if v, err := p.cs.Get(ctx, visitor); err == nil && !v.Deleted {
		t.Fatal("the visitor was not merged away")
	}
	ev = p.events(t, known.ID)
	if len(ev[events.PageHit]) != 2 || len(ev[events.FormSubmitted]) != 1 || len(ev[events.ContactMerged]) != 1 {
		t.Fatalf("known contact events: page %d form %d merged %d", len(ev[events.PageHit]), len(ev[events.FormSubmitted]), len(ev[events.ContactMerged]))
	}
	if ev[events.FormSubmitted][0].ObjectID != "7" {
		t.Fatalf("form event %+v", ev[events.FormSubmitted][0])
	}
	// 4. Email open, click, one-click unsubscribe, signed for the known contact.
	p.do(httptest.NewRequest("GET", strings.TrimPrefix(p.links.Open("msg-1", "email-1", known.ID), testBase), nil))
	p.do(httptest.NewRequest("GET", strings.TrimPrefix(p.links.Click("msg-1", "email-1", known.ID, "https://shop.example.com/sale"), testBase), nil))
	p.do(post(strings.TrimPrefix(p.links.Unsubscribe("msg-1", "email-1", known.ID, "ann@example.com"), testBase), strings.NewReader("List-Unsubscribe=One-Click"), formCT))
	// A token for a contact that does not exist records nothing.
	p.do(httptest.NewRequest("GET", strings.TrimPrefix(p.links.Open("msg-2", "email-1", ids.New()), testBase), nil))
	// A bot's visit records nothing.
	bot := httptest.NewRequest("GET", "/mtracking.gif?page_url=https://shop.example.com/", nil)
	bot.Header.Set("User-Agent", "Googlebot/2.1 (+http://www.google.com/bot.html)")
	p.do(bot)
	p.flush(t)
	ev = p.events(t, known.ID)
	if len(ev[events.EmailRead]) != 1 || ev[events.EmailRead][0].ObjectID != "email-1" {
		t.Fatalf("email.read events %v", ev[events.EmailRead])
	}
	if len(ev[events.EmailClicked]) != 1 || ev[events.EmailClicked][0].URL != "https://shop.example.com/sale" {
		t.Fatalf("email.clicked events %v", ev[events.EmailClicked])
	}
	if len(ev[events.DNCAdded]) != 1 {
		t.Fatalf("dnc events %v", ev[events.DNCAdded])
	}
	var n int
	p.cs.DB().R.QueryRow("SELECT count(*) FROM hits").Scan(&n)
	if n != 8 {
		t.Fatalf("hits stored = %d, want 8 (idempotent re-store)", n)
	}
	if p.ing.Skipped.Load() != 2 {
		t.Fatalf("skipped = %d, want 2 (unknown contact, bot)", p.ing.Skipped.Load())
	}
	got, _ = p.cs.Get(ctx, known.ID)
	if got.LastActive == nil {
		t.Fatal("last_active not set")
	}
	// The email's statistics counted the open, the click and the unsubscribe.
	metrics := map[string]int{}
	rows, err := p.cs.DB().R.Query("SELECT metric, sum(n) FROM email_counts WHERE email_id = 'email-1' GROUP BY metric")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var m string
		var n int
		rows.Scan(&m, &n)
		metrics[m] = n
	}
	rows.Close()
	if metrics["read"] < 1 || metrics["read_total"] != 1 || metrics["clicked"] != 1 || metrics["unsubscribed"] != 1 {
		t.Fatalf("email counts %v", metrics)
	}
	// The visitor's behaviour aggregates moved with the merge.
	var pageHits, hitsN, reads, utm, visitorRows int
	r0 := p.cs.DB().R
	r0.QueryRow("SELECT page_hits, hits, emails_read FROM contact_stats WHERE contact_id = ?", known.ID).Scan(&pageHits, &hitsN, &reads)
	r0.QueryRow("SELECT count(*) FROM contact_utm WHERE contact_id = ? AND utm_source = 'news' AND utm_medium = 'email'", known.ID).Scan(&utm)
	r0.QueryRow("SELECT (SELECT count(*) FROM contact_stats WHERE contact_id = ?) + (SELECT count(*) FROM contact_utm WHERE contact_id = ?)", visitor, visitor).Scan(&visitorRows)
	if pageHits != 2 || hitsN != 3 || reads != 1 || utm != 1 || visitorRows != 0 {
		t.Fatalf("aggregates: page_hits %d hits %d reads %d utm %d visitor rows %d; want 2 3 1 1 0", pageHits, hitsN, reads, utm, visitorRows)
	}
	// Ingesting again does nothing: the cursor moved with the events.
	before := len(p.events(t, known.ID)[events.PageHit])
	p.flush(t)
	if after := len(p.events(t, known.ID)[events.PageHit]); after != before {
		t.Fatalf("re-ingest changed page hits %d -> %d", before, after)
	}
}

func TestIngestConflictingIdentifierStartsNewContact(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	dev := ids.New()
	for _, email := range []string{"bob@example.com", "carol@example.com"} {
		r := post("/form/submit/ajax", form(url.Values{"mauticform[email]": {email}, "mauticform[mautic_device_id]": {dev}}), formCT)
		if w := p.do(r); w.Code != 200 {
			t.Fatalf("form: %d", w.Code)
		}
	}
	p.flush(t)
	bob, err := p.cs.ByEmail(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	carol, err := p.cs.ByEmail(ctx, "carol@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if bob.ID == carol.ID || bob.ID != VisitorID(dev) {
		t.Fatalf("bob %s carol %s visitor %s", bob.ID, carol.ID, VisitorID(dev))
	}
	var owner string
	p.cs.DB().R.QueryRow("SELECT contact_id FROM tracking_devices WHERE device_id = ?", dev).Scan(&owner)
	if owner != carol.ID {
		t.Fatalf("device belongs to %s, want carol %s", owner, carol.ID)
	}
	_ = http.StatusOK
}

// ingestAll runs g until no hit is left to ingest.
func ingestAll(t *testing.T, g *Ingester) {
	t.Helper()
	for {
		st, err := g.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Hits == 0 {
			return
		}
	}
}
