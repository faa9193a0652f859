package tracking

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestHitCodecRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		h    Hit
	}{
		{"minimal", Hit{ID: "h1", Kind: KindPage}},
		{"full page hit", Hit{ID: "0193-x", Kind: KindPage, At: 1733400000123, Device: "dev", Contact: "c1", URL: "https://a.example/p?utm_source=x",
			Title: "Café – ünïcode ✓", Referrer: "https://r.example/", Lang: "fr-FR", UA: "Mozilla/5.0", IP: "203.0.113.0", Bot: true,
			Data: map[string]string{"utm_source": "x", "field.email": "a@b.c", "empty": ""}}},
		{"email click", Hit{ID: "h2", Kind: KindClick, At: -5, Email: "e", Send: "s", Form: "f", URL: "https://x.example/"}},
		{"binary-looking text", Hit{ID: "h3", Kind: KindForm, Title: "\x01\x00\xff", Data: map[string]string{"\x00": "\xff"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := encodeHit(&c.h)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeHit(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(got, c.h) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, c.h)
			}
			// Every truncation of a record is refused, never half-read.
			for n := 0; n < len(b); n++ {
				if _, err := decodeHit(b[:n]); err == nil {
					t.Fatalf("decoded a record cut at %d of %d bytes", n, len(b))
				}
			}
		})
	}
}

// The pump decodes each batch into the hits of the previous one: nothing of the hit that
// was there before (fields, data keys) survives in the next.
func TestDecodeOwnedReusesHit(t *testing.T) {
	withData := Hit{ID: "h1", Kind: KindPage, At: 1, Device: "d1", URL: "https://a.example/", Bot: true,
		Data: map[string]string{"utm_source": "x", "resolution": "1x1"}}
	seq := []Hit{
		withData,
		{ID: "h2", Kind: KindPage, At: 2, Data: map[string]string{"utm_medium": "y"}},
		{ID: "h3", Kind: KindClick, At: 3, Email: "e"},
		withData,
	}
	var h Hit
	for i, want := range seq {
		b, _ := encodeHit(&want)
		if err := decodeOwned(&h, b); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		got := h
		if len(got.Data) == 0 {
			got.Data = nil // a reused, empty map stands for no data
		}
		if !reflect.DeepEqual(got, want) || h.DataJSON() != want.DataJSON() {
			t.Fatalf("%d: decoded into a used hit:\n got %+v\nwant %+v", i, h, want)
		}
	}
	if err := decodeOwned(&h, []byte{hitVersion, 2, 'h'}); err == nil {
		t.Fatal("decoded a truncated record")
	}
}

// Spools written before the binary encoding hold JSON records; they still decode.
func TestDecodeHitLegacyJSON(t *testing.T) {
	h := Hit{ID: "h1", Kind: KindOpen, At: 42, Email: "e1", Data: map[string]string{"a": "b"}}
	b, _ := json.Marshal(h)
	got, err := decodeHit(b)
	if err != nil || !reflect.DeepEqual(got, h) {
		t.Fatalf("legacy record: %+v, %v", got, err)
	}
}

func TestDataJSONMatchesEncodingJSON(t *testing.T) {
	for _, d := range []map[string]string{
		nil,
		{"utm_source": "news", "resolution": "1920x1080"},
		{"field.bio": "quote \" backslash \\ <b>&</b> tab\t é \xff"},
		{"b": "2", "a": "1", "c": ""},
		// more keys and bytes than DataJSON's stack buffers hold
		{"k1": "1", "k2": "2", "k3": "3", "k4": "4", "k5": "5", "k6": "6", "k7": "7", "k8": "8", "k9": "9",
			"k10": strings.Repeat("x", 300)},
	} {
		h := Hit{Data: d}
		want := ""
		if len(d) > 0 {
			b, _ := json.Marshal(d)
			want = string(b)
		}
		if got := h.DataJSON(); got != want {
			t.Errorf("DataJSON(%q) = %s, want %s", d, got, want)
		}
	}
}

// The hand-built Set-Cookie lines equal what http.SetCookie writes.
func TestCookieLineMatchesNetHTTP(t *testing.T) {
	for _, c := range []struct {
		name, value      string
		maxAge           int
		httpOnly, secure bool
	}{
		{cookieDevice, "0193a6f0-0000-7000-8000-000000000001", 365 * 24 * 3600, false, false},
		{cookieDevice, "0193a6f0-0000-7000-8000-000000000001", 365 * 24 * 3600, false, true},
		{cookieContact, "0193a6f0-0000-7000-8000-000000000002", 0, false, true},
		{cookieSigned, "AQAB.abc-_", 365 * 24 * 3600, true, false},
		{cookieSigned, "AQAB.abc-_", 365 * 24 * 3600, true, true},
	} {
		same := http.SameSiteLaxMode
		if c.secure {
			same = http.SameSiteNoneMode
		}
		want := (&http.Cookie{Name: c.name, Value: c.value, Path: "/", MaxAge: c.maxAge, HttpOnly: c.httpOnly,
			Secure: c.secure, SameSite: same}).String()
		if got := cookieLine(c.name, c.value, c.maxAge, c.httpOnly, c.secure); got != want {
			t.Errorf("cookieLine = %q, want %q", got, want)
		}
	}
}

func TestParseFormBodyMatchesParseQuery(t *testing.T) {
	for _, body := range []string{
		"", "a=1&b=2", "a=1&a=2", "a", "a=&=b", "&&a=1&&", "page_url=https%3A%2F%2Fx.example%2F%3Fa%3D1&t=a+b",
		"a=%zz", "a=1;b=2", "%41%42=%43", "k=v%", "x=caf%C3%A9",
	} {
		got := map[string]string{}
		err := parseFormBody(body, got)
		vals, werr := url.ParseQuery(body)
		want := map[string]string{}
		for k, v := range vals {
			want[k] = v[0]
		}
		if (err != nil) != (werr != nil) {
			t.Errorf("%q: error %v, url.ParseQuery's %v", body, err, werr)
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %v, want %v", body, got, want)
		}
	}
}
