package forms

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/internal/testenv"
)

func TestOutboxRetriesAndGivesUp(t *testing.T) {
	ctx := context.Background()
	d, clk := testenv.NewDB(t)
	var fail atomic.Bool
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(string(b))
		if fail.Load() {
			http.Error(w, "down", 503)
		}
	}))
	defer srv.Close()
	mails := 0
	o := &Outbox{DB: d, Mail: func(ctx context.Context, emailID, to string) error {
		if to == "bad@example.com" {
			return errors.New("smtp refused")
		}
		mails++
		return nil
	}}
	err := d.Write(ctx, func(tx *db.Tx) error {
		for _, r := range [][]string{{"w1", "webhook", srv.URL, "", `{"a":1}`}, {"m1", "user_email", "boss@example.com", "e1", ""},
			{"m2", "user_email", "bad@example.com", "e1", ""}} {
			if _, err := tx.Exec("INSERT INTO form_outbox(id, kind, target, ref, body, created_at) VALUES(?, ?, ?, ?, ?, 0)", r[0], r[1], r[2], r[3], r[4]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	sent, failed, err := o.Drain(ctx)
	if err != nil || sent != 1 || failed != 2 || mails != 1 {
		t.Fatalf("first drain: sent %d failed %d mails %d err %v", sent, failed, mails, err)
	}
	// Not due yet: nothing is retried.
	if s, f, _ := o.Drain(ctx); s+f != 0 {
		t.Fatalf("retried before the backoff: %d %d", s, f)
	}
	fail.Store(false)
	clk.Advance(2 * time.Minute)
	if s, f, _ := o.Drain(ctx); s != 1 || f != 1 || got.Load() != `{"a":1}` {
		t.Fatalf("second drain: %d %d body %v", s, f, got.Load())
	}
	for i := 0; i < MaxAttempts; i++ {
		clk.Advance(7 * time.Hour)
		o.Drain(ctx)
	}
	var state string
	var attempts int
	d.R.QueryRow("SELECT state, attempts FROM form_outbox WHERE id = 'm2'").Scan(&state, &attempts)
	if state != "failed" || attempts != MaxAttempts {
		t.Fatalf("m2 %s after %d attempts", state, attempts)
	}
}
