package tracking

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/ids"
)

// fakeRqlite is a small stand-in of rqlite's /db/execute over a real SQLite file, with the
// failure modes the tracker must survive.
type fakeRqlite struct {
	db     *sql.DB
	mu     sync.Mutex
	faults []string // consumed one per request: "toplevel", "500", "drop", "short", "" (ok)
	reqs   atomic.Int64
	srv    *httptest.Server
}

func newFakeRqlite(t testing.TB) *fakeRqlite {
	t.Helper()
	sdb, err := sql.Open(db.DriverName, "file:"+filepath.Join(t.TempDir(), "rq.db")+"?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	sdb.SetMaxOpenConns(1)
	f := &fakeRqlite{db: sdb}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() { f.srv.Close(); sdb.Close() })
	return f
}

func (f *fakeRqlite) fault(fs ...string) {
	f.mu.Lock()
	f.faults = append(f.faults, fs...)
	f.mu.Unlock()
}

func (f *fakeRqlite) serve(w http.ResponseWriter, r *http.Request) {
	f.reqs.Add(1)
	f.mu.Lock()
	var fault string
	if len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	f.mu.Unlock()
	if r.URL.Path != "/db/execute" {
		http.NotFound(w, r)
		return
	}
	switch fault {
	case "toplevel": // a follower that cannot reach the leader: 200, error, no results
		io.WriteString(w, `{"results":[],"error":"leadership lost while committing log"}`)
		return
	case "500":
		http.Error(w, "leader not found", 503)
		return
	case "drop":
		hj, _ := w.(http.Hijacker)
		c, _, _ := hj.Hijack()
		c.Close()
		return
	}
	var stmts [][]any
	if err := json.NewDecoder(r.Body).Decode(&stmts); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	tx, _ := f.db.Begin()
	var results []map[string]any
	for _, st := range stmts {
		res, err := tx.Exec(st[0].(string), st[1:]...)
		if err != nil {
			tx.Rollback()
			json.NewEncoder(w).Encode(map[string]any{"results": []map[string]any{{"error": err.Error()}}})
			return
		}
		n, _ := res.RowsAffected()
		results = append(results, map[string]any{"rows_affected": n})
	}
	tx.Commit()
	if fault == "short" { // committed, but the answer lost results: indeterminate
		results = results[:len(results)/2]
	}
	json.NewEncoder(w).Encode(map[string]any{"results": results})
}

func (f *fakeRqlite) count(t testing.TB) (rows, distinct int) {
	t.Helper()
	if err := f.db.QueryRow("SELECT count(*), count(DISTINCT id) FROM hits").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	return
}

func TestRqliteStoreSurvivesFaults(t *testing.T) {
	rq := newFakeRqlite(t)
	store, err := NewRqliteStore([]string{rq.srv.URL}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	sp, err := OpenSpool(t.TempDir(), SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	rq.fault("toplevel", "500", "drop", "short", "toplevel")
	m := NewMetrics()
	pump := &Pump{Spool: sp, Store: store, Batch: 50, Metrics: m, MaxRetry: 20 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- pump.Run(ctx) }()
	const n = 1000
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < n/4; i++ {
				h := Hit{ID: ids.New(), Kind: KindPage, At: int64(i), URL: fmt.Sprintf("https://a.b/%d/%d", g, i)}
				b, _ := encodeHit(&h)
				if err := sp.Append(b); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	deadline := time.Now().Add(20 * time.Second)
	for m.Stored.Load() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	rows, distinct := rq.count(t)
	if rows != n || distinct != n {
		t.Fatalf("rqlite holds %d rows (%d distinct), want %d: hits lost or duplicated", rows, distinct, n)
	}
	if m.StoreErrors.Load() < 5 {
		t.Fatalf("store errors = %d, want the 5 injected faults noticed", m.StoreErrors.Load())
	}
	if sp.Pending() != 0 {
		t.Fatalf("spool still holds %d bytes", sp.Pending())
	}
}

func TestRqliteStoreRejectsBadNodes(t *testing.T) {
	for _, u := range []string{"", "localhost:4001", "ftp://x", "http://"} {
		if _, err := NewRqliteStore([]string{u}, "", ""); err == nil {
			t.Errorf("node %q accepted", u)
		}
	}
}
