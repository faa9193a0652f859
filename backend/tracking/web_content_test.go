package tracking

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/dwc"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/focus"
	"magpie/backend/internal/testenv"
	"magpie/backend/pages"
	"magpie/backend/segments"
)

type webFixture struct {
	*pipeline
	web  *Web
	segs *segments.Service
}

func newWebFixture(t testing.TB) *webFixture {
	t.Helper()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	segs := segments.New(d, fs)
	web := &Web{DB: d, Contacts: cs, Pages: pages.New(d), DWC: dwc.New(d, segs, cs), Focus: focus.New(d)}
	fx := newFixture(t, func(c *Config) { c.Web = web })
	return &webFixture{pipeline: &pipeline{fixture: fx, cs: cs, store: &SQLiteStore{DB: d}, ing: &Ingester{Contacts: cs, Batch: 3}},
		web: web, segs: segs}
}

func TestLandingPageServedWithCSPAndCounted(t *testing.T) {
	f := newWebFixture(t)
	ctx := context.Background()
	p, err := f.web.Pages.Save(ctx, pages.Page{Title: "Spring", Alias: "spring", CustomPath: "/offers/spring", Published: true,
		SEOTitle: "Spring sale", HTML: `<h1>Hi {contactfield=firstname|there}</h1><script>alert(1)</script>`})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/p/spring", "/offers/spring?utm_source=ad"} {
		w := f.do(httptest.NewRequest("GET", path, nil))
		if w.Code != 200 {
			t.Fatalf("GET %s = %d %s", path, w.Code, w.Body)
		}
		body := w.Body.String()
		csp := w.Header().Get("Content-Security-Policy")
		if csp != pages.CSP || !strings.Contains(csp, "script-src 'self';") {
			t.Errorf("CSP = %q", csp)
		}
		for _, want := range []string{"<title>Spring sale</title>", "Hi there", `<script src="` + testBase + `/mtc.js" async></script>`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s misses %q", path, want)
			}
		}
		if strings.Contains(body, "alert(1)") {
			t.Errorf("GET %s serves the unsanitised script", path)
		}
	}
	for _, path := range []string{"/p/nope", "/offers", "/unknown/path"} {
		if w := f.do(httptest.NewRequest("GET", path, nil)); w.Code != 404 {
			t.Errorf("GET %s = %d, want 404", path, w.Code)
		}
	}
	hs := f.hits(t)
	if len(hs) != 2 || hs[0].Kind != KindPage || hs[0].Data["page_id"] != p.ID || hs[1].Data["utm_source"] != "ad" {
		t.Fatalf("hits = %+v", hs)
	}
	if err := f.store.StoreHits(ctx, hs); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ing.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := f.web.Pages.List(ctx, false)
	if err != nil || len(list) != 1 || list[0].Hits != 2 || list[0].UniqueHits != 2 || list[0].Conversions != 0 {
		t.Fatalf("counters = %+v, %v", list, err)
	}
	// A visitor who saw the page and submits a form posted from it is a conversion; a form
	// posted from elsewhere is not.
	dev := hs[0].Device
	for _, ref := range []string{testBase + "/p/spring?utm_source=x", "https://www.example.com/contact"} {
		r := post("/form/submit", form(url.Values{"mauticform[email]": {"ann@x.io"}, "mauticform[formId]": {"1"}}),
			"application/x-www-form-urlencoded")
		r.Header.Set("Referer", ref)
		r.AddCookie(&http.Cookie{Name: cookieDevice, Value: dev})
		if w := f.do(r); w.Code >= 400 {
			t.Fatalf("form: %d %s", w.Code, w.Body)
		}
	}
	f.flush(t)
	st, err := f.web.Pages.Stats(ctx, p.ID)
	if err != nil || len(st) != 1 || st[0].Counter.Conversions != 1 || st[0].Rate != 0.5 {
		t.Fatalf("stats after a form on the page = %+v, %v", st, err)
	}
}

func TestDWCAndFocusEndpoints(t *testing.T) {
	f := newWebFixture(t)
	ctx := context.Background()
	ann, err := f.cs.Create(ctx, contacts.Input{Values: map[string]string{"firstname": "Ann", "email": "ann@x.io"}, Tags: []string{"vip"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.web.DWC.Save(ctx, dwc.Slot{Name: "Hero", Slot: "hero", Published: true, DefaultContent: "<p>Hello stranger</p>",
		Variants: []dwc.Variant{{Name: "vip", Content: "<p>Hello {contactfield=firstname}</p>",
			Filters: json.RawMessage(`[{"glue":"and","field":"tags","object":"lead","operator":"in","properties":{"filter":["vip"]}}]`)}}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, signed string) (int, map[string]any) {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Origin", "https://www.example.com")
		if signed != "" {
			r.AddCookie(&http.Cookie{Name: cookieSigned, Value: f.signer.Sign("ct", 0, signed)})
		}
		w := f.do(r)
		var out map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &out)
		if w.Code == 200 && w.Header().Get("Access-Control-Allow-Origin") != "https://www.example.com" {
			t.Errorf("%s: no CORS header", path)
		}
		return w.Code, out
	}
	if code, out := get("/dwc/hero", ann.ID); code != 200 || out["content"] != "<p>Hello Ann</p>" {
		t.Errorf("known visitor: %d %v", code, out)
	}
	if code, out := get("/dwc/hero", ""); code != 200 || out["content"] != "<p>Hello stranger</p>" {
		t.Errorf("unknown visitor: %d %v", code, out)
	}
	if code, _ := get("/dwc/nope", ""); code != 404 {
		t.Errorf("unknown slot: %d", code)
	}
	it, err := f.web.Focus.Save(ctx, focus.Item{Name: "Bar", Style: "bar", Position: "top", Headline: "Join", Published: true,
		URLInclude: "*example.com/shop/*", Frequency: "hour", Trigger: "scroll", TriggerValue: 50})
	if err != nil {
		t.Fatal(err)
	}
	count := func(pageURL, seen string) int {
		code, out := get("/focus?url="+url.QueryEscape(pageURL)+"&seen="+url.QueryEscape(seen), "")
		if code != 200 {
			t.Fatalf("focus: %d", code)
		}
		items, _ := out["items"].([]any)
		return len(items)
	}
	if n := count("https://www.example.com/shop/a", ""); n != 1 {
		t.Errorf("matching URL: %d items", n)
	}
	if n := count("https://www.example.com/blog", ""); n != 0 {
		t.Errorf("other URL: %d items", n)
	}
	now := f.srv.cfg.Now().Unix()
	if n := count("https://www.example.com/shop/a", it.ID+"."+strconv.FormatInt(now-60, 10)+".1.1.0"); n != 0 {
		t.Errorf("shown a minute ago with an hourly cap: %d items", n)
	}
	if code, _ := get("/focus?url=javascript:x", ""); code != 400 {
		t.Errorf("bad url: %d", code)
	}
}

func TestPreferenceCenter(t *testing.T) {
	f := newWebFixture(t)
	ctx := context.Background()
	ann, _ := f.cs.Create(ctx, contacts.Input{Values: map[string]string{"firstname": "Ann", "email": "ann@x.io"}}, "test")
	news, err := f.segs.Save(ctx, segments.Input{Name: "Newsletter"})
	if err != nil {
		t.Fatal(err)
	}
	hidden, _ := f.segs.Save(ctx, segments.Input{Name: "Internal"})
	if err := f.web.Pages.SetPrefVisible(ctx, news.ID, true); err != nil {
		t.Fatal(err)
	}
	unsub := f.links.Unsubscribe("m1", "e1", ann.ID, "ann@x.io")
	path := strings.TrimPrefix(unsub, testBase)
	// No preference page configured: the plain unsubscribe page.
	if w := f.do(httptest.NewRequest("GET", path, nil)); !strings.Contains(w.Body.String(), `id="unsubscribe"`) || strings.Contains(w.Body.String(), "Newsletter") {
		t.Fatalf("plain unsubscribe page expected: %s", w.Body)
	}
	if _, err := f.web.Pages.Save(ctx, pages.Page{Title: "Prefs", Alias: "prefs", PreferenceCenter: true, Published: true,
		HTML: "<h1>Hi {contactfield=firstname}</h1>{preferences}"}); err != nil {
		t.Fatal(err)
	}
	w := f.do(httptest.NewRequest("GET", path, nil))
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "Hi Ann") || !strings.Contains(body, "Newsletter") || strings.Contains(body, "Internal") {
		t.Fatalf("preference center at the unsubscribe link: %d %s", w.Code, body)
	}
	i := strings.Index(body, `action="`+testBase+"/prefs/")
	if i < 0 {
		t.Fatalf("no signed form action: %s", body)
	}
	action := body[i+len(`action="`):]
	action = action[:strings.IndexByte(action, '"')]
	prefsPath := strings.TrimPrefix(action, testBase)
	// Join the visible segment, try the hidden one, turn email off.
	vals := url.Values{"action": {"save"}, "segment": {news.ID, hidden.ID}}
	w = f.do(post(prefsPath, form(vals), "application/x-www-form-urlencoded"))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "preferences are saved") {
		t.Fatalf("save: %d %s", w.Code, w.Body)
	}
	// A forged or tampered token changes nothing.
	if w := f.do(post("/prefs/x"+prefsPath[len("/prefs/"):], form(vals), "application/x-www-form-urlencoded")); w.Code != 403 {
		t.Errorf("tampered token: %d", w.Code)
	}
	f.flush(t)
	segsOf, err := f.segs.ContactSegments(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(segsOf) != 1 || segsOf[0].ID != news.ID {
		t.Errorf("segments after save = %+v, want only Newsletter", segsOf)
	}
	st, _ := f.web.Pages.PrefState(ctx, ann.ID)
	if st.EmailOK {
		t.Error("email was turned off but no DNC is set")
	}
	if evs := f.events(t, ann.ID)[events.PreferencesChanged]; len(evs) != 1 {
		t.Errorf("preferences.changed events = %d", len(evs))
	}
	// Back on: leave the segment, email on.
	f.do(post(prefsPath, form(url.Values{"action": {"save"}, "channel_email": {"1"}}), "application/x-www-form-urlencoded"))
	f.flush(t)
	st, _ = f.web.Pages.PrefState(ctx, ann.ID)
	if !st.EmailOK || st.Segments[0].Member {
		t.Errorf("after second save: %+v", st)
	}
	f.do(post(prefsPath, form(url.Values{"action": {"unsubscribe"}}), "application/x-www-form-urlencoded"))
	f.flush(t)
	if st, _ = f.web.Pages.PrefState(ctx, ann.ID); st.EmailOK {
		t.Error("unsubscribe did not set the email DNC")
	}
}
