package tracking

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/internal/testenv"
)

// TestDecodeData: the flat fast path decodes what encoding/json decodes, and hands
// anything else (escapes, spaces, numbers, nesting, damage) to it.
func TestDecodeData(t *testing.T) {
	for _, tc := range []struct {
		in   string
		fast bool // decoded without encoding/json
	}{
		{`{}`, true},
		{`{"utm_source":"s","utm_medium":"email"}`, true},
		{`{"field.email":"v1@example.com","field.firstname":"Zoë"}`, true},
		{`{"a":"","b":"x:y,z}"}`, true},
		{`{"a":"1","a":"2"}`, true}, // the last one wins, as in encoding/json
		{`{"a":"say \"hi\""}`, false},
		{`{"a":"\u00e9"}`, false},
		{`{ "a": "b" }`, false},
		{`{"a":1}`, false},
		{`{"a":{"b":"c"}}`, false},
		{`{"a":"b"`, false},
		{`{"a":"b"}x`, false},
		{`{"a""b"}`, false},
		{`{"a":"b",}`, false},
		{`[]`, false},
	} {
		var want map[string]string
		_ = json.Unmarshal([]byte(tc.in), &want)
		if got := decodeData(tc.in); !maps.Equal(got, want) {
			t.Errorf("decodeData(%s) = %v, want %v", tc.in, got, want)
		}
		if _, ok := flatStrings(tc.in); ok != tc.fast {
			t.Errorf("flatStrings(%s): fast path %v, want %v", tc.in, ok, tc.fast)
		}
	}
}

// TestLoadHitsRoundTrip: every field of a stored hit comes back as stored — empty and
// multi-byte values, commas and digits included — from the lengths and the concatenation
// hitsSQL reads, through both readers (the transaction's and the prefetch's).
func TestLoadHitsRoundTrip(t *testing.T) {
	d, _ := testenv.NewDB(t)
	ctx := context.Background()
	hits := []Hit{
		{ID: "h1", Kind: KindPage, At: 1, Device: "d1", URL: "https://x.test/é?a=1,2", Title: "Zoë, 12,3", Referrer: "r",
			Lang: "fr", UA: "ua", IP: "10.0.0.1", Data: map[string]string{"utm_source": "s"}},
		{ID: "h2", Kind: KindForm, At: 2, Contact: "c", Email: "e", Send: "s", Form: "f", Bot: true,
			Data: map[string]string{"field.email": "a@b.test", "q": `say "hi"`}},
		{ID: "h3", Kind: KindOpen, At: 3},
	}
	if err := (&SQLiteStore{DB: d}).StoreHits(ctx, hits); err != nil {
		t.Fatal(err)
	}
	var got []storedHit
	if err := d.Write(ctx, func(tx *db.Tx) (err error) {
		got, err = loadHits(tx, 0, 10)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	g := &Ingester{Contacts: contacts.New(d, nil)}
	p := &prefetch{size: 10}
	if err := readHits(ctx, g, p); err != nil {
		t.Fatal(err)
	}
	for _, read := range [][]storedHit{got, p.hits} {
		if len(read) != len(hits) {
			t.Fatalf("%d hits read, want %d", len(read), len(hits))
		}
		for i, h := range read {
			if h.seq != int64(i+1) || !reflect.DeepEqual(h.Hit, hits[i]) {
				t.Errorf("hit %d read as %+v (seq %d), want %+v", i, h.Hit, h.seq, hits[i])
			}
		}
	}
}

func TestCutLen(t *testing.T) {
	for _, tc := range []struct {
		in, rest string
		n        int
		ok       bool
	}{
		{"12,3", "3", 12, true},
		{"0", "", 0, true},
		{"7,", "", 7, true},
		{",1", ",1", 0, false},
		{"1x", "1x", 0, false},
		{"", "", 0, false},
		{"12345678901,1", "12345678901,1", 0, false},
	} {
		n, rest, ok := cutLen(tc.in)
		if n != tc.n || rest != tc.rest || ok != tc.ok {
			t.Errorf("cutLen(%q) = %d, %q, %v; want %d, %q, %v", tc.in, n, rest, ok, tc.n, tc.rest, tc.ok)
		}
	}
}
