package forms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"magpie/backend/db"
)

// The outbox holds what submit actions must do outside the store: post to a webhook, send an
// email to a user. Rows are written in the ingest transaction (durable), sent by the open app,
// retried with backoff (1 min doubling, at most 6 h) and given up after MaxAttempts.
const MaxAttempts = 8

// UserMailer sends email emailID to address to (the emails service's direct send).
type UserMailer func(ctx context.Context, emailID, to string) error

// Outbox sends the form outbox.
type Outbox struct {
	DB     *db.DB
	Client *http.Client
	Mail   UserMailer
	Log    *slog.Logger

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

type outRow struct {
	id, kind, target, ref, body string
	attempts                    int
}

// Drain sends every due row once; it returns how many were sent and how many failed.
func (o *Outbox) Drain(ctx context.Context) (sent, failed int, err error) {
	now := o.DB.Clock.Now().UnixMilli()
	rows, err := o.DB.R.QueryContext(ctx, `SELECT id, kind, target, ref, body, attempts FROM form_outbox
		WHERE state = 'pending' AND next_at <= ? ORDER BY created_at, id LIMIT 100`, now)
	if err != nil {
		return 0, 0, err
	}
	var due []outRow
	for rows.Next() {
		var r outRow
		if err := rows.Scan(&r.id, &r.kind, &r.target, &r.ref, &r.body, &r.attempts); err != nil {
			rows.Close()
			return 0, 0, err
		}
		due = append(due, r)
	}
	rows.Close()
	for _, r := range due {
		if ctx.Err() != nil {
			return sent, failed, ctx.Err()
		}
		serr := o.send(ctx, r)
		err := o.DB.Write(ctx, func(tx *db.Tx) error {
			if serr == nil {
				_, err := tx.Exec("UPDATE form_outbox SET state = 'done', attempts = attempts + 1, last_error = NULL WHERE id = ?", r.id)
				return err
			}
			state := "pending"
			if r.attempts+1 >= MaxAttempts {
				state = "failed"
			}
			wait := min(time.Minute<<r.attempts, 6*time.Hour)
			_, err := tx.Exec("UPDATE form_outbox SET state = ?, attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?",
				state, tx.NowMs()+wait.Milliseconds(), serr.Error(), r.id)
			return err
		})
		if err != nil {
			return sent, failed, err
		}
		if serr == nil {
			sent++
		} else {
			failed++
			if o.Log != nil {
				o.Log.Warn("forms: outbox delivery failed", "kind", r.kind, "target", r.target, "attempt", r.attempts+1, "err", serr)
			}
		}
	}
	return sent, failed, nil
}

func (o *Outbox) send(ctx context.Context, r outRow) error {
	switch r.kind {
	case "webhook":
		c := o.Client
		if c == nil {
			c = &http.Client{Timeout: 10 * time.Second}
		}
		req, err := http.NewRequestWithContext(ctx, "POST", r.target, bytes.NewReader([]byte(r.body)))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Magpie-Forms/1")
		req.Header.Set("X-Magpie-Event", "form.submitted")
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return fmt.Errorf("webhook answered %s", resp.Status)
		}
		return nil
	case "user_email":
		if o.Mail == nil {
			return errors.New("no mailer configured")
		}
		return o.Mail(ctx, r.ref, r.target)
	}
	return fmt.Errorf("unknown outbox kind %q", r.kind)
}

// Start drains the outbox every 15 s until Stop.
func (o *Outbox) Start() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	o.cancel, o.done = cancel, make(chan struct{})
	go func() {
		defer close(o.done)
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			if _, _, err := o.Drain(ctx); err != nil && ctx.Err() == nil && o.Log != nil {
				o.Log.Warn("forms: outbox", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the loop.
func (o *Outbox) Stop() {
	o.mu.Lock()
	cancel, done := o.cancel, o.done
	o.cancel = nil
	o.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// QueueUserEmail adds "send email emailID to address to" to the outbox inside tx (point
// triggers' "send an email to the owner/user"); id makes it idempotent.
func QueueUserEmail(tx *db.Tx, id, to, emailID string) error {
	_, err := tx.Exec(`INSERT INTO form_outbox(id, kind, target, ref, body, created_at) VALUES(?, 'user_email', ?, ?, '', ?)
		ON CONFLICT(id) DO NOTHING`, id, to, emailID, tx.NowMs())
	if err == nil {
		tx.Signal("form_outbox", "")
	}
	return err
}
