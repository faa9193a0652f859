package tracking

import (
	"encoding/json"
	"maps"
	"testing"
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
