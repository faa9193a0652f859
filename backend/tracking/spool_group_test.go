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

// A slow fdatasync holds back the appends that arrive meanwhile; they go as one group, in
// order, once it returns.
func TestSpoolGroupWaitsForSync(t *testing.T) {
	g := installGatedSync(t, true)
	sp, err := OpenSpool(t.TempDir(), SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	first := make(chan error, 1)
	go func() { first <- sp.Append([]byte("first")) }()
	<-g.first
	var wg sync.WaitGroup
	later := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); later <- sp.Append(fmt.Appendf(nil, "later %d", i)) }()
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		sp.mu.Lock()
		n := sp.nrec
		sp.mu.Unlock()
		if n == 8 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 8 appends queued behind the blocked fdatasync", n)
		}
	}
	select {
	case err := <-later:
		t.Fatalf("an append returned (%v) while the only fdatasync was blocked", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(g.gate)
	wg.Wait()
	close(later)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for err := range later {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := g.calls.Load(); n != 2 {
		t.Errorf("%d fdatasyncs, want 2 (the first record, then the eight waiting as one group)", n)
	}
	recs, err := sp.readAvailable(20)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 9 || string(recs[0].Data) != "first" {
		t.Fatalf("%d records (first %q), want 9 starting with first", len(recs), recs[0].Data)
	}
}
