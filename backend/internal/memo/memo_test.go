package memo

import (
	"fmt"
	"testing"
)

// Get computes a key once while it is cached, and starts over once Max keys are held.
func TestCache(t *testing.T) {
	calls := 0
	f := func(s string) int { calls++; return len(s) }
	c := Cache[int]{Max: 3}
	for range 2 {
		for i := range 3 {
			if got := c.Get(fmt.Sprint("k", i), f); got != 2 {
				t.Fatalf("Get = %d, want 2", got)
			}
		}
	}
	if calls != 3 {
		t.Fatalf("%d calls for 3 keys asked twice, want 3", calls)
	}
	c.Get("k3", f) // the fourth key empties the cache
	c.Get("k0", f)
	if calls != 5 {
		t.Fatalf("%d calls, want 5 (k3 new, k0 forgotten)", calls)
	}
}
