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
