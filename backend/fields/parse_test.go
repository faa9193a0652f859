package fields

import (
	"math/rand/v2"
	"net/mail"
	"testing"
	"time"
)

// The fast paths of Parse answer exactly as the general ones they skip.

func TestDotAtomAddressAgreesWithParser(t *testing.T) {
	cases := []string{
		"a@b.co", "Jean.Dupont42@Example.COM", "x_y%z+tag@sub-domain.example.org", "-a-@-b-.c",
		"a..b@c.d", ".a@b.c", "a.@b.c", "a@.b.c", "a@b..c", "a@b.c.", "@b.c", "a@", "a@@b.c",
		"a b@c.d", "é@c.d", "a@é.fr", "\"quoted\"@c.d", "a!b@c.d", "a@[1.2.3.4]", "a@b", "ab",
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ09.-_%+@!é \""
	for i := 0; i < 20000; i++ {
		b := make([]byte, 1+rnd.IntN(12))
		for j := range b {
			b[j] = alphabet[rnd.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if !dotAtomAddress(s) {
			continue
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s {
			t.Fatalf("dotAtomAddress(%q) = true, but mail.ParseAddress gives %v, %v", s, a, err)
		}
	}
	for _, s := range []string{"a@b.co", "Jean.Dupont42@Example.COM", "x_y%z+tag@sub-domain.example.org"} {
		if !dotAtomAddress(s) {
			t.Errorf("dotAtomAddress(%q) = false, want the fast path", s)
		}
	}
}

func TestPlainISOAgreesWithLayouts(t *testing.T) {
	cases := []string{
		"2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "0000-01-01", "9999-12-31",
		"2024-01-02 03:04:05", "2024-01-02T23:59:59", "2024-01-02 24:00:00", "2024-01-02 12:60:00",
		"2024-01-02 12:00:60", "2024-01-02x12:00:00", "2024-1-02", "2024/01/02", "+024-01-02", "2024-01-0a",
		"2024-01-02 12:00", "2024-01-02T12:00:00Z",
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		tm := time.Date(1900+rnd.IntN(200), time.Month(1+rnd.IntN(12)), 1+rnd.IntN(31), rnd.IntN(25), rnd.IntN(61), rnd.IntN(61), 0, time.UTC)
		cases = append(cases, tm.Format("2006-01-02"), tm.Format("2006-01-02 15:04:05"), tm.Format("2006-01-02T15:04:05"))
	}
	for _, s := range cases {
		var want time.Time
		ok := false
		for _, l := range isoLayouts {
			if tm, err := time.Parse(l, s); err == nil {
				want, ok = tm, true
				break
			}
		}
		got, fast := plainISO(s)
		if fast && (!ok || !got.Equal(want)) {
			t.Fatalf("plainISO(%q) = %v; the layouts give %v, %v", s, got, want, ok)
		}
		if ok && !fast && (len(s) == 10 || len(s) == 19) && s[len(s)-1] != 'Z' {
			t.Errorf("plainISO(%q) left a plain date to the layouts", s)
		}
	}
}

func TestParseSimpleValues(t *testing.T) {
	for _, c := range []struct {
		f    Field
		raw  string
		want any
	}{
		{Field{Alias: "d", Type: Date}, "2024-02-29", "2024-02-29"},
		{Field{Alias: "d", Type: Date}, "2024-02-29 10:11:12", "2024-02-29"},
		{Field{Alias: "d", Type: Date}, "29/02/2024", "2024-02-29"},
		{Field{Alias: "d", Type: Date}, "2023-02-29", nil},
		{Field{Alias: "t", Type: Datetime}, "2024-02-29T10:11:12", "2024-02-29 10:11:12"},
		{Field{Alias: "t", Type: Datetime}, "2024-02-29 10:11:12", "2024-02-29 10:11:12"},
		{Field{Alias: "t", Type: Datetime}, "2024-02-29 25:11:12", nil},
		{Field{Alias: "n", Type: Number}, "1 234,5", 1234.5},
		{Field{Alias: "n", Type: Number}, "1,234.5", 1234.5},
		{Field{Alias: "n", Type: Number}, "42", 42.0},
		{Field{Alias: "e", Type: Email}, "Jean.Dupont@Example.com", "Jean.Dupont@Example.com"},
		{Field{Alias: "e", Type: Email}, "a..b@example.com", nil},
		{Field{Alias: "e", Type: Email}, "jean@localhost", nil},
		{Field{Alias: "l", Type: Locale}, "fr-fr", "fr_FR"},
		{Field{Alias: "l", Type: Locale}, "fr-fr", "fr_FR"}, // from the cache
		{Field{Alias: "l", Type: Locale}, "de", "de"},
		{Field{Alias: "l", Type: Locale}, "not a locale", nil},
		{Field{Alias: "s", Type: Select, Options: []Option{{Value: "pro", Label: "Pro"}, {Value: "free", Label: "Free"}}}, "FREE", "free"},
		{Field{Alias: "s", Type: Select, Options: []Option{{Value: "pro", Label: "Pro"}, {Value: "free", Label: "Free"}}}, "free", "free"},
	} {
		got, err := c.f.Parse(c.raw, ParseOptions{})
		if c.want == nil {
			if err == nil {
				t.Errorf("%s %q: %v, want an error", c.f.Type, c.raw, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s %q: %v (%v), want %v", c.f.Type, c.raw, got, err, c.want)
		}
	}
}
