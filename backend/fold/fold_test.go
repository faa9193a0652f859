package fold

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	scenarios := []struct{ in, want string }{
		{"Élodie", "elodie"},
		{"elodie  ", "elodie"},
		{"FRANÇOIS", "francois"},
		{"Straße", "strasse"},
		{"Œuvre", "oeuvre"},
		{"Łódź", "lodz"},
		{"plain@Example.com", "plain@example.com"},
		{"", ""},
		{"日本", "日本"},
	}
	for _, s := range scenarios {
		t.Run(s.in, func(t *testing.T) {
			if got := String(s.in); got != s.want {
				t.Fatalf("String(%q) = %q, want %q", s.in, got, s.want)
			}
		})
	}
	if !Equal("Élodie", "ELODIE ") {
		t.Fatal("Equal should fold case, accents and trailing blanks")
	}
}

// TestStringRemembered: a remembered folding is the same as a fresh one, for strings that
// fit the memo and for longer ones, the first time and the second.
func TestStringRemembered(t *testing.T) {
	long := strings.Repeat("É", 40) // 80 bytes: not remembered
	for _, in := range []string{"Élodie", "Élodie  ", "Łódź", long, "Straße"} {
		want := slow(strings.TrimRight(in, " "))
		for i := 0; i < 2; i++ {
			if got := String(in); got != want {
				t.Fatalf("String(%q) call %d = %q, want %q", in, i+1, got, want)
			}
		}
	}
	if folded.Has(long) {
		t.Error("a string longer than memoLen was remembered")
	}
}

// BenchmarkStringAccented: accented names folded through the memo, and without it.
func BenchmarkStringAccented(b *testing.B) {
	names := []string{"Élodie", "François", "Jürgen", "Müller", "Nuñez", "Zoë", "Gaëlle", "Sørensen"}
	for _, f := range []struct {
		name string
		fold func(string) string
	}{{"remembered", String}, {"nfd", slow}} {
		b.Run(f.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f.fold(names[i%len(names)])
			}
		})
	}
}
