package rqlite_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rqlite/gorqlite"

	"magpie/backend/rqlite"
	"magpie/backend/rqlite/rqlitetest"
)

func newClient(t *testing.T, cfg rqlite.Config) *rqlite.Client {
	t.Helper()
	c, err := rqlite.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func setup(t *testing.T, srv *rqlitetest.Server) {
	t.Helper()
	if err := srv.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT UNIQUE, n INTEGER, f REAL, s TEXT)"); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, srv *rqlitetest.Server) int {
	t.Helper()
	var n int
	if err := srv.DB().QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Each failure mode must surface as the right class of error, and the state must match
// what the fault did (committed or not).
func TestExecuteFaults(t *testing.T) {
	cases := []struct {
		fault     rqlitetest.Fault
		wantIndet bool
		committed bool
	}{
		{rqlitetest.NoFault, false, true},
		{rqlitetest.DropAfterCommit, true, true},
		{rqlitetest.ErrorNoCommit, true, false},
		{rqlitetest.Unavailable, true, false},
		{rqlitetest.Refused, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.fault.String(), func(t *testing.T) {
			srv := rqlitetest.New(t, rqlitetest.Options{})
			setup(t, srv)
			c := newClient(t, rqlite.Config{URLs: []string{srv.URL()}, Timeout: 2 * time.Second})
			srv.Inject(tc.fault)
			_, err := c.Execute(context.Background(), true,
				rqlite.S("INSERT INTO t(k, n) VALUES(?, ?) ON CONFLICT(k) DO NOTHING", "a", 1),
				rqlite.S("INSERT INTO t(k, n) VALUES(?, ?) ON CONFLICT(k) DO NOTHING", "b", 2))
			if got := errors.Is(err, rqlite.ErrIndeterminate); got != tc.wantIndet {
				t.Fatalf("err = %v, indeterminate = %v, want %v", err, got, tc.wantIndet)
			}
			if !tc.wantIndet && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			want := 0
			if tc.committed {
				want = 2
			}
			if n := count(t, srv); n != want {
				t.Fatalf("rows = %d, want %d", n, want)
			}
			// The idempotent resend always ends with exactly the two rows.
			if _, err := c.Execute(context.Background(), true,
				rqlite.S("INSERT INTO t(k, n) VALUES(?, ?) ON CONFLICT(k) DO NOTHING", "a", 1),
				rqlite.S("INSERT INTO t(k, n) VALUES(?, ?) ON CONFLICT(k) DO NOTHING", "b", 2)); err != nil {
				t.Fatal(err)
			}
			if n := count(t, srv); n != 2 {
				t.Fatalf("after resend rows = %d, want 2", n)
			}
		})
	}
}

// The negative control: a client without the guard (ours with Unguarded, and gorqlite
// itself) is told "success" for a write that was never stored.
func TestUnguardedClientsLoseWrites(t *testing.T) {
	srv := rqlitetest.New(t, rqlitetest.Options{})
	setup(t, srv)
	un := newClient(t, rqlite.Config{URLs: []string{srv.URL()}, Unguarded: true})
	srv.Inject(rqlitetest.ErrorNoCommit)
	if _, err := un.Execute(context.Background(), true, rqlite.S("INSERT INTO t(k) VALUES('x')")); err != nil {
		t.Fatalf("unguarded client should report success, got %v", err)
	}
	if n := count(t, srv); n != 0 {
		t.Fatalf("rows = %d; the fault should not commit", n)
	}

	conn, err := gorqlite.Open(srv.URL() + "/?disableClusterDiscovery=true")
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(rqlitetest.ErrorNoCommit)
	_, err = conn.WriteParameterized([]gorqlite.ParameterizedStatement{{Query: "INSERT INTO t(k) VALUES(?)", Arguments: []any{"y"}}})
	if err != nil {
		t.Fatalf("gorqlite now reports the lost write (%v): the negative control no longer reproduces SYNC.md §2.11", err)
	}
	if n := count(t, srv); n != 0 {
		t.Fatalf("rows = %d; want the write lost", n)
	}
	// Our guarded client catches the same response.
	g := newClient(t, rqlite.Config{URLs: []string{srv.URL()}})
	srv.Inject(rqlitetest.ErrorNoCommit)
	if _, err := g.Execute(context.Background(), true, rqlite.S("INSERT INTO t(k) VALUES('z')")); !errors.Is(err, rqlite.ErrIndeterminate) {
		t.Fatalf("guarded client: err = %v, want indeterminate", err)
	}
}

func TestStatementErrorIsDefinite(t *testing.T) {
	srv := rqlitetest.New(t, rqlitetest.Options{})
	setup(t, srv)
	c := newClient(t, rqlite.Config{URLs: []string{srv.URL()}})
	_, err := c.Execute(context.Background(), true,
		rqlite.S("INSERT INTO t(k) VALUES('a')"),
		rqlite.S("INSERT INTO nosuch(k) VALUES('a')"))
	var se *rqlite.StatementError
	if !errors.As(err, &se) || se.Index != 1 || !strings.Contains(se.Msg, "no such table") {
		t.Fatalf("err = %v, want statement 2 failure", err)
	}
	if errors.Is(err, rqlite.ErrIndeterminate) {
		t.Fatal("a statement error must not be indeterminate")
	}
	if n := count(t, srv); n != 0 {
		t.Fatalf("rows = %d: the transaction must roll back", n)
	}
}

// Integers near the limits come back exact (gorqlite's float64 decoding would not).
func TestIntegerFidelity(t *testing.T) {
	srv := rqlitetest.New(t, rqlitetest.Options{})
	setup(t, srv)
	c := newClient(t, rqlite.Config{URLs: []string{srv.URL()}})
	vals := []int64{0, 1, -1, 1<<52 - 1, 1 << 53, 1<<53 + 1, 117658349214511161, 1<<63 - 1, -1 << 63}
	for i, v := range vals {
		var k, n any = string(rune('a' + i)), v
		if i%2 == 1 { // bound by reference, as the tracker's hit rows are
			ks := k.(string)
			k, n = &ks, &v
		}
		if _, err := c.Execute(context.Background(), true, rqlite.S("INSERT INTO t(k, n) VALUES(?, ?)", k, n)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := c.Query(context.Background(), rqlite.Weak, rqlite.S("SELECT n FROM t ORDER BY id"))
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range res[0].Values {
		if got, ok := row[0].(int64); !ok || got != vals[i] {
			t.Errorf("value %d: got %v (%T), want %d", i, row[0], row[0], vals[i])
		}
	}
}

func TestLeaderRedirectAndFailover(t *testing.T) {
	srv := rqlitetest.New(t, rqlitetest.Options{Nodes: 3})
	setup(t, srv)
	urls := srv.URLs()
	// Start from a follower with ?redirect semantics: the stand-in forwards, but the
	// client must also survive a dead first node.
	c := newClient(t, rqlite.Config{URLs: []string{urls[1], urls[0], urls[2]}})
	if _, err := c.Execute(context.Background(), true, rqlite.S("INSERT INTO t(k) VALUES('a')")); err != nil {
		t.Fatal(err)
	}
	srv.KillLeader(0)
	c2 := newClient(t, rqlite.Config{URLs: urls})
	if _, err := c2.Execute(context.Background(), true, rqlite.S("INSERT INTO t(k) VALUES('b')")); err != nil {
		t.Fatalf("after leader kill the client should reach the new leader: %v", err)
	}
	if n := count(t, srv); n != 2 {
		t.Fatalf("rows = %d", n)
	}
}

func TestAuthAndBadURLs(t *testing.T) {
	srv := rqlitetest.New(t, rqlitetest.Options{User: "bob", Password: "s3cret"})
	setup(t, srv)
	bad := newClient(t, rqlite.Config{URLs: []string{srv.URL()}, User: "bob", Password: "nope"})
	if _, err := bad.Query(context.Background(), rqlite.Weak, rqlite.S("SELECT 1")); !errors.Is(err, rqlite.ErrAuth) {
		t.Fatalf("err = %v, want ErrAuth", err)
	}
	u := strings.Replace(srv.URL(), "http://", "http://bob:s3cret@", 1)
	good := newClient(t, rqlite.Config{URLs: []string{u}})
	if _, err := good.Query(context.Background(), rqlite.Weak, rqlite.S("SELECT 1")); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"", "localhost:4001", "ftp://x", "http://"} {
		if _, err := rqlite.New(rqlite.Config{URLs: []string{u}}); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
	refused := newClient(t, rqlite.Config{URLs: []string{"http://127.0.0.1:1"}, Timeout: time.Second})
	_, err := refused.Execute(context.Background(), true, rqlite.S("SELECT 1"))
	if !errors.Is(err, rqlite.ErrIndeterminate) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v", err)
	}
}

func TestStatusNodesAndOffset(t *testing.T) {
	srv := rqlitetest.New(t, rqlitetest.Options{Nodes: 3})
	c := newClient(t, rqlite.Config{URLs: srv.URLs()})
	st, err := c.Status(context.Background())
	if err != nil || st.State != "Leader" {
		t.Fatalf("status = %+v, %v", st, err)
	}
	nodes, err := c.Nodes(context.Background())
	if err != nil || len(nodes) != 3 {
		t.Fatalf("nodes = %+v, %v", nodes, err)
	}
	off, ok := c.ServerOffset()
	if !ok || off > 2*time.Second || off < -2*time.Second {
		t.Fatalf("offset = %v, %v", off, ok)
	}
}

func TestLaggingFollowerShowsPrefix(t *testing.T) {
	srv := rqlitetest.New(t, rqlitetest.Options{Nodes: 2, Lag: 2})
	setup(t, srv)
	urls := srv.URLs()
	w := newClient(t, rqlite.Config{URLs: urls[:1]})
	r := newClient(t, rqlite.Config{URLs: urls[1:]})
	for i := 0; i < 5; i++ {
		if _, err := w.Execute(context.Background(), true, rqlite.S("INSERT INTO t(k) VALUES(?)", string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	res, err := r.Query(context.Background(), rqlite.None, rqlite.S("SELECT count(*) FROM t"))
	if err != nil {
		t.Fatal(err)
	}
	if got := res[0].Values[0][0].(int64); got != 3 {
		t.Fatalf("lagging follower sees %d rows, want 3", got)
	}
}
