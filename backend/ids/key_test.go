package ids

import (
	"slices"
	"testing"
)

func TestKeyOf(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", true},
		{"ffffffff-ffff-ffff-ffff-ffffffffffff", true},
		{"0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B", false}, // another row than its lowercase form
		{"0190a1b2c3d47e5f8a9b0c1d2e3f4a5b", false},
		{"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5", false},
		{"0190a1b2-c3d4-7e5f-8a9b_0c1d2e3f4a5b", false},
		{"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g", false},
		{"dev-1", false},
		{"", false},
	} {
		k, ok := KeyOf(c.in)
		if ok != c.ok {
			t.Fatalf("KeyOf(%q) ok = %v, want %v", c.in, ok, c.ok)
		}
		if ok && k.String() != c.in {
			t.Fatalf("KeyOf(%q).String() = %q", c.in, k.String())
		}
	}
}

func TestMap(t *testing.T) {
	u1, u2 := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", New()
	var m Map[int64]
	if _, ok := m.Get(u1); ok || m.Len() != 0 {
		t.Fatal("the zero Map is not empty")
	}
	m.Set(u1, 1)
	m.Set("c1", 2)
	m.Set(u2, 3)
	m.Set(u1, 4)
	if v, ok := m.Get(u1); !ok || v != 4 {
		t.Fatalf("Get(%s) = %d, %v", u1, v, ok)
	}
	if v, ok := m.Get("c1"); !ok || v != 2 {
		t.Fatalf("Get(c1) = %d, %v", v, ok)
	}
	if _, ok := m.Get("0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B"); ok {
		t.Fatal("an uppercase id found its lowercase twin")
	}
	m.Delete(u2)
	var got []string
	m.All(func(id string, v int64) { got = append(got, id) })
	slices.Sort(got)
	if want := []string{u1, "c1"}; !slices.Equal(got, want) || m.Len() != 2 {
		t.Fatalf("All = %v (Len %d), want %v", got, m.Len(), want)
	}
	m.Clear()
	if m.Len() != 0 {
		t.Fatal("Clear left ids")
	}
}
