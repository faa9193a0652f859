package ids

import (
	"crypto/sha1"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestDerivedNear(t *testing.T) {
	a := "01890a5d-ac96-774b-bcce-b302099a8057"
	b := "01890a5d-ac97-7000-8000-000000000001"
	tests := []struct {
		name          string
		anchor, kind  string
		parts         []string
		wantPrefix    string // first 48 bits (13 text chars with the dash)
		wantDerivedID bool
	}{
		{"contact tag", a, "contact_tag", []string{a, "t1"}, "01890a5d-ac96", false},
		{"other anchor", b, "contact_tag", []string{b, "t1"}, "01890a5d-ac97", false},
		{"not a uuid", "c1", "contact_tag", []string{"c1", "t1"}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := DerivedNear(tc.anchor, tc.kind, tc.parts...)
			if id != DerivedNear(tc.anchor, tc.kind, tc.parts...) {
				t.Fatal("not deterministic")
			}
			if tc.wantDerivedID {
				if id != Derived(tc.kind, tc.parts...) {
					t.Fatalf("got %s, want Derived", id)
				}
				return
			}
			if !strings.HasPrefix(id, tc.wantPrefix) {
				t.Fatalf("%s does not start with the anchor's timestamp %s", id, tc.wantPrefix)
			}
			u, err := uuid.Parse(id)
			if err != nil || u.Version() != 8 || u.Variant() != uuid.RFC4122 {
				t.Fatalf("%s: version %d variant %v err %v", id, u.Version(), u.Variant(), err)
			}
			if !Valid(id) || id == Derived(tc.kind, tc.parts...) {
				t.Fatalf("%s: invalid or equal to the old-style id", id)
			}
		})
	}
	if DerivedNear(a, "contact_tag", a, "t1") == DerivedNear(a, "contact_tag", a, "t2") {
		t.Fatal("different keys gave one id")
	}
	if DerivedNear(a, "contact_tag", a, "t1") == DerivedNear(a, "company_contact", a, "t1") {
		t.Fatal("different kinds gave one id")
	}
}

// The ids of rows of contacts made in time order sort in that order.
func TestDerivedNearSortsByAnchor(t *testing.T) {
	var anchors, near []string
	for i := 0; i < 200; i++ {
		u, _ := uuid.NewV7()
		u[5] = byte(i) // distinct milliseconds in order
		u[4] = byte(i >> 8)
		anchors = append(anchors, u.String())
	}
	sort.Strings(anchors)
	for _, a := range anchors {
		near = append(near, DerivedNear(a, "contact_tag", a, "tag"))
	}
	if !sort.StringsAreSorted(near) {
		t.Fatal("ids of later anchors do not sort later")
	}
}

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

// DerivedNear's ids never change (every desktop and tracker must agree with the stores
// already written): the hashed text is namespace, "near" NUL, the anchor's 16 bytes, then
// kind NUL and the parts joined by NUL — whatever the length of the key.
func TestDerivedNearFormat(t *testing.T) {
	a := "01890a5d-ac96-774b-bcce-b302099a8057"
	long := strings.Repeat("x", 300)
	tests := []struct {
		kind  string
		parts []string
	}{
		{"visitor", []string{a}},
		{"visitor", []string{a, "01890a5d-ac97-7000-8000-000000000001"}},
		{"contact_tag", nil},
		{"contact_tag", []string{""}},
		{"k", []string{long, long}},
	}
	for _, tc := range tests {
		au := uuid.MustParse(a)
		h := sha1.New()
		h.Write(namespace[:])
		h.Write([]byte("near\x00"))
		h.Write(au[:])
		h.Write([]byte(tc.kind + "\x00" + strings.Join(tc.parts, "\x00")))
		var u uuid.UUID
		copy(u[:], h.Sum(nil))
		copy(u[:6], au[:6])
		u[6] = (u[6] & 0x0f) | 0x80
		u[8] = (u[8] & 0x3f) | 0x80
		if got := DerivedNear(a, tc.kind, tc.parts...); got != u.String() {
			t.Errorf("DerivedNear(%q, %d parts) = %s, want %s", tc.kind, len(tc.parts), got, u)
		}
	}
	if got, want := DerivedNear(a, "visitor", a), "01890a5d-ac96-8"; !strings.HasPrefix(got, want) {
		t.Errorf("visitor id %s does not start with %s", got, want)
	}
}

func BenchmarkDerivedNear(b *testing.B) {
	a, tag := New(), New()
	for i := 0; i < b.N; i++ {
		DerivedNear(a, "contact_tag", a, tag)
	}
}
