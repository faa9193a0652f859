package tracking

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"magpie/backend/ids"
	"magpie/backend/internal/testenv"
	"magpie/backend/rqlite"
	"magpie/backend/rqlite/rqlitetest"
)

func newRqliteStore(t testing.TB, rq *rqlitetest.Server) *RqliteStore {
	t.Helper()
	store, err := NewRqliteStore(rqlite.Config{URLs: rq.URLs(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	return store
}

// spoolHits appends n page hits from 4 goroutines.
func spoolHits(t testing.TB, sp *Spool, n int) {
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < n/4; i++ {
				h := Hit{ID: ids.New(), Kind: KindPage, At: int64(i + 1), Device: ids.New(), URL: fmt.Sprintf("https://a.b/%d/%d", g, i)}
				b, _ := encodeHit(&h)
				if err := sp.Append(b); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
}

func TestRqliteStoreSurvivesFaults(t *testing.T) {
	rq := rqlitetest.New(t, rqlitetest.Options{Nodes: 3})
	store := newRqliteStore(t, rq)
	sp, err := OpenSpool(t.TempDir(), SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	rq.Inject(rqlitetest.ErrorNoCommit, rqlitetest.DropAfterCommit, rqlitetest.Unavailable, rqlitetest.Refused,
		rqlitetest.DropAfterCommit, rqlitetest.ErrorNoCommit)
	m := NewMetrics()
	pump := &Pump{Spool: sp, Store: store, Batch: 50, Metrics: m, MaxRetry: 20 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- pump.Run(ctx) }()
	const n = 1000
	spoolHits(t, sp, n)
	deadline := time.Now().Add(20 * time.Second)
	for m.Stored.Load() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	var rows, distinct int
	if err := rq.DB().QueryRow("SELECT count(*), count(DISTINCT id) FROM hits").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != n || distinct != n {
		t.Fatalf("rqlite holds %d rows (%d distinct), want %d: hits lost or duplicated", rows, distinct, n)
	}
	if m.StoreErrors.Load() < 1 {
		t.Fatalf("store errors = %d, want the injected faults noticed", m.StoreErrors.Load())
	}
	if sp.Pending() != 0 {
		t.Fatalf("spool still holds %d bytes", sp.Pending())
	}

	// A desktop pulls the cluster's hits by cursor and ingests them exactly once.
	d, _ := testenv.NewDB(t)
	total := 0
	for {
		k, err := Pull(context.Background(), store.Client(), d, 300)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			break
		}
		total += k
	}
	if total != n {
		t.Fatalf("pulled %d hits, want %d", total, n)
	}
	var local int
	d.R.QueryRow("SELECT count(*) FROM hits").Scan(&local)
	if k, _ := Pull(context.Background(), store.Client(), d, 300); k != 0 || local != n {
		t.Fatalf("local hits %d (want %d), re-pull read %d (want 0)", local, n, k)
	}
}

func TestRqliteStoreRejectsBadNodes(t *testing.T) {
	for _, u := range []string{"localhost:4001", "ftp://x", "http://"} {
		if _, err := NewRqliteStore(rqlite.Config{URLs: []string{u}}); err == nil {
			t.Errorf("node %q accepted", u)
		}
	}
	if _, err := NewRqliteStore(rqlite.Config{}); err == nil {
		t.Error("no node accepted")
	}
}
