package events

import (
	"encoding/json"
	"math/rand"
	"testing"
)

func TestMarshalData(t *testing.T) {
	cases := []map[string]any{
		{"ip": "203.0.113.0"},
		{"language": "en", "ip": "203.0.113.0", "msgId": "m-1"},
		{"b": "", "a": "x", "c": "y"},
		{"": "empty key"},
		{"html": "<b>&</b>"},
		{"quote": `say "hi"`, "slash": `a\b`},
		{"ctl": "a\tb\n", "utf": "Zoé", "ls": "a\u2028b"},
		{"bad": "\xff"},
		{"n": 3, "s": "x"},
		{"delta": int64(5), "points": int64(12)},
		{"delta": int64(-1), "points": int64(-9223372036854775808), "group": "", "groupName": "Leads"},
		{"delta": -7, "score": 0, "big": int64(9223372036854775807)},
		{"f": 1.5},
		{"u": uint8(3)},
		{"b": true},
		{"nil": nil},
		{"values": map[string]string{"email": "a@example.com"}},
		{"1": "a", "2": "b", "3": "c", "4": "d", "5": "e", "6": "f", "7": "g", "8": "h"},
		{"1": "a", "2": "b", "3": "c", "4": "d", "5": "e", "6": "f", "7": "g", "8": "h", "9": "i"},
		{"Z": "upper", "a": "lower", "_": "under"},
	}
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte("abcXYZ019 -_.:/?=<>&\"\\\t\x7f")
	for i := 0; i < 500; i++ {
		m := map[string]any{}
		lim := len(alphabet) - 7 // plain bytes only; a quarter of the cases any byte
		if rng.Intn(4) == 0 {
			lim = len(alphabet)
		}
		for k := rng.Intn(6); k >= 0; k-- {
			key := make([]byte, rng.Intn(4))
			val := make([]byte, rng.Intn(12))
			for j := range key {
				key[j] = alphabet[rng.Intn(lim)]
			}
			for j := range val {
				val[j] = alphabet[rng.Intn(lim)]
			}
			if rng.Intn(3) == 0 {
				m[string(key)] = rng.Int63n(1<<40) - 1<<39
				continue
			}
			m[string(key)] = string(val)
		}
		cases = append(cases, m)
	}
	fast := 0
	for i, m := range cases {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := marshalData(m)
		if err != nil || got != string(want) {
			t.Fatalf("case %d %v: %q (%v), want %q", i, m, got, err, want)
		}
		if _, ok := plainData(m); ok {
			fast++
		}
	}
	if fast < len(cases)/4 {
		t.Fatalf("only %d of %d cases took the direct path", fast, len(cases))
	}
	t.Logf("%d of %d written directly", fast, len(cases))
}
