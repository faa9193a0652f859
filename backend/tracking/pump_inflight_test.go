package tracking

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"magpie/backend/ids"
)

// slowStore takes a while per batch (a remote cluster), counts concurrent calls, and refuses
// batches holding a poisoned hit URL while poison is set.
type slowStore struct {
	delay  time.Duration
	poison atomic.Bool
	cur    atomic.Int32
	max    atomic.Int32
	mu     sync.Mutex
	ids    map[string]int
}

func (s *slowStore) Name() string { return "slow" }
func (s *slowStore) StoreHits(ctx context.Context, hs []Hit) error {
	n := s.cur.Add(1)
	defer s.cur.Add(-1)
	for m := s.max.Load(); n > m && !s.max.CompareAndSwap(m, n); m = s.max.Load() {
	}
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	for _, h := range hs {
		if h.URL == "https://poison.example/" && s.poison.Load() {
			return errors.New("batch refused")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range hs {
		s.ids[h.ID]++
	}
	return nil
}

func (s *slowStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

func appendHits(t *testing.T, sp *Spool, n int, url func(i int) string) {
	t.Helper()
	for i := 0; i < n; i++ {
		h := Hit{ID: ids.New(), Kind: KindPage, At: int64(i), URL: url(i)}
		b, _ := encodeHit(&h)
		if err := sp.Append(b); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPumpInFlight: with InFlight > 1 several batches are in the store at once, every hit is
// stored, and the checkpoint reaches the end of the spool.
func TestPumpInFlight(t *testing.T) {
	for _, tc := range []struct{ inFlight, wantMax int32 }{{1, 1}, {4, 4}} {
		t.Run(fmt.Sprintf("inflight=%d", tc.inFlight), func(t *testing.T) {
			sp, err := OpenSpool(t.TempDir(), SpoolOptions{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			const n = 400
			appendHits(t, sp, n, func(int) string { return "https://a.example/" })
			store := &slowStore{delay: 30 * time.Millisecond, ids: map[string]int{}}
			pump := &Pump{Spool: sp, Store: store, Batch: 20, Linger: time.Millisecond, InFlight: int(tc.inFlight),
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- pump.Run(ctx) }()
			deadline := time.Now().Add(20 * time.Second)
			for (store.count() < n || sp.Pending() != 0) && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Fatalf("pump: %v", err)
			}
			if store.count() != n || sp.Pending() != 0 {
				t.Fatalf("stored %d of %d hits, %d bytes pending", store.count(), n, sp.Pending())
			}
			if got := store.max.Load(); got != tc.wantMax {
				t.Fatalf("at most %d batches were in the store at once, want %d", got, tc.wantMax)
			}
		})
	}
}

// TestPumpInFlightOrder: a batch the store keeps refusing holds the checkpoint back even
// though later batches were stored, so after a stop and a reopen it is read again.
func TestPumpInFlightOrder(t *testing.T) {
	dir := t.TempDir()
	sp, err := OpenSpool(dir, SpoolOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	appendHits(t, sp, 200, func(i int) string {
		if i == 50 {
			return "https://poison.example/"
		}
		return "https://a.example/"
	})
	store := &slowStore{delay: 5 * time.Millisecond, ids: map[string]int{}}
	store.poison.Store(true)
	pump := &Pump{Spool: sp, Store: store, Batch: 20, Linger: time.Millisecond, InFlight: 4,
		MaxRetry: 10 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pump.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for store.count() < 60 && time.Now().Before(deadline) { // batches 1–2 and some after the poisoned one
		time.Sleep(5 * time.Millisecond)
	}
	for !pump.Failing() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	sp.Close()
	if store.count() < 60 {
		t.Fatalf("only %d hits stored around the refused batch", store.count())
	}
	sp, err = OpenSpool(dir, SpoolOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	again := readAll(t, sp)
	found := false
	for _, r := range again {
		h, _ := decodeHit(r.Data)
		found = found || h.URL == "https://poison.example/"
	}
	if !found || len(again) > 160 {
		t.Fatalf("after reopen %d records are read again (refused one among them: %v); want the refused batch and what follows, not the first two batches",
			len(again), found)
	}
}
