package tracking

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// RqliteStore writes hits into the team's rqlite cluster: one POST /db/execute?transaction
// per batch with INSERT … ON CONFLICT(id) DO NOTHING per hit. A batch counts as stored only
// when the answer has no top-level error and exactly one result per statement without error
// (rqlite answers HTTP 200 with a top-level error and no results when a follower cannot reach
// the leader — SYNC.md §0 finding 3); anything else is indeterminate and the pump retries the
// whole (idempotent) batch.
type RqliteStore struct {
	urls   []string
	user   string
	pass   string
	client *http.Client
	next   atomic.Uint32
}

// NewRqliteStore checks the node URLs.
func NewRqliteStore(urls []string, user, pass string) (*RqliteStore, error) {
	if len(urls) == 0 {
		return nil, errors.New("tracking: --rqlite needs at least one node URL")
	}
	for i, u := range urls {
		p, err := url.Parse(strings.TrimRight(u, "/"))
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("tracking: rqlite node %q must look like http://host:4001", u)
		}
		urls[i] = p.String()
	}
	return &RqliteStore{urls: urls, user: user, pass: pass, client: &http.Client{Timeout: 15 * time.Second}}, nil
}

// Name says where hits go.
func (s *RqliteStore) Name() string { return "rqlite:" + strings.Join(s.urls, ",") }

// hitsDDL creates the cluster's hits table (same shape as the local one).
const hitsDDL = `CREATE TABLE IF NOT EXISTS hits(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
kind TEXT NOT NULL, at INTEGER NOT NULL, device_id TEXT, contact_id TEXT, email_id TEXT, send_id TEXT, form_id TEXT,
url TEXT, title TEXT, referrer TEXT, lang TEXT, user_agent TEXT, ip TEXT, bot INTEGER NOT NULL DEFAULT 0, data TEXT)`

// EnsureSchema creates the hits table when missing.
func (s *RqliteStore) EnsureSchema(ctx context.Context) error {
	_, err := s.execute(ctx, [][]any{{hitsDDL}})
	return err
}

// StoreHits writes one batch in one rqlite transaction.
func (s *RqliteStore) StoreHits(ctx context.Context, hits []Hit) error {
	stmts := make([][]any, len(hits))
	for i := range hits {
		stmts[i] = append([]any{insertHitSQL}, hitArgs(&hits[i])...)
	}
	_, err := s.execute(ctx, stmts)
	return err
}

type rqResult struct {
	Error        string `json:"error"`
	RowsAffected int64  `json:"rows_affected"`
}

type rqResponse struct {
	Results []rqResult `json:"results"`
	Error   string     `json:"error"`
}

// ErrIndeterminate means rqlite did not confirm every statement; retry idempotently.
var ErrIndeterminate = errors.New("tracking: rqlite did not confirm the write")

func (s *RqliteStore) execute(ctx context.Context, stmts [][]any) ([]rqResult, error) {
	body, err := json.Marshal(stmts)
	if err != nil {
		return nil, err
	}
	var lastErr error
	start := int(s.next.Load())
	for i := range s.urls {
		node := s.urls[(start+i)%len(s.urls)]
		res, err := s.post(ctx, node, body, len(stmts))
		if err == nil {
			return res, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.next.Store(uint32((start + i + 1) % len(s.urls)))
	}
	return nil, lastErr
}

func (s *RqliteStore) post(ctx context.Context, node string, body []byte, n int) ([]rqResult, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", node+"/db/execute?transaction&timeout=10s", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.user != "" {
		req.SetBasicAuth(s.user, s.pass)
	}
	resp, err := s.client.Do(req) // follows 301/307 leader redirects, re-sending the body
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrIndeterminate, node, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading answer: %v", ErrIndeterminate, node, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s answered %d: %.200s", ErrIndeterminate, node, resp.StatusCode, raw)
	}
	var r rqResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("%w: %s: unreadable answer: %v", ErrIndeterminate, node, err)
	}
	if r.Error != "" {
		return nil, fmt.Errorf("%w: %s: %s", ErrIndeterminate, node, r.Error)
	}
	if len(r.Results) != n {
		return nil, fmt.Errorf("%w: %s: %d results for %d statements", ErrIndeterminate, node, len(r.Results), n)
	}
	for i, res := range r.Results {
		if res.Error != "" {
			return nil, fmt.Errorf("tracking: rqlite statement %d: %s", i+1, res.Error)
		}
	}
	return r.Results, nil
}
