package fold

import "testing"

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
