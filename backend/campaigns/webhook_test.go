package campaigns

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"magpie/backend/db"
)

// The receiver writes to the store while it answers: that only works because the call is
// made after the batch committed (inside the batch transaction the writer would be held).
func TestWebhookCalledOutsideTheBatchTransaction(t *testing.T) {
	f := newFixture(t)
	var wrote atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := f.d.Write(ctx, func(tx *db.Tx) error { return tx.SetMeta("webhook-test", "seen") }); err != nil {
			t.Errorf("write during the call: %v (the batch transaction is still open)", err)
			w.WriteHeader(500)
			return
		}
		wrote.Add(1)
		w.WriteHeader(200)
	}))
	defer srv.Close()
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	seg := f.segment("A", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"=","properties":{"filter":"Ann"}}]`)
	id := f.publish("W", false, Graph{Sources: segSource(seg), Events: []Event{
		root("w", KindAction, "webhook", map[string]any{"url": srv.URL, "timeout": 5.0}),
		child("t", "w", "", KindAction, "contact.tags", map[string]any{"add": []any{"hooked"}}),
	}})
	f.run()
	if wrote.Load() != 1 {
		t.Fatalf("receiver wrote %d times, want 1", wrote.Load())
	}
	if got := f.logOf(id, ann); !equal(got, []string{"t:done", "w:done"}) {
		t.Errorf("log = %v", got)
	}
}

// A crash after the call but before its outcome is stored: the step stays scheduled a
// lease ahead, then is called again (same Idempotency-Key) and done exactly once.
func TestWebhookCrashAfterCallRepeatsTheCallNotTheStep(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		mu.Unlock()
		w.WriteHeader(204)
	}))
	defer srv.Close()
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	seg := f.segment("A", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"=","properties":{"filter":"Ann"}}]`)
	id := f.publish("W", false, Graph{Sources: segSource(seg), Events: []Event{
		root("w", KindAction, "webhook", map[string]any{"url": srv.URL, "timeout": 5.0}),
		child("t", "w", "", KindAction, "contact.tags", map[string]any{"add": []any{"hooked"}}),
	}})
	died := false
	f.s.afterCalls = func() bool {
		if !died {
			died = true
			return false
		}
		return true
	}
	f.run()
	if got := f.logOf(id, ann); !equal(got, []string{"w:scheduled"}) {
		t.Fatalf("after the crash: %v (want the step still scheduled)", got)
	}
	f.advance(30 * time.Second) // within the lease: nothing is called again
	if len(keys) != 1 {
		t.Fatalf("calls within the lease = %d", len(keys))
	}
	f.advance(2 * time.Minute) // lease over (2 × 5 s + 1 min)
	if got := f.logOf(id, ann); !equal(got, []string{"t:done", "w:done"}) {
		t.Errorf("after the lease: %v", got)
	}
	if len(keys) != 2 || keys[0] != keys[1] || keys[0] == "" {
		t.Errorf("idempotency keys = %v, want the same key twice", keys)
	}
	f.advance(time.Hour)
	if len(keys) != 2 || len(f.tagged("hooked")) != 1 {
		t.Errorf("later: %d calls, tagged %v", len(keys), f.tagged("hooked"))
	}
}

// Simulate never calls a webhook (it runs on a copy; the receiver is real).
func TestSimulateCallsNoWebhook(t *testing.T) {
	f := newFixture(t)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	all := people(f)
	c, _ := f.s.Save(f.ctx, Input{Name: "Draft", Graph: Graph{Sources: segSource(all), Events: []Event{
		root("w", KindAction, "webhook", map[string]any{"url": srv.URL}),
	}}})
	res, err := f.s.Simulate(f.ctx, c.ID, "2026-03-02T09:30:00Z", "2026-03-05T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 0 || res.PerEvent["w"].Done != res.Contacts || res.Contacts == 0 {
		t.Errorf("simulate: %d calls, result %+v", calls.Load(), res)
	}
}
