package imports

import (
	"fmt"
	"testing"
)

// TestSeenEmails: every email added is reported as maybe seen (a filter that forgot one
// would import a duplicate contact), and few of the others are (each is a wasted look-up).
func TestSeenEmails(t *testing.T) {
	for _, tc := range []struct {
		expected, added int64
		maxFalse        float64 // share of never-added emails reported as maybe seen
	}{
		{expected: 0, added: 50, maxFalse: 0.01},
		{expected: 10_000, added: 10_000, maxFalse: 0.03},
		{expected: 10_000, added: 20_000, maxFalse: 0.2}, // twice the guess: still exact for added ones
	} {
		t.Run(fmt.Sprint(tc.expected, "/", tc.added), func(t *testing.T) {
			s := newSeenEmails(tc.expected)
			for i := range tc.added {
				s.add(fmt.Sprintf("user%d@example.com", i))
			}
			for i := range tc.added {
				if e := fmt.Sprintf("user%d@example.com", i); !s.mayHave(e) {
					t.Fatalf("%s was added but is reported unseen", e)
				}
			}
			var fp int
			const probes = 20_000
			for i := range probes {
				if s.mayHave(fmt.Sprintf("other%d@example.org", i)) {
					fp++
				}
			}
			if got := float64(fp) / probes; got > tc.maxFalse {
				t.Fatalf("%.2f %% of unseen emails reported as maybe seen, want ≤ %.0f %%", got*100, tc.maxFalse*100)
			}
		})
	}
}
