package tracking

import (
	"bufio"
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEventEndpoint: whatever the body, /mtc/event answers 200 or a 4xx, never 5xx, and a
// stored hit always has an absolute http(s) page URL without control characters.
func FuzzEventEndpoint(f *testing.F) {
	for _, s := range []string{
		"page_url=https://a.b/&page_title=x", `{"page_url":"https://a.b/","email":"a@b.c"}`,
		"page_url=javascript:alert(1)", "page_url=https://a.b/%0d%0aX:1", "%%%", `{"page_url":`, "",
		"page_url=https://a.b/?utm_source=" + strings.Repeat("x", 300), "tags=a,-b&page_url=http://x.y/",
	} {
		f.Add(s, s[:min(len(s), 1)] == "{")
	}
	fx := newFixture(f, nil)
	f.Fuzz(func(t *testing.T, body string, asJSON bool) {
		ct := formCT
		if asJSON {
			ct = "application/json"
		}
		w := fx.do(post("/mtc/event", strings.NewReader(body), ct))
		if w.Code >= 500 {
			t.Fatalf("status %d for %q", w.Code, body)
		}
		for _, h := range fx.hits(t) {
			if _, err := checkURL("page_url", h.URL); err != nil {
				t.Fatalf("stored a hit with page URL %q: %v", h.URL, err)
			}
			if hasControl(h.Title) || hasControl(h.Referrer) {
				t.Fatalf("stored control characters: %+v", h)
			}
		}
	})
}

// FuzzTokenPaths: random tokens on every signed path are refused (4xx), never accepted,
// never a redirect.
func FuzzTokenPaths(f *testing.F) {
	f.Add("AQA.AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("notatoken")
	f.Add(strings.Repeat("A", 9000))
	fx := newFixture(f, nil)
	f.Fuzz(func(t *testing.T, tok string) {
		if strings.ContainsAny(tok, "/?#% \x00") || !utf8.ValidString(tok) || tok == "" {
			return
		}
		for _, p := range []string{"/r/", "/e/o/", "/e/u/"} {
			w := fx.do(httptest.NewRequest("GET", p+tok, nil))
			if w.Code < 400 || w.Code >= 500 || w.Header().Get("Location") != "" {
				t.Fatalf("%s%q: status %d location %q", p, tok, w.Code, w.Header().Get("Location"))
			}
		}
		if hs := fx.hits(t); len(hs) != 0 {
			t.Fatalf("forged token stored %d hits", len(hs))
		}
	})
}

// FuzzSpoolRecord: the record reader never panics or over-allocates on damaged segments.
func FuzzSpoolRecord(f *testing.F) {
	f.Add([]byte{5, 0, 0, 0, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bufio.NewReader(bytes.NewReader(b))
		for {
			n, p, err := readRecord(r)
			if err != nil {
				return
			}
			if n != len(p)+recHeader {
				t.Fatalf("consumed %d for a %d-byte payload", n, len(p))
			}
		}
	})
}

// FuzzDecodeHit: spooled payloads that do not decode are reported, never stored half-read.
func FuzzDecodeHit(f *testing.F) {
	f.Add([]byte(`{"id":"x","k":"page","at":1}`))
	f.Add([]byte(`{"id":"","k":"page"}`))
	f.Add([]byte(`[`))
	bin, _ := encodeHit(&Hit{ID: "x", Kind: KindPage, At: 1, URL: "https://a.example/", Data: map[string]string{"k": "v"}})
	f.Add(bin)
	f.Add(bin[:len(bin)-3])
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := decodeHit(b)
		if err == nil && (h.ID == "" || h.Kind == "") {
			t.Fatalf("decoded a hit without id or kind: %+v", h)
		}
	})
}
