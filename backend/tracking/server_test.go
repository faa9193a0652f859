package tracking

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"magpie/backend/ids"
	"magpie/backend/signing"
)

const testBase = "https://t.example.com"

type fixture struct {
	srv    *Server
	spool  *Spool
	signer *signing.Signer
	links  Links
}

func newFixture(t testing.TB, mut func(*Config)) *fixture {
	t.Helper()
	sp, err := OpenSpool(t.TempDir(), SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	sg, _ := signing.New([]byte(strings.Repeat("k", 32)))
	cfg := Config{PublicURL: testBase, Signer: sg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if mut != nil {
		mut(&cfg)
	}
	s, err := NewServer(cfg, sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: s, spool: sp, signer: sg, links: Links{Base: testBase, Signer: sg}}
}

// hits returns what was spooled so far (and consumes it).
func (f *fixture) hits(t testing.TB) []Hit {
	t.Helper()
	var out []Hit
	for _, r := range readAll(t, f.spool) {
		h, err := decodeHit(r.Data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	return out
}

func (f *fixture) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	if r.RemoteAddr == "" || r.RemoteAddr == "192.0.2.1:1234" {
		r.RemoteAddr = "203.0.113.7:5555"
	}
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	}
	serveTest(f.srv, w, r)
	return w
}

func form(vals url.Values) io.Reader { return strings.NewReader(vals.Encode()) }

func post(path string, body io.Reader, ct string) *http.Request {
	r := httptest.NewRequest("POST", path, body)
	r.Header.Set("Content-Type", ct)
	return r
}

const formCT = "application/x-www-form-urlencoded"

func TestPageHitRecorded(t *testing.T) {
	f := newFixture(t, nil)
	r := post("/mtc/event", form(url.Values{"page_url": {"https://shop.example.com/p?utm_source=news&utm_campaign=spring"},
		"page_title": {"Shoes"}, "page_referrer": {"https://google.com/"}, "email": {"ann@example.com"}, "tags": {"a,-b"}}), formCT)
	r.Header.Set("Origin", "https://shop.example.com")
	w := f.do(r)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var res map[string]any
	json.Unmarshal(w.Body.Bytes(), &res)
	dev, _ := res["device_id"].(string)
	if !ids.Valid(dev) || res["id"] != VisitorID(dev) {
		t.Fatalf("answer %v: want a device id and the derived visitor id", res)
	}
	if w.Header().Get("Access-Control-Allow-Origin") != "https://shop.example.com" {
		t.Fatalf("CORS origin header = %q", w.Header().Get("Access-Control-Allow-Origin"))
	}
	hs := f.hits(t)
	if len(hs) != 1 {
		t.Fatalf("%d hits spooled, want 1", len(hs))
	}
	h := hs[0]
	if h.Kind != KindPage || h.Title != "Shoes" || h.Referrer != "https://google.com/" || h.Device != dev {
		t.Fatalf("hit = %+v", h)
	}
	if h.Data["utm_source"] != "news" || h.Data["utm_campaign"] != "spring" || h.Data["field.email"] != "ann@example.com" || h.Data["tags"] != "a,-b" {
		t.Fatalf("hit data = %v", h.Data)
	}
	if h.IP != "203.0.113.0" {
		t.Fatalf("ip = %q, want truncated 203.0.113.0", h.IP)
	}
}

func TestBadRequestsRefused(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.AllowedOrigins = []string{"https://shop.example.com"} })
	ok := url.Values{"page_url": {"https://shop.example.com/"}}
	withOrigin := func(r *http.Request, o string) *http.Request { r.Header.Set("Origin", o); return r }
	sgOther, _ := signing.New([]byte(strings.Repeat("z", 32)))
	contact := ids.New()
	forged := Links{Base: testBase, Signer: sgOther}
	click := f.links.Click("m1", "e1", contact, "https://shop.example.com/x")
	tok := strings.TrimPrefix(click, testBase+"/r/")
	tampered := tok[:len(tok)-3] + "AAA"
	tests := []struct {
		name string
		req  *http.Request
		want int
	}{
		{"oversized body", post("/mtc/event", strings.NewReader("page_url=https://a.b/&x="+strings.Repeat("a", 70<<10)), formCT), 413},
		{"malformed JSON", post("/mtc/event", strings.NewReader(`{"page_url":`), "application/json"), 400},
		{"nested JSON", post("/mtc/event", strings.NewReader(`{"page_url":"https://a.b/","x":{"y":1}}`), "application/json"), 400},
		{"no page url", post("/mtc/event", form(url.Values{"page_title": {"x"}}), formCT), 400},
		{"javascript url", post("/mtc/event", form(url.Values{"page_url": {"javascript:alert(1)"}}), formCT), 400},
		{"control chars in url", post("/mtc/event", form(url.Values{"page_url": {"https://a.b/\r\nSet-Cookie: x"}}), formCT), 400},
		{"control chars in title", post("/mtc/event", form(url.Values{"page_url": {"https://a.b/"}, "page_title": {"a\x00b"}}), formCT), 400},
		{"huge value", post("/mtc/event", form(url.Values{"page_url": {"https://a.b/"}, "firstname": {strings.Repeat("a", 5000)}}), formCT), 400},
		{"bad field name", post("/mtc/event", form(url.Values{"page_url": {"https://a.b/"}, "Bad Name!": {"x"}}), formCT), 400},
		{"unlisted origin", withOrigin(post("/mtc/event", form(ok), formCT), "https://evil.example.net"), 403},
		{"unlisted origin preflight", withOrigin(httptest.NewRequest("OPTIONS", "/mtc/event", nil), "https://evil.example.net"), 403},
		{"huge query string", httptest.NewRequest("GET", "/mtracking.gif?page_url=https://a.b/&x="+strings.Repeat("a", 9000), nil), 414},
		{"gif bad base64", httptest.NewRequest("GET", "/mtracking.gif?d=%%%", nil), 400},
		{"forged click", httptest.NewRequest("GET", strings.TrimPrefix(forged.Click("m1", "e1", contact, "https://evil.example.net/"), testBase), nil), 403},
		{"tampered click", httptest.NewRequest("GET", "/r/"+tampered, nil), 403},
		{"garbage click", httptest.NewRequest("GET", "/r/notatoken", nil), 400},
		{"open token used as click", httptest.NewRequest("GET", "/r/"+strings.TrimSuffix(strings.TrimPrefix(f.links.Open("m", "e", contact), testBase+"/e/o/"), ".gif"), nil), 403},
		{"forged open", httptest.NewRequest("GET", strings.TrimPrefix(forged.Open("m", "e", contact), testBase), nil), 403},
		{"forged unsubscribe", post(strings.TrimPrefix(forged.Unsubscribe("m", "e", contact, "a@b.c"), testBase), strings.NewReader("List-Unsubscribe=One-Click"), formCT), 403},
		{"unsubscribe without action", post(strings.TrimPrefix(f.links.Unsubscribe("m", "e", contact, "a@b.c"), testBase), strings.NewReader("x=y"), formCT), 400},
		{"click with non-http destination", httptest.NewRequest("GET", strings.TrimPrefix(f.links.Click("m", "e", contact, "javascript:alert(1)"), testBase), nil), 400},
		{"form without fields", post("/form/submit", form(url.Values{"mauticform[formId]": {"1"}}), formCT), 400},
		{"form bad field", post("/form/submit", form(url.Values{"mauticform[a b]": {"1"}}), formCT), 400},
		{"form oversized", post("/form/submit", form(url.Values{"mauticform[email]": {strings.Repeat("a", 300<<10)}}), formCT), 413},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(tc.req)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.want, strings.TrimSpace(w.Body.String()))
			}
			if loc := w.Header().Get("Location"); loc != "" {
				t.Fatalf("refused request redirected to %q", loc)
			}
		})
	}
	if hs := f.hits(t); len(hs) != 0 {
		t.Fatalf("refused requests stored %d hits: %+v", len(hs), hs[0])
	}
	if f.srv.Metrics().Rejected.Load() < int64(len(tests)) {
		t.Fatalf("rejected counter = %d, want >= %d", f.srv.Metrics().Rejected.Load(), len(tests))
	}
}

func TestEmailLinks(t *testing.T) {
	f := newFixture(t, nil)
	contact := ids.New()
	dest := "https://shop.example.com/offer?id=7"
	// Click: redirects exactly to the signed destination and identifies the contact.
	w := f.do(httptest.NewRequest("GET", strings.TrimPrefix(f.links.Click("msg1", "em1", contact, dest), testBase), nil))
	if w.Code != http.StatusFound || w.Header().Get("Location") != dest {
		t.Fatalf("click: %d to %q", w.Code, w.Header().Get("Location"))
	}
	var signed string
	for _, c := range w.Result().Cookies() {
		if c.Name == cookieSigned {
			signed = c.Value
		}
	}
	if signed == "" {
		t.Fatal("click set no signed contact cookie")
	}
	// A later page view with that cookie carries the contact.
	r := post("/mtc/event", form(url.Values{"page_url": {"https://shop.example.com/"}}), formCT)
	r.AddCookie(&http.Cookie{Name: cookieSigned, Value: signed})
	r.AddCookie(&http.Cookie{Name: cookieContact, Value: ids.New()}) // a forged mtc_id is ignored
	if w := f.do(r); w.Code != 200 {
		t.Fatalf("page: %d", w.Code)
	}
	// Open pixel, at both paths.
	open := strings.TrimPrefix(f.links.Open("msg1", "em1", contact), testBase)
	for _, p := range []string{open, strings.Replace(open, "/e/o/", "/email/", 1)} {
		w = f.do(httptest.NewRequest("GET", p, nil))
		if w.Code != 200 || w.Header().Get("Content-Type") != "image/gif" {
			t.Fatalf("open %s: %d %s", p, w.Code, w.Header().Get("Content-Type"))
		}
	}
	// Unsubscribe: GET shows a page and records nothing; one-click POST records.
	unsub := strings.TrimPrefix(f.links.Unsubscribe("msg1", "em1", contact, "ann@example.com"), testBase)
	w = f.do(httptest.NewRequest("GET", unsub, nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `id="unsubscribe"`) {
		t.Fatalf("unsubscribe page: %d %s", w.Code, w.Body)
	}
	w = f.do(post(unsub, strings.NewReader("List-Unsubscribe=One-Click"), formCT))
	if w.Code != 200 {
		t.Fatalf("one-click: %d", w.Code)
	}
	w = f.do(post(unsub, strings.NewReader("action=resubscribe"), formCT))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "again") {
		t.Fatalf("resubscribe: %d %s", w.Code, w.Body)
	}
	hs := f.hits(t)
	kinds := []Kind{}
	for _, h := range hs {
		kinds = append(kinds, h.Kind)
		if h.Contact != contact {
			t.Fatalf("%s hit has contact %q, want %q", h.Kind, h.Contact, contact)
		}
	}
	want := []Kind{KindClick, KindPage, KindOpen, KindOpen, KindUnsub, KindResub}
	if len(kinds) != len(want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("kinds %v, want %v", kinds, want)
		}
	}
	if hs[0].URL != dest || hs[0].Send != "msg1" || hs[0].Email != "em1" {
		t.Fatalf("click hit %+v", hs[0])
	}
}

func TestFormReturnNoOpenRedirect(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.AllowedOrigins = []string{"https://shop.example.com"} })
	tests := []struct {
		ret, want string
	}{
		{"https://shop.example.com/thanks", "https://shop.example.com/thanks"},
		{"https://t.example.com/ok", "https://t.example.com/ok"},
		{"https://evil.example.net/phish", ""},
		{"//evil.example.net/", ""},
		{"javascript:alert(1)", ""},
	}
	for _, tc := range tests {
		r := post("/form/submit", form(url.Values{"mauticform[email]": {"a@b.c"}, "mauticform[return]": {tc.ret}}), formCT)
		w := f.do(r)
		if got := w.Header().Get("Location"); got != tc.want {
			t.Errorf("return %q: redirected to %q, want %q (status %d)", tc.ret, got, tc.want, w.Code)
		}
	}
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.RatePerIP, c.Burst = 1, 5 })
	var limited int
	for i := 0; i < 20; i++ {
		w := f.do(httptest.NewRequest("GET", "/mtracking.gif?page_url=https://a.b/", nil))
		if w.Code == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 10 {
		t.Fatalf("%d of 20 rapid requests limited, want >= 10", limited)
	}
	// Another IP is not affected.
	r := httptest.NewRequest("GET", "/mtracking.gif?page_url=https://a.b/", nil)
	r.RemoteAddr = "198.51.100.9:1"
	if w := f.do(r); w.Code != 200 {
		t.Fatalf("other IP: %d", w.Code)
	}
}

func TestGIFFallbackAndMtcJS(t *testing.T) {
	f := newFixture(t, nil)
	d := base64.StdEncoding.EncodeToString([]byte(url.Values{"page_url": {"https://a.b/x?utm_medium=email"}, "page_title": {"T"}}.Encode()))
	w := f.do(httptest.NewRequest("GET", "/mtracking.gif?d="+url.QueryEscape(d), nil))
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/gif" {
		t.Fatalf("gif: %d", w.Code)
	}
	hs := f.hits(t)
	if len(hs) != 1 || hs[0].URL != "https://a.b/x?utm_medium=email" || hs[0].Data["utm_medium"] != "email" {
		t.Fatalf("gif hits %+v", hs)
	}
	w = f.do(httptest.NewRequest("GET", "/mtc.js", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `var base = "https://t.example.com";`) {
		t.Fatalf("mtc.js: %d %.200s", w.Code, w.Body)
	}
	if !strings.Contains(Snippet("https://t.example.com/"), "'https://t.example.com/mtc.js'") {
		t.Fatalf("snippet: %s", Snippet("https://t.example.com/"))
	}
}

func TestBotFlagged(t *testing.T) {
	f := newFixture(t, nil)
	r := httptest.NewRequest("GET", "/mtracking.gif?page_url=https://a.b/", nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
	f.do(r)
	hs := f.hits(t)
	if len(hs) != 1 || !hs[0].Bot {
		t.Fatalf("bot hit %+v", hs)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	f := newFixture(t, nil)
	f.do(httptest.NewRequest("GET", "/mtracking.gif?page_url=https://a.b/", nil))
	w := f.do(httptest.NewRequest("GET", "/health", nil))
	var h struct {
		Status  string
		Metrics Snapshot
	}
	json.Unmarshal(w.Body.Bytes(), &h)
	if h.Status != "ok" || h.Metrics.Accepted != 1 || h.Metrics.Pending != 1 {
		t.Fatalf("health %s", w.Body)
	}
	w = f.do(httptest.NewRequest("GET", "/metrics", nil))
	for _, s := range []string{"magpie_tracker_hits_accepted_total 1", "magpie_tracker_request_seconds_count 1"} {
		if !strings.Contains(w.Body.String(), s) {
			t.Fatalf("metrics lack %q:\n%s", s, w.Body)
		}
	}
}

func TestServeShutdown(t *testing.T) {
	f := newFixture(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := listenLoopback()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(ctx, ln) }()
	res, err := http.Get("http://" + ln.Addr().String() + "/health")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("health over TCP: %v %v", err, res)
	}
	res.Body.Close()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop")
	}
}

func listenLoopback() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
