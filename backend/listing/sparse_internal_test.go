package listing

import "testing"

// A jump to any offset starts from a sparse anchor fewer than step entries before it.
func TestSparseNearestWithinStep(t *testing.T) {
	for _, tc := range []struct{ n, step int }{{1000, 37}, {999, 100}, {100, 100}, {10, 100}, {1_000_000, DefaultStep}} {
		x := &sparseIdx{n: tc.n}
		for p := tc.step - 1; p < tc.n; p += tc.step {
			x.asc = append(x.asc, anchor{off: p})
		}
		for i := len(x.asc) - 1; i >= 0; i-- {
			x.desc = append(x.desc, anchor{off: tc.n - 1 - x.asc[i].off})
		}
		for _, desc := range []bool{false, true} {
			list := map[bool][]anchor{false: x.asc, true: x.desc}[desc]
			first := tc.n
			if len(list) > 0 {
				first = list[0].off + 1
			}
			for off := 0; off < tc.n; off += max(1, tc.n/5000) {
				an, ok := x.nearest(off, desc)
				if !ok {
					if off >= first {
						t.Fatalf("n=%d step=%d desc=%v: no anchor before %d", tc.n, tc.step, desc, off)
					}
					if off >= tc.step && !desc {
						t.Fatalf("n=%d step=%d: offset %d has no anchor", tc.n, tc.step, off)
					}
					continue
				}
				if an.off >= off || (!desc && off-an.off-1 >= tc.step) {
					t.Fatalf("n=%d step=%d desc=%v: anchor %d for offset %d", tc.n, tc.step, desc, an.off, off)
				}
			}
		}
	}
}

// Stored anchors come back with their SQLite types (INTEGER int64, REAL float64, TEXT
// string, including digit-only text); damaged JSON is refused, never half-used.
func TestStoredAnchorsRoundTrip(t *testing.T) {
	list := []anchor{{off: 9, key: int64(1733500000000), row: 1}, {off: 19, key: 2.5, row: 1 << 40},
		{off: 29, key: "0042", row: 3}, {off: 39, key: "élodie", row: 9}, {off: 49, key: int64(-3), row: 2}}
	js, err := encodeAnchors(list)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeAnchors(js)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(list) {
		t.Fatalf("got %d anchors, want %d", len(got), len(list))
	}
	for i := range list {
		if got[i] != list[i] {
			t.Errorf("anchor %d: got %#v, want %#v", i, got[i], list[i])
		}
	}
	// Bad ones, and a copy from before rowid anchors (a text id in the third place, even
	// one made of digits): refused, so it is rebuilt and never read as a rowid.
	for _, bad := range []string{`[[1,"k"]]`, `[[1,"k","a"]]`, `[["x","k",1]]`, `[[5,"k",1],[5,"k",2]]`, `{`,
		`[[1.5,"k",1]]`, `[[1,"k",1.5]]`, `[[9,"k","0195b7c2-0000-7000-8000-000000000001"]]`, `[[9,"k","42"]]`} {
		if _, err := decodeAnchors(bad); err == nil {
			t.Errorf("decodeAnchors(%s): no error", bad)
		}
	}
}
