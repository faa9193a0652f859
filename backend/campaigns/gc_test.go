package campaigns

import (
	"runtime/debug"
	"testing"
	"time"
)

// gcPercent reads the GC percent (the runtime only hands it back when setting it).
func gcPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

func TestCollectLess(t *testing.T) {
	defer debug.SetGCPercent(gcPercent())
	for _, tc := range []struct {
		name       string
		env        string // GOGC in the environment
		before     int
		held, left int // while held; after the last release
	}{
		{"default raised, then put back", "", 100, backlogGCPercent, 100},
		{"a lower setting raised", "", 50, backlogGCPercent, 50},
		{"a higher setting kept", "", 800, 800, 800},
		{"collection off kept", "", -1, -1, -1},
		{"GOGC from the environment kept", "100", 100, 100, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOGC", tc.env)
			debug.SetGCPercent(tc.before)
			// Two overlapping users released first-in, first-out: the percent stays raised
			// until the last one leaves; a second call of a release changes nothing.
			a := collectLess()
			b := collectLess()
			if got := gcPercent(); got != tc.held {
				t.Fatalf("held: GC percent %d, want %d", got, tc.held)
			}
			a()
			a()
			if got := gcPercent(); got != tc.held {
				t.Fatalf("one user left: GC percent %d, want %d", got, tc.held)
			}
			b()
			if got := gcPercent(); got != tc.left {
				t.Fatalf("released: GC percent %d, want %d", got, tc.left)
			}
		})
	}
}

// A backlog run (its first batch full) puts the GC percent back when it is done.
func TestRunBacklogPutsGCBack(t *testing.T) {
	defer debug.SetGCPercent(gcPercent())
	t.Setenv("GOGC", "")
	debug.SetGCPercent(100)
	f := newFixture(t)
	all := f.benchSegment(30)
	mail := f.email("Welcome")
	c, err := f.s.Save(f.ctx, Input{Name: "Backlog", Graph: Graph{Sources: segSource(all), Events: benchIDs(fiveSteps(mail))}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Publish(f.ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Duration{0, 25 * time.Hour} {
		f.clk.Advance(at)
		st, err := f.s.Run(f.ctx, RunOptions{Batch: 10})
		if err != nil {
			t.Fatal(err)
		}
		if st.Batches < 2 {
			t.Fatalf("run at +%v: %d batches, want a backlog", at, st.Batches)
		}
		if got := gcPercent(); got != 100 {
			t.Fatalf("after the run at +%v: GC percent %d, want 100", at, got)
		}
	}
}
