package teamsync

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

// encodeCols writes exactly what json.Marshal of the encoded values writes, for every
// value shape, and rejects what cannot sync.
func TestEncodeColsMatchesJSON(t *testing.T) {
	values := []any{nil, "", "plain", "Zoé Müller", "a\"b", `back\slash`, "tab\there", "<b>&</b>", "del\x7f",
		"line\u2028sep", "bad\xffutf8", "日本語", int64(0), int64(-42), int64(math.MaxInt64), 7, true, false,
		3.25, 1e21, float32(0.5), []byte{0, 1, 2}, time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC), uint64(9)}
	for _, v := range values {
		cols := map[string]any{"b": v, "a": "x", "z<": int64(1)}
		got, err := encodeCols(cols)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		m := map[string]any{}
		for k, x := range cols {
			e, err := encodeValue(x)
			if err != nil {
				t.Fatal(err)
			}
			m[k] = e
		}
		want, _ := json.Marshal(m)
		if got != string(want) {
			t.Errorf("%#v:\n got %s\nwant %s", v, got, want)
		}
		back, err := decodeCols(got)
		if err != nil || len(back) != 3 {
			t.Errorf("%#v: decode %v %v", v, back, err)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), uint64(math.MaxUint64), struct{}{}} {
		if _, err := encodeCols(map[string]any{"c": bad}); err == nil {
			t.Errorf("%#v: no error", bad)
		}
	}
}

// decodeStateObject (the bootstrap's fast path) decodes exactly what decodeCols decodes.
func TestDecodeStateObjectMatchesDecodeCols(t *testing.T) {
	for _, s := range []string{
		`{}`, `{"a":"x"}`, `{"a":"x","b":12,"c":null,"d":-3}`, `{"big":9223372036854775807,"f":1.5,"e":1e3}`,
		`{"q":"say \"hi\"\\ \u00e9","n":"line\nbreak"}`, `{"blob":{"$b":"AAE="},"a":"x"}`, `{"k\"ey":1}`,
		`{"u":"Zoë 日本","neg":-42,"huge":12345678901234567890,"z":0,"t":true}`, `{"e":"","sp":" a b "}`,
		`{"a":"x",}`, `{"a":}`, `{"a":"unterminated}`, `{"a":tru}`, `not json`, `{"a":"x"}trailing`,
	} {
		got, err := decodeStateObject(s)
		want, werr := decodeCols(s)
		if (err != nil) != (werr != nil) {
			t.Errorf("%s: error %v, decodeCols' %v", s, err, werr)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %#v, want %#v", s, got, want)
		}
	}
}
