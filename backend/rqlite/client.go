// Package rqlite is Magpie's small client for rqlite's HTTP API (/db/execute, /db/query,
// /db/request, /status, /nodes). It exists instead of using gorqlite directly because of
// three facts measured in ../shared/SYNC.md §2.11:
//
//   - rqlite may answer HTTP 200 with a top-level "error" and no results when forwarding to
//     the leader fails; gorqlite reports that as success and the write is silently lost.
//     Here a write succeeds only on 200, no top-level error and one result per statement;
//     anything else is ErrIndeterminate (it may or may not have committed), so callers resend
//     idempotent statements.
//   - gorqlite decodes numbers as float64 and corrupts integers above 2^53; this client
//     decodes with UseNumber, so integers come back exact.
//   - every call has a context deadline, basic auth, TLS options and explicit leader
//     redirects (a POST is re-sent, never turned into a GET).
package rqlite

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Level is a read consistency level.
type Level string

// The read consistency levels of rqlite.
const (
	None         Level = "none"
	Weak         Level = "weak"
	Linearizable Level = "linearizable"
	Strong       Level = "strong"
)

// Statement is one SQL statement with positional arguments.
type Statement struct {
	SQL  string
	Args []any
}

// S builds a statement.
func S(sql string, args ...any) Statement { return Statement{SQL: sql, Args: args} }

// Result is the result of one statement: write fields for writes, rows for reads.
type Result struct {
	LastInsertID int64    `json:"last_insert_id"`
	RowsAffected int64    `json:"rows_affected"`
	Columns      []string `json:"columns"`
	Types        []string `json:"types"`
	Values       [][]any  `json:"values"`
	Error        string   `json:"error"`
}

// Config configures a client.
type Config struct {
	// URLs of the cluster's nodes; the client tries them in order and sticks to the last
	// one that answered.
	URLs     []string
	User     string
	Password string
	// TLS overrides the TLS client configuration (custom CA, InsecureSkipVerify).
	TLS *tls.Config
	// Timeout bounds one HTTP exchange (default 10 s); the caller's context bounds the call.
	Timeout time.Duration
	// Unguarded disables the result-count and top-level-error checks, reproducing
	// gorqlite's behaviour. Only for the negative-control tests.
	Unguarded bool
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
}

// Client talks to one rqlite cluster. It is safe for concurrent use.
type Client struct {
	cfg    Config
	http   *http.Client
	mu     sync.Mutex
	cur    int // index of the node that answered last
	offset atomic.Int64
	hasOff atomic.Bool
	date   atomic.Int64 // last Date header, Unix ms (+500 ms: the header truncates)
}

// ErrIndeterminate means the request may or may not have been applied: a transport error,
// a 5xx, a 200 with a top-level error, or fewer results than statements. Resend the same
// idempotent statements.
var ErrIndeterminate = errors.New("rqlite: no confirmed answer from the cluster")

// ErrAuth means the cluster refused the credentials (401/403).
var ErrAuth = errors.New("rqlite: credentials refused")

// StatementError is a definite failure of one statement (a constraint, a syntax error).
// With a transaction nothing of the request was applied.
type StatementError struct {
	Index int
	SQL   string
	Msg   string
}

func (e *StatementError) Error() string {
	return fmt.Sprintf("rqlite: statement %d (%s) failed: %s", e.Index+1, shorten(e.SQL), e.Msg)
}

// New builds a client; it does not touch the network.
func New(cfg Config) (*Client, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("rqlite: no cluster URL given")
	}
	for i, u := range cfg.URLs {
		p, err := url.Parse(strings.TrimSpace(u))
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("rqlite: cluster URL %q is not an http(s)://host:port address", u)
		}
		if p.User != nil && cfg.User == "" {
			cfg.User = p.User.Username()
			cfg.Password, _ = p.User.Password()
		}
		p.User = nil
		p.Path = strings.TrimSuffix(p.Path, "/")
		p.RawQuery = ""
		cfg.URLs[i] = p.String()
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	tr := cfg.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = cfg.TLS
		t.MaxIdleConnsPerHost = 4
		tr = t
	}
	hc := &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		// Redirects are followed by hand: net/http would turn a redirected POST into a GET.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Client{cfg: cfg, http: hc}, nil
}

// URLs returns the configured node URLs.
func (c *Client) URLs() []string { return append([]string(nil), c.cfg.URLs...) }

// ServerOffset is the cluster's clock minus ours, estimated from the Date header of the
// last response (second resolution); ok is false before any response.
func (c *Client) ServerOffset() (time.Duration, bool) {
	return time.Duration(c.offset.Load()), c.hasOff.Load()
}

// ServerDate is the cluster's clock as the Date header of the last response said (plus half
// a second, the header's truncation); ok is false before any response.
func (c *Client) ServerDate() (time.Time, bool) {
	ms := c.date.Load()
	return time.UnixMilli(ms).UTC(), ms != 0
}

// Execute runs write statements in one request. With tx they run in one SQLite
// transaction (all or nothing). It returns ErrIndeterminate (wrapped) when the outcome is
// unknown and *StatementError when a statement definitely failed.
func (c *Client) Execute(ctx context.Context, tx bool, stmts ...Statement) ([]Result, error) {
	q := url.Values{}
	if tx {
		q.Set("transaction", "")
	}
	return c.do(ctx, "/db/execute", q, stmts, true)
}

// Query runs read statements at the given level.
func (c *Client) Query(ctx context.Context, level Level, stmts ...Statement) ([]Result, error) {
	q := url.Values{}
	if level != "" {
		q.Set("level", string(level))
	}
	return c.do(ctx, "/db/query", q, stmts, false)
}

// Request runs a mix of reads and writes on the unified endpoint, in one transaction when
// tx is set. Its outcome rules are those of Execute.
func (c *Client) Request(ctx context.Context, tx bool, level Level, stmts ...Statement) ([]Result, error) {
	q := url.Values{}
	if tx {
		q.Set("transaction", "")
	}
	if level != "" {
		q.Set("level", string(level))
	}
	return c.do(ctx, "/db/request", q, stmts, true)
}

type response struct {
	Results []Result `json:"results"`
	Error   string   `json:"error"`
}

func (c *Client) do(ctx context.Context, path string, q url.Values, stmts []Statement, write bool) ([]Result, error) {
	if len(stmts) == 0 {
		return nil, nil
	}
	body, err := encodeStatements(stmts)
	if err != nil {
		return nil, err
	}
	raw, err := c.post(ctx, path, q, body)
	if err != nil {
		return nil, err
	}
	var r response
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: unreadable response from %s: %v", ErrIndeterminate, path, err)
	}
	for i := range r.Results {
		for _, row := range r.Results[i].Values {
			for j, v := range row {
				row[j] = normalize(v)
			}
		}
	}
	if c.cfg.Unguarded {
		// gorqlite's behaviour: only per-result errors count.
		for i, res := range r.Results {
			if res.Error != "" {
				return r.Results, &StatementError{Index: i, SQL: stmts[i].SQL, Msg: res.Error}
			}
		}
		return r.Results, nil
	}
	if r.Error != "" {
		if write {
			return nil, fmt.Errorf("%w: cluster answered 200 with error %q", ErrIndeterminate, r.Error)
		}
		return nil, fmt.Errorf("rqlite: %s failed: %s", path, r.Error)
	}
	for i, res := range r.Results {
		if res.Error != "" {
			if i >= len(stmts) {
				break
			}
			return r.Results, &StatementError{Index: i, SQL: stmts[i].SQL, Msg: res.Error}
		}
	}
	if len(r.Results) != len(stmts) {
		if write {
			return nil, fmt.Errorf("%w: %d results for %d statements", ErrIndeterminate, len(r.Results), len(stmts))
		}
		return nil, fmt.Errorf("rqlite: %s returned %d results for %d statements", path, len(r.Results), len(stmts))
	}
	return r.Results, nil
}

// post sends body to path, trying every node from the current one, following leader
// redirects. Only a 200 body is returned; the error says what happened on the last node.
func (c *Client) post(ctx context.Context, path string, q url.Values, body []byte) ([]byte, error) {
	c.mu.Lock()
	start := c.cur
	c.mu.Unlock()
	n := len(c.cfg.URLs)
	var last error
	for k := 0; k < n; k++ {
		i := (start + k) % n
		target := c.cfg.URLs[i] + path
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
		raw, err := c.send(ctx, target, body, 3)
		if err == nil {
			c.mu.Lock()
			c.cur = i
			c.mu.Unlock()
			return raw, nil
		}
		last = err
		if errors.Is(err, ErrAuth) || ctx.Err() != nil {
			return nil, err
		}
		var se *StatementError
		if errors.As(err, &se) {
			return nil, err
		}
	}
	return nil, last
}

func (c *Client) send(ctx context.Context, target string, body []byte, redirects int) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.cfg.User != "" {
		req.SetBasicAuth(c.cfg.User, c.cfg.Password)
	}
	sent := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrIndeterminate, describeTransport(err))
	}
	defer resp.Body.Close()
	c.noteDate(resp.Header.Get("Date"), sent)
	raw, rerr := readBody(ctx, resp)
	switch {
	case resp.StatusCode == http.StatusOK:
		if rerr != nil {
			return nil, fmt.Errorf("%w: response cut: %v", ErrIndeterminate, rerr)
		}
		return raw, nil
	case resp.StatusCode == http.StatusMovedPermanently || resp.StatusCode == http.StatusTemporaryRedirect ||
		resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusPermanentRedirect:
		loc, err := resp.Location()
		if err != nil || redirects == 0 {
			return nil, fmt.Errorf("%w: bad leader redirect from %s", ErrIndeterminate, hostOf(target))
		}
		return c.send(ctx, loc.String(), body, redirects-1)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("%w by %s (HTTP %d): check the user and password", ErrAuth, hostOf(target), resp.StatusCode)
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("%w: %s answered HTTP %d: %s", ErrIndeterminate, hostOf(target), resp.StatusCode, shorten(strings.TrimSpace(string(raw))))
	default:
		return nil, fmt.Errorf("rqlite: %s answered HTTP %d: %s", hostOf(target), resp.StatusCode, shorten(strings.TrimSpace(string(raw))))
	}
}

func (c *Client) noteDate(h string, sent time.Time) {
	if h == "" {
		return
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return
	}
	c.date.Store(t.Add(500 * time.Millisecond).UnixMilli())
	now := time.Now()
	mid := sent.Add(now.Sub(sent) / 2)
	// Date has second resolution: the server's true time lies in [t, t+1s).
	c.offset.Store(int64(t.Add(500 * time.Millisecond).Sub(mid)))
	c.hasOff.Store(true)
}

// get fetches a JSON document (status, nodes) from the current node or the next ones.
func (c *Client) get(ctx context.Context, path string, v any) error {
	var last error
	for _, base := range c.cfg.URLs {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return err
		}
		if c.cfg.User != "" {
			req.SetBasicAuth(c.cfg.User, c.cfg.Password)
		}
		sent := time.Now()
		resp, err := c.http.Do(req)
		if err != nil {
			last = fmt.Errorf("rqlite: %s", describeTransport(err))
			continue
		}
		c.noteDate(resp.Header.Get("Date"), sent)
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			return fmt.Errorf("%w by %s (HTTP %d): check the user and password", ErrAuth, hostOf(base), resp.StatusCode)
		}
		if resp.StatusCode != http.StatusOK {
			last = fmt.Errorf("rqlite: %s%s answered HTTP %d", hostOf(base), path, resp.StatusCode)
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		return dec.Decode(v)
	}
	return last
}

// Node is one cluster member as /nodes reports it.
type Node struct {
	ID        string `json:"id"`
	APIAddr   string `json:"api_addr"`
	Addr      string `json:"addr"`
	Reachable bool   `json:"reachable"`
	Leader    bool   `json:"leader"`
	Voter     bool   `json:"voter"`
	Error     string `json:"error,omitempty"`
}

// Nodes lists the cluster members (both the v8 map and the v9 ?ver=2 list shapes).
func (c *Client) Nodes(ctx context.Context) ([]Node, error) {
	var raw json.RawMessage
	if err := c.get(ctx, "/nodes?nonvoters", &raw); err != nil {
		return nil, err
	}
	var list struct {
		Nodes []Node `json:"nodes"`
	}
	if err := json.Unmarshal(raw, &list); err == nil && list.Nodes != nil {
		return list.Nodes, nil
	}
	var m map[string]Node
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("rqlite: unreadable /nodes answer: %v", err)
	}
	out := make([]Node, 0, len(m))
	for id, n := range m {
		if n.ID == "" {
			n.ID = id
		}
		out = append(out, n)
	}
	return out, nil
}

// Status is the part of /status Magpie uses.
type Status struct {
	Version  string
	Leader   string // leader's raft address
	State    string // Leader, Follower, Candidate
	NodeID   string
	RaftTerm string
}

// Status asks one node for its status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s struct {
		Build struct {
			Version string `json:"version"`
		} `json:"build"`
		Store struct {
			NodeID string `json:"node_id"`
			Leader struct {
				Addr   string `json:"addr"`
				NodeID string `json:"node_id"`
			} `json:"leader"`
			Raft struct {
				State string      `json:"state"`
				Term  json.Number `json:"term"`
			} `json:"raft"`
		} `json:"store"`
	}
	if err := c.get(ctx, "/status", &s); err != nil {
		return Status{}, err
	}
	return Status{Version: s.Build.Version, Leader: s.Store.Leader.Addr, State: s.Store.Raft.State,
		NodeID: s.Store.NodeID, RaftTerm: s.Store.Raft.Term.String()}, nil
}

func encodeStatements(stmts []Statement) ([]byte, error) {
	arr := make([]any, len(stmts))
	for i, s := range stmts {
		if len(s.Args) == 0 {
			arr[i] = []any{s.SQL}
			continue
		}
		one := make([]any, 0, len(s.Args)+1)
		one = append(one, s.SQL)
		for j, a := range s.Args {
			switch v := a.(type) {
			case nil, string, bool, int, int64, int32, float64, json.Number:
				one = append(one, v)
			case *string: // bound by reference, as backend/db's packed statements take them
				one = append(one, *v)
			case *int64:
				one = append(one, *v)
			case uint64:
				if v > 1<<63-1 {
					return nil, fmt.Errorf("rqlite: statement %d argument %d: %d does not fit an SQLite integer", i+1, j+1, v)
				}
				one = append(one, v)
			case []byte:
				// rqlite takes blobs as byte arrays.
				ints := make([]int, len(v))
				for k, b := range v {
					ints[k] = int(b)
				}
				one = append(one, ints)
			default:
				return nil, fmt.Errorf("rqlite: statement %d argument %d: unsupported type %T", i+1, j+1, a)
			}
		}
		arr[i] = one
	}
	return json.Marshal(arr)
}

// normalize turns json.Number into int64 when it is an integer, else float64.
func normalize(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i
	}
	f, _ := strconv.ParseFloat(string(n), 64)
	return f
}

func describeTransport(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "x509") || strings.Contains(s, "tls:"):
		return "TLS handshake failed (certificate not trusted or wrong protocol): " + s
	case strings.Contains(s, "connection refused"):
		return "connection refused (is the cluster running at that address?): " + s
	case strings.Contains(s, "no such host"):
		return "unknown host: " + s
	case strings.Contains(s, "Client.Timeout") || strings.Contains(s, "deadline exceeded"):
		return "timed out: " + s
	}
	return s
}

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Host
	}
	return u
}

func shorten(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}
