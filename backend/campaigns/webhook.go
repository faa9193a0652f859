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
)

// webhookBatch caps the webhooks sent in one transaction (the writer waits for them); the
// rest of the group stays due for the next batch.
const webhookBatch = 50

// webhooks calls the URL for each contact of the batch (concurrently, with a timeout).
// 5xx answers, timeouts and network errors are retried later (1, 5, 25 minutes); 4xx fail
// for good. The log row id travels as Idempotency-Key so a receiver can drop a repeat
// after a crash between the call and the commit.
func (x *execCtx) webhooks(c *compiled, ev *Event) error {
	tx := x.tx
	if _, err := tx.Exec("DELETE FROM camp_batch WHERE log_id NOT IN (SELECT log_id FROM camp_batch WHERE ok = 1 ORDER BY log_id LIMIT ?) AND ok = 1", webhookBatch); err != nil {
		return err
	}
	rows, err := tx.Query(`SELECT b.log_id, c.id, coalesce(c.email, ''), coalesce(c.firstname, ''), coalesce(c.lastname, '')
		FROM camp_batch b JOIN contacts c ON c.id = b.contact_id WHERE b.ok = 1`)
	if err != nil {
		return err
	}
	type call struct {
		logID  int64
		body   []byte
		ok     int
		reason string
	}
	var calls []*call
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
		calls = append(calls, &call{logID: logID, body: b})
	}
	rows.Close()
	method := strings.ToUpper(ev.Prop("method"))
	if method == "" {
		method = http.MethodPost
	}
	timeout := 10 * time.Second
	if n, ok := ev.PropNumber("timeout"); ok && n > 0 && n <= 60 {
		timeout = time.Duration(n * float64(time.Second))
	}
	client := x.s.deps.HTTP
	if client == nil {
		client = &http.Client{}
	}
	headers, _ := ev.Props["headers"].(map[string]any)
	url := ev.Prop("url")
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, cl := range calls {
		wg.Add(1)
		sem <- struct{}{}
		go func(cl *call) {
			defer func() { <-sem; wg.Done() }()
			cl.ok, cl.reason = send(client, method, url, headers, cl.body, timeout, cl.logID)
		}(cl)
	}
	wg.Wait()
	for _, cl := range calls {
		if cl.ok != okDone {
			if err := x.mark(cl.logID, cl.ok, cl.reason); err != nil {
				return err
			}
		}
	}
	return nil
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
