package tracking

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gatedSync replaces syncData: while gate is non-nil the first fdatasync blocks until gate
// closes; every call is counted.
type gatedSync struct {
	calls   atomic.Int64
	first   chan struct{} // closed when the first call starts
	gate    chan struct{}
	started sync.Once
}

func installGatedSync(t *testing.T, blockFirst bool) *gatedSync {
	g := &gatedSync{first: make(chan struct{})}
	if blockFirst {
		g.gate = make(chan struct{})
	}
	prev := syncData
	syncData = func(f *os.File) error {
		n := g.calls.Add(1)
		if n == 1 {
			g.started.Do(func() { close(g.first) })
			if g.gate != nil {
				<-g.gate
			}
		}
		return prev(f)
	}
	t.Cleanup(func() { syncData = prev })
	return g
}

// A slow fdatasync holds back only its own group when HedgeAfter is set: the next group starts
// its own sync, whose return makes both groups durable (it flushed the earlier write too).
func TestSpoolHedge(t *testing.T) {
	for _, tc := range []struct {
		hedge       time.Duration
		secondWaits bool
	}{
		{hedge: 0, secondWaits: true},
		{hedge: 2 * time.Millisecond, secondWaits: false},
	} {
		t.Run(fmt.Sprint(tc.hedge), func(t *testing.T) {
			g := installGatedSync(t, true)
			sp, err := OpenSpool(t.TempDir(), SpoolOptions{HedgeAfter: tc.hedge})
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			first, second := make(chan error, 1), make(chan error, 1)
			go func() { first <- sp.Append([]byte("first")) }()
			<-g.first
			go func() { second <- sp.Append([]byte("second")) }()
			select {
			case err := <-second:
				if tc.secondWaits {
					t.Fatalf("second append returned (%v) while the only fdatasync was blocked", err)
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := <-first; err != nil { // covered by the second sync
					t.Fatal(err)
				}
			case <-time.After(300 * time.Millisecond):
				if !tc.secondWaits {
					t.Fatal("second append still waits for the blocked fdatasync")
				}
			}
			close(g.gate)
			if tc.secondWaits {
				for _, ch := range []chan error{first, second} {
					if err := <-ch; err != nil {
						t.Fatal(err)
					}
				}
			}
			recs, err := sp.readAvailable(10)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 2 || string(recs[0].Data) != "first" || string(recs[1].Data) != "second" {
				t.Fatalf("%d records, want first then second", len(recs))
			}
		})
	}
}

// With Linger, a group that starts smaller than the previous one waits for the stragglers of
// a closed loop instead of being flushed alone.
func TestSpoolLinger(t *testing.T) {
	for _, tc := range []struct {
		linger   time.Duration
		maxSyncs int64 // for the second wave of 8 appends, 2 ms apart
		minSyncs int64
	}{
		{linger: 0, minSyncs: 2, maxSyncs: 8},
		{linger: 200 * time.Millisecond, minSyncs: 1, maxSyncs: 1},
	} {
		t.Run(fmt.Sprint(tc.linger), func(t *testing.T) {
			g := installGatedSync(t, true)
			sp, err := OpenSpool(t.TempDir(), SpoolOptions{Linger: tc.linger})
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			wave := func(n int, gap time.Duration) {
				var wg sync.WaitGroup
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := sp.Append(fmt.Appendf(nil, "rec %d", i)); err != nil {
							t.Error(err)
						}
					}()
					time.Sleep(gap)
				}
				wg.Wait()
			}
			// First wave: one record whose sync blocks, eight more queue behind it as one group.
			go func() { <-g.first; time.Sleep(20 * time.Millisecond); close(g.gate) }()
			done := make(chan struct{})
			go func() { wave(1, 0); close(done) }()
			<-g.first
			wave(8, 0)
			<-done
			sp.mu.Lock()
			last := sp.lastGroup
			sp.mu.Unlock()
			if last != 8 {
				t.Fatalf("previous group %d records, want 8", last)
			}
			before := g.calls.Load()
			wave(8, 2*time.Millisecond)
			if n := g.calls.Load() - before; n < tc.minSyncs || n > tc.maxSyncs {
				t.Errorf("second wave took %d fdatasyncs, want %d–%d", n, tc.minSyncs, tc.maxSyncs)
			}
		})
	}
}
