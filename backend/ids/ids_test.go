package ids

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// Derived must stay uuid.NewSHA1 over "kind NUL part NUL part…": ids in existing stores and
// on other desktops depend on it.
func TestDerivedMatchesNewSHA1(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		kind  string
		parts []string
	}{
		{"visitor", []string{"0193a3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b"}},
		{"tag", nil},
		{"contact_tag", []string{"c1", "vip"}},
		{"", []string{""}},
		{"dnc", []string{"c1", "email", "é"}},
		{"long", []string{long}},                          // over the stack buffer
		{"edge", []string{strings.Repeat("y", 256-16-5)}}, // exactly 256 bytes
		{"edge2", []string{"a", strings.Repeat("y", 256-16-8)}},
	}
	for _, tc := range tests {
		want := uuid.NewSHA1(namespace, []byte(tc.kind+"\x00"+strings.Join(tc.parts, "\x00"))).String()
		if got := Derived(tc.kind, tc.parts...); got != want {
			t.Errorf("Derived(%q, %q) = %s, want %s", tc.kind, tc.parts, got, want)
		}
	}
}
