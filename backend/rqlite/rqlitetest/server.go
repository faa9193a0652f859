// Package rqlitetest is an in-process stand-in for an rqlite cluster's HTTP API over one
// SQLite database, with the failure modes measured against real rqlite (SYNC.md §2.1, §4.3):
//
//   - DropAfterCommit: the write commits, then the connection is cut (the client cannot
//     know it committed);
//   - ErrorNoCommit: HTTP 200 with a top-level "error" and no results, nothing applied (what
//     a follower answers when forwarding to a dead leader);
//   - Unavailable: 503 "leader not found", nothing applied;
//   - Refused: the connection is cut before anything happens;
//   - latency, a leader kill with an election window, a client partition, and a follower
//     that serves level=none reads from a replica lagging by k write requests.
//
// All writes are serialised through one connection, so AUTOINCREMENT sequence numbers are
// assigned in log order exactly as rqlite's FSM does.
package rqlitetest

import (
	"database/sql"
	"encoding/json"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // the "sqlite3" driver
)

// Fault is an injected failure of one write request.
type Fault int

// The failure modes.
const (
	NoFault Fault = iota
	DropAfterCommit
	ErrorNoCommit
	Unavailable
	Refused
)

func (f Fault) String() string {
	return [...]string{"none", "drop-after-commit", "200-error-no-commit", "503", "refused"}[f]
}

// TB is the part of testing.TB the stand-in needs (a rapid.T or a standalone process can
// provide it too).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
	TempDir() string
}

// Options configure a stand-in cluster.
type Options struct {
	Nodes    int // default 1
	User     string
	Password string
	// Lag makes follower nodes serve level=none reads from a replica that is this many
	// write requests behind the leader (0: followers read the leader's state).
	Lag int
	// Addr makes the first node listen on a fixed address (a standalone stand-in).
	Addr string
	// Path keeps the cluster's database in this file (created when missing, reused and
	// never deleted): benchmarks seed a large team database once.
	Path string
}

// Server is a stand-in cluster.
type Server struct {
	t    TB
	opt  Options
	path string

	mu       sync.Mutex // the Raft log: one write at a time
	db       *sql.DB
	nodes    []*node
	leader   int
	election int // requests still answered 200-with-error after a leader kill
	queue    []Fault
	rnd      *rand.Rand
	prob     map[Fault]float64
	latency  time.Duration
	now      func() time.Time // the cluster's clock (Date headers)
	cut      bool             // client ↔ cluster partition
	minority bool             // the node the client reaches lost quorum: writes fail or are indeterminate

	log     []entry // committed write requests, replayed into the lagging replica
	replica *sql.DB
	applied int

	writes, commits, faults int
}

type entry struct {
	stmts []stmt
	tx    bool
}

type node struct {
	id   string
	srv  *httptest.Server
	down bool
}

// New starts a stand-in cluster; it is closed when the test ends.
func New(t TB, opt Options) *Server {
	t.Helper()
	if opt.Nodes <= 0 {
		opt.Nodes = 1
	}
	s := &Server{t: t, opt: opt, rnd: rand.New(rand.NewSource(1)), prob: map[Fault]float64{}}
	s.path = filepath.Join(t.TempDir(), "rqlite.db")
	if opt.Path != "" {
		s.path = opt.Path
	}
	var err error
	if s.db, err = openDB(s.path); err != nil {
		t.Fatalf("rqlitetest: %v", err)
	}
	if opt.Lag > 0 {
		if s.replica, err = openDB(filepath.Join(t.TempDir(), "replica.db")); err != nil {
			t.Fatalf("rqlitetest: %v", err)
		}
	}
	for i := 0; i < opt.Nodes; i++ {
		n := &node{id: "n" + strconv.Itoa(i+1)}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(n, w, r) })
		if i == 0 && opt.Addr != "" {
			l, err := net.Listen("tcp", opt.Addr)
			if err != nil {
				t.Fatalf("rqlitetest: listen %s: %v", opt.Addr, err)
			}
			n.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
			n.srv.Start()
		} else {
			n.srv = httptest.NewServer(h)
		}
		s.nodes = append(s.nodes, n)
	}
	t.Cleanup(s.Close)
	return s
}

func openDB(path string) (*sql.DB, error) {
	d, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=OFF&_busy_timeout=5000")
	if err != nil {
		return nil, err
	}
	d.SetMaxOpenConns(1)
	return d, nil
}

// Close stops every node.
func (s *Server) Close() {
	for _, n := range s.nodes {
		n.srv.Close()
	}
	s.db.Close()
	if s.replica != nil {
		s.replica.Close()
	}
}

// URL is the first node's address; URLs lists all.
func (s *Server) URL() string { return s.nodes[0].srv.URL }

// URLs lists every node's address, leader first.
func (s *Server) URLs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{s.nodes[s.leader].srv.URL}
	for i, n := range s.nodes {
		if i != s.leader {
			out = append(out, n.srv.URL)
		}
	}
	return out
}

// Stats counts write requests, commits and injected faults so far.
func (s *Server) Stats() (writes, commits, faults int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes, s.commits, s.faults
}

// DB is the cluster's state, for assertions (do not write to it during requests).
func (s *Server) DB() *sql.DB { return s.db }

// Inject queues faults for the next write requests, in order.
func (s *Server) Inject(f ...Fault) {
	s.mu.Lock()
	s.queue = append(s.queue, f...)
	s.mu.Unlock()
}

// Chaos makes every write request fail with the given probabilities (seeded).
func (s *Server) Chaos(seed int64, prob map[Fault]float64) {
	s.mu.Lock()
	s.rnd = rand.New(rand.NewSource(seed))
	s.prob = prob
	s.mu.Unlock()
}

// SetClock sets the cluster's clock, as its responses' Date headers show it.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// SetLatency delays every request.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// Partition cuts (or heals) the network between clients and the whole cluster.
func (s *Server) Partition(cut bool) {
	s.mu.Lock()
	s.cut = cut
	s.mu.Unlock()
}

// Minority puts the reachable nodes in a minority partition: writes answer 503 or
// 200-with-error (alternately) and nothing commits, reads still work (stale).
func (s *Server) Minority(on bool) {
	s.mu.Lock()
	s.minority = on
	s.mu.Unlock()
}

// KillLeader takes the leader down: its connections are cut; the other nodes answer
// 200-with-error for the next `window` writes, then a new leader is elected.
func (s *Server) KillLeader(window int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodes[s.leader].down = true
	s.election = window
	if s.election == 0 {
		s.elect()
	}
}

// Revive brings every downed node back as a follower.
func (s *Server) Revive() {
	s.mu.Lock()
	for _, n := range s.nodes {
		n.down = false
	}
	s.mu.Unlock()
}

func (s *Server) elect() {
	for k := 1; k <= len(s.nodes); k++ {
		i := (s.leader + k) % len(s.nodes)
		if !s.nodes[i].down {
			s.leader = i
			return
		}
	}
}

// Exec runs SQL directly on the cluster's state (operator actions in tests: a restore, a
// schema change from a newer app).
func (s *Server) Exec(q string, args ...any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.db.Exec(q, args...)
	if err == nil && s.replica != nil {
		s.log = append(s.log, entry{stmts: []stmt{{sql: q, args: args}}})
	}
	return err
}

// Snapshot copies the current state to a file (a backup).
func (s *Server) Snapshot() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := filepath.Join(s.t.TempDir(), "backup.db")
	if _, err := s.db.Exec("VACUUM INTO ?", p); err != nil {
		s.t.Fatalf("rqlitetest: snapshot: %v", err)
	}
	return p
}

// Restore replaces the state with a backup (sequence numbers go back in time; the
// operator must change the epoch afterwards).
func (s *Server) Restore(backup string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.db.Close()
	np := filepath.Join(s.t.TempDir(), "restored.db")
	src, err := openDB(backup)
	if err != nil {
		s.t.Fatalf("rqlitetest: restore: %v", err)
	}
	if _, err := src.Exec("VACUUM INTO ?", np); err != nil {
		s.t.Fatalf("rqlitetest: restore: %v", err)
	}
	src.Close()
	if s.db, err = openDB(np); err != nil {
		s.t.Fatalf("rqlitetest: restore: %v", err)
	}
}

func (s *Server) serve(n *node, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	down, cut, lat, now := n.down, s.cut, s.latency, s.now
	s.mu.Unlock()
	if now != nil {
		w.Header().Set("Date", now().UTC().Format(http.TimeFormat))
	}
	if down || cut {
		panic(http.ErrAbortHandler) // connection cut
	}
	if lat > 0 {
		select {
		case <-time.After(lat):
		case <-r.Context().Done():
			return
		}
	}
	if s.opt.User != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != s.opt.User || p != s.opt.Password {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	switch r.URL.Path {
	case "/db/execute":
		s.write(n, w, r, false)
	case "/db/request":
		s.write(n, w, r, true)
	case "/db/query":
		s.query(n, w, r)
	case "/status":
		s.status(n, w)
	case "/nodes":
		s.listNodes(w)
	case "/readyz":
		w.Write([]byte("[+]node ok\n"))
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) write(n *node, w http.ResponseWriter, r *http.Request, unified bool) {
	stmts, err := parseBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	q := r.URL.Query()
	tx := q.Has("transaction")
	s.mu.Lock()
	s.writes++
	fault := s.nextFault()
	isLeader := s.nodes[s.leader] == n && !s.nodes[s.leader].down
	if !isLeader && s.nodes[s.leader].down {
		if s.election > 0 {
			s.election--
			fault = ErrorNoCommit
		} else {
			s.elect()
			isLeader = s.nodes[s.leader] == n
		}
	}
	if s.minority {
		if s.writes%2 == 0 {
			fault = Unavailable
		} else {
			fault = ErrorNoCommit
		}
	}
	if !isLeader && fault == NoFault && q.Has("redirect") {
		loc := s.nodes[s.leader].srv.URL + r.URL.RequestURI()
		s.mu.Unlock()
		http.Redirect(w, r, loc, http.StatusMovedPermanently)
		return
	}
	switch fault {
	case ErrorNoCommit:
		s.faults++
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"results": []any{}, "error": "dial tcp 127.0.0.1:4002: connect: connection refused"})
		return
	case Unavailable:
		s.faults++
		s.mu.Unlock()
		http.Error(w, "leader not found", http.StatusServiceUnavailable)
		return
	case Refused:
		s.faults++
		s.mu.Unlock()
		panic(http.ErrAbortHandler)
	}
	results, committed := run(r.Context(), s.db, stmts, tx, unified)
	if committed {
		s.commits++
		if s.replica != nil {
			s.log = append(s.log, entry{stmts: stmts, tx: tx})
		}
	}
	s.mu.Unlock()
	if fault == DropAfterCommit {
		s.mu.Lock()
		s.faults++
		s.mu.Unlock()
		panic(http.ErrAbortHandler)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

func (s *Server) nextFault() Fault {
	if len(s.queue) > 0 {
		f := s.queue[0]
		s.queue = s.queue[1:]
		return f
	}
	if len(s.prob) == 0 {
		return NoFault
	}
	x := s.rnd.Float64()
	for _, f := range []Fault{DropAfterCommit, ErrorNoCommit, Unavailable, Refused} {
		if x < s.prob[f] {
			return f
		}
		x -= s.prob[f]
	}
	return NoFault
}

func (s *Server) query(n *node, w http.ResponseWriter, r *http.Request) {
	stmts, err := parseBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	level := r.URL.Query().Get("level")
	s.mu.Lock()
	defer s.mu.Unlock()
	target := s.db
	if s.replica != nil && level == "none" && s.nodes[s.leader] != n {
		// A lagging follower: replay the log up to len-Lag and read there.
		upto := len(s.log) - s.opt.Lag
		for ; s.applied < upto; s.applied++ {
			e := s.log[s.applied]
			run(r.Context(), s.replica, e.stmts, e.tx, false)
		}
		target = s.replica
	}
	results := make([]map[string]any, 0, len(stmts))
	for _, st := range stmts {
		if !readOnly(st.sql) {
			results = append(results, map[string]any{"error": "attempt to change database via query operation"})
			continue
		}
		results = append(results, queryOne(r.Context(), target, st))
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

func (s *Server) status(n *node, w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := "Follower"
	if s.nodes[s.leader] == n {
		state = "Leader"
	}
	l := s.nodes[s.leader]
	writeJSON(w, http.StatusOK, map[string]any{
		"build": map[string]any{"version": "rqlitetest"},
		"store": map[string]any{
			"node_id": n.id,
			"leader":  map[string]any{"addr": strings.TrimPrefix(l.srv.URL, "http://"), "node_id": l.id},
			"raft":    map[string]any{"state": state, "term": 1},
		},
	})
}

func (s *Server) listNodes(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	for i, n := range s.nodes {
		out[n.id] = map[string]any{"api_addr": n.srv.URL, "addr": strings.TrimPrefix(n.srv.URL, "http://"),
			"reachable": !n.down, "leader": i == s.leader, "voter": true}
	}
	writeJSON(w, http.StatusOK, out)
}
