package campaigns

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"magpie/backend/db"
)

// webhookBatch caps the webhooks one batch prepares (the runner waits for their answers
// before its next batch); the rest of the group stays due for the next batch.
const webhookBatch = 50

// hookCall is one webhook to call after the batch commits.
type hookCall struct {
	logID   int64
	method  string
	url     string
	headers map[string]any
	body    []byte
	timeout time.Duration
	ok      int
	reason  string
}

// webhooks runs a webhook step in two transactions, the HTTP call between them (never
// inside a transaction: the writer is not held for a slow receiver). First batch: the
// payload is built, the step is pushed a lease ahead (still scheduled) and the call queued
// in x.calls; step() calls after commit and stores each outcome in campaign_calls with the
// step due at once. Next batch: the stored outcome is applied here — done, retried later
// (5xx, 429, timeouts, network errors: 1, 5, 25 minutes) or failed for good (4xx). A crash
// between commit and stored outcome: the lease ends, the step is due, the call is made
// again with the same Idempotency-Key (the log row) — a repeat, never a lost step.
func (x *execCtx) webhooks(c *compiled, ev *Event) error {
	tx := x.tx
	// Outcomes already known (ok + 10 marks them while the others are prepared).
	if _, err := tx.Exec(`UPDATE camp_batch SET ok = 10 + r.ok, reason = r.reason FROM campaign_calls r
		WHERE r.log_id = camp_batch.log_id AND camp_batch.ok = 1`); err != nil {
		return err
	}
	if _, err := tx.Exec("DELETE FROM campaign_calls WHERE log_id IN (SELECT log_id FROM camp_batch WHERE ok >= 10)"); err != nil {
		return err
	}
	// At most webhookBatch calls per batch; the others wait for the next (ok = 5: untouched).
	if _, err := tx.Exec(`UPDATE camp_batch SET ok = 5 WHERE ok = 1 AND log_id NOT IN
		(SELECT log_id FROM camp_batch WHERE ok = 1 ORDER BY log_id LIMIT ?)`, webhookBatch); err != nil {
		return err
	}
	if x.s.dryRun {
		// Simulate: nobody is called; the step counts as done.
		_, err := tx.Exec("UPDATE camp_batch SET ok = ok - 10 WHERE ok >= 10")
		return err
	}
	rows, err := tx.Query(`SELECT b.log_id, c.id, coalesce(c.email, ''), coalesce(c.firstname, ''), coalesce(c.lastname, '')
		FROM camp_batch b JOIN contacts c ON c.id = b.contact_id WHERE b.ok = 1`)
	if err != nil {
		return err
	}
	method := strings.ToUpper(ev.Prop("method"))
	if method == "" {
		method = http.MethodPost
	}
	timeout := 10 * time.Second
	if n, ok := ev.PropNumber("timeout"); ok && n > 0 && n <= 60 {
		timeout = time.Duration(n * float64(time.Second))
	}
	headers, _ := ev.Props["headers"].(map[string]any)
	var calls []*hookCall
	for rows.Next() {
		var logID int64
		var id, email, first, last string
		if err := rows.Scan(&logID, &id, &email, &first, &last); err != nil {
			rows.Close()
			return err
		}
		payload := map[string]any{"contact": map[string]any{"id": id, "email": email, "firstname": first, "lastname": last},
			"campaign": map[string]any{"id": c.id, "name": c.name}, "event": map[string]any{"id": ev.ID, "name": ev.Name}}
		if d, ok := ev.Props["data"].(map[string]any); ok {
			payload["data"] = d
		}
		b, _ := json.Marshal(payload)
		calls = append(calls, &hookCall{logID: logID, method: method, url: ev.Prop("url"), headers: headers, body: b, timeout: timeout})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(calls) > 0 {
		// The lease: longer than the call can take, so a live runner stores the outcome first.
		lease := x.nowMs() + (2*timeout + time.Minute).Milliseconds()
		if _, err := tx.Exec(`UPDATE campaign_log SET trigger_at = ? WHERE id IN (SELECT log_id FROM camp_batch WHERE ok = 1)`, lease); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE camp_batch SET ok = 5 WHERE ok = 1"); err != nil {
			return err
		}
		x.calls = append(x.calls, calls...)
	}
	_, err = tx.Exec("UPDATE camp_batch SET ok = ok - 10 WHERE ok >= 10")
	return err
}

// callWebhooks makes the calls a committed batch queued (8 at a time) and stores their
// outcomes in one transaction, the steps due at now: the next batch applies them.
func (s *Service) callWebhooks(ctx context.Context, now time.Time, calls []*hookCall) error {
	client := s.deps.HTTP
	if client == nil {
		client = &http.Client{}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, cl := range calls {
		wg.Add(1)
		sem <- struct{}{}
		go func(cl *hookCall) {
			defer func() { <-sem; wg.Done() }()
			cl.ok, cl.reason = send(client, cl.method, cl.url, cl.headers, cl.body, cl.timeout, cl.logID)
		}(cl)
	}
	wg.Wait()
	if s.afterCalls != nil && !s.afterCalls() {
		return nil // tests: the process "died" before storing the outcomes
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		vals := make([][]any, len(calls))
		for i, cl := range calls {
			var reason any
			if cl.reason != "" {
				reason = cl.reason
			}
			vals[i] = []any{cl.logID, cl.ok, reason, ms(now)}
		}
		if err := tx.ExecMany("INSERT OR REPLACE INTO campaign_calls(log_id, ok, reason, at)", "", 4, vals); err != nil {
			return err
		}
		for _, cl := range calls {
			if _, err := tx.Exec("UPDATE campaign_log SET trigger_at = ? WHERE id = ? AND status = 'scheduled'", ms(now), cl.logID); err != nil {
				return err
			}
		}
		return nil
	})
}

func send(client *http.Client, method, url string, headers map[string]any, body []byte, timeout time.Duration, logID int64) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var rd io.Reader
	if method != http.MethodGet && method != http.MethodDelete {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return okFailEnd, "webhook: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", fmt.Sprintf("magpie-campaign-%d", logID))
	for k, v := range headers {
		req.Header.Set(k, fmt.Sprint(v))
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return okFail, fmt.Sprintf("webhook: no answer within %s", timeout)
		}
		return okFail, "webhook: " + err.Error()
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return okFail, fmt.Sprintf("webhook: the server answered %d", resp.StatusCode)
	case resp.StatusCode >= 400:
		return okFailEnd, fmt.Sprintf("webhook: the server answered %d", resp.StatusCode)
	}
	return okDone, ""
}
