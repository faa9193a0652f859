package tracking

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"magpie/backend/ids"
	"magpie/backend/internal/testenv"
)

// flakyStore refuses writes while down is set and keeps what it stored.
type flakyStore struct {
	down atomic.Bool
	mu   sync.Mutex
	ids  map[string]int
}

func (s *flakyStore) Name() string { return "flaky" }
func (s *flakyStore) StoreHits(_ context.Context, hs []Hit) error {
	if s.down.Load() {
		return errors.New("store unreachable")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range hs {
		s.ids[h.ID]++
	}
	return nil
}

func (s *flakyStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// TestPumpOutage: while the store is down hits wait in the spool, health says degraded; when
// it returns they drain; a restart with an unstored backlog sends it again.
func TestPumpOutage(t *testing.T) {
	dir := t.TempDir()
	sp, err := OpenSpool(dir, SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	store := &flakyStore{ids: map[string]int{}}
	store.down.Store(true)
	m := NewMetrics()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	pump := &Pump{Spool: sp, Store: store, Metrics: m, MaxRetry: 10 * time.Millisecond, Log: quiet}
	fx := newFixture(t, nil)
	srv, _ := NewServer(fx.srv.cfg, sp, pump, m)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pump.Run(ctx) }()
	for i := 0; i < 50; i++ {
		h := Hit{ID: ids.New(), Kind: KindPage, At: 1, URL: "https://a.b/"}
		b, _ := encodeHit(&h)
		if err := sp.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for !pump.Failing() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/health", nil))
	var health struct {
		Status  string
		Metrics Snapshot
	}
	json.Unmarshal(w.Body.Bytes(), &health)
	if health.Status != "degraded" || !health.Metrics.StoreFailing || health.Metrics.PendingBytes == 0 {
		t.Fatalf("health during outage: %s", w.Body)
	}
	// Stop during the outage: nothing is lost, the backlog stays on disk.
	cancel()
	<-done
	sp.Close()
	if store.count() != 0 {
		t.Fatalf("stored %d during the outage", store.count())
	}
	sp, err = OpenSpool(dir, SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	store.down.Store(false)
	pump = &Pump{Spool: sp, Store: store, Metrics: NewMetrics(), Log: quiet}
	ctx, cancel = context.WithCancel(context.Background())
	go func() { done <- pump.Run(ctx) }()
	deadline = time.Now().Add(5 * time.Second)
	for store.count() < 50 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if store.count() != 50 || sp.Pending() != 0 {
		t.Fatalf("after recovery stored %d of 50, %d bytes pending", store.count(), sp.Pending())
	}
}

// StoreHits writes batches of every size (whole 32-row chunks plus single rows) exactly once,
// and a batch sent again after a crash adds nothing.
func TestSQLiteStoreBatchSizes(t *testing.T) {
	d, _ := testenv.NewDB(t)
	st := &SQLiteStore{DB: d}
	total := 0
	for _, n := range []int{1, 31, 32, 33, 64, 100, 500} {
		hs := make([]Hit, n)
		for i := range hs {
			hs[i] = Hit{ID: ids.New(), Kind: KindPage, At: int64(i), URL: "https://a.example/", Data: map[string]string{"utm_source": "x"}}
		}
		if err := st.StoreHits(context.Background(), hs); err != nil {
			t.Fatalf("batch of %d: %v", n, err)
		}
		if err := st.StoreHits(context.Background(), hs); err != nil { // redelivered
			t.Fatalf("batch of %d again: %v", n, err)
		}
		total += n
		var got int
		var data string
		d.R.QueryRow("SELECT count(*), max(data) FROM hits").Scan(&got, &data)
		if got != total || data != `{"utm_source":"x"}` {
			t.Fatalf("after a batch of %d: %d rows (want %d), data %q", n, got, total, data)
		}
	}
}

// Every column of a stored row is the hit's: empty strings are NULL, the time and bot flag
// are integers, the data is DataJSON's text — across chunks of the multi-row statement (the
// data texts of one chunk share a buffer that the next one reuses).
func TestSQLiteStoreRowValues(t *testing.T) {
	d, _ := testenv.NewDB(t)
	st := &SQLiteStore{DB: d}
	hs := make([]Hit, 2*sqliteRowsPerInsert+7)
	for i := range hs {
		h := Hit{ID: ids.New(), Kind: KindPage, At: 1733400000000 + int64(i), Device: ids.New(), URL: fmt.Sprintf("https://a.example/%d", i),
			UA: "Mozilla/5.0", IP: "203.0.113.0", Bot: i%5 == 0}
		switch i % 3 {
		case 0:
			h.Data = map[string]string{"utm_source": fmt.Sprint("s", i), "resolution": "1x1"}
		case 1:
			h.Kind, h.Email, h.Send, h.Contact, h.Title, h.Referrer, h.Lang = KindClick, "e", "s", "c", "T é", "r", "fr"
			h.Data = map[string]string{"field.note": strings.Repeat("n", i)}
		}
		hs[i] = h
	}
	if err := st.StoreHits(context.Background(), hs); err != nil {
		t.Fatal(err)
	}
	rows, err := d.R.Query(`SELECT id, kind, at, device_id, contact_id, email_id, send_id, form_id, url, title, referrer,
		lang, user_agent, ip, bot, data FROM hits`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	byID := map[string]*Hit{}
	for i := range hs {
		byID[hs[i].ID] = &hs[i]
	}
	n := 0
	for rows.Next() {
		var id, kind string
		var at, bot int64
		var s [11]sql.NullString
		var data sql.NullString
		if err := rows.Scan(&id, &kind, &at, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6], &s[7], &s[8], &s[9], &s[10], &bot, &data); err != nil {
			t.Fatal(err)
		}
		h := byID[id]
		if h == nil {
			t.Fatalf("row %s is no hit", id)
		}
		want := []string{h.Device, h.Contact, h.Email, h.Send, h.Form, h.URL, h.Title, h.Referrer, h.Lang, h.UA, h.IP}
		for k, w := range want {
			if s[k].Valid != (w != "") || s[k].String != w {
				t.Fatalf("hit %s column %d = %+v, want %q (NULL when empty)", id, k+3, s[k], w)
			}
		}
		if kind != string(h.Kind) || at != h.At || (bot == 1) != h.Bot || data.Valid != (len(h.Data) > 0) || data.String != h.DataJSON() {
			t.Fatalf("hit %s: kind %s at %d bot %d data %+v; want %+v", id, kind, at, bot, data, *h)
		}
		n++
	}
	if n != len(hs) {
		t.Fatalf("%d rows, want %d", n, len(hs))
	}
}
