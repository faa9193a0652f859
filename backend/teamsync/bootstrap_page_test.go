package teamsync

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"magpie/backend/rqlite"
)

// A bootstrap over several pages (rows per page adapting to the row width) brings every row
// whole: rows whose cells carry one clock, rows edited later (cells of several clocks, sent
// as one change per clock), and a row whose stored value is corrupt is parked with its
// reason instead of failing the bootstrap or the page.
func TestBootstrapPagesMixedClocksAndCorrupt(t *testing.T) {
	old := statePage
	statePage = 60 // 3 pages of 3-cell rows at most per page: many pages
	t.Cleanup(func() { statePage = old })
	srv := newServer(t)
	c := newClient(t, srv.URL())
	if err := EnsureSchema(context.Background(), c, 1); err != nil {
		t.Fatal(err)
	}
	const n = 157
	if err := srv.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
		INSERT INTO state(tbl, row_id, col, val, hlc, site_id)
		SELECT 'items', printf('r%04d', i), c.col, CASE c.col WHEN 'n' THEN CAST(i AS TEXT) ELSE '"' || c.col || i || '"' END, 1000 + i, 'site-x'
		FROM s, (SELECT 'title' AS col UNION ALL SELECT 'body' UNION ALL SELECT 'n') c`, n); err != nil {
		t.Fatal(err)
	}
	// Every 10th row had its body edited later by another site; row 77 has a corrupt title.
	if err := srv.Exec(`UPDATE state SET val = '"edited"', hlc = 900000, site_id = 'site-y'
		WHERE col = 'body' AND CAST(substr(row_id, 2) AS INTEGER) % 10 = 0`); err != nil {
		t.Fatal(err)
	}
	if err := srv.Exec(`UPDATE state SET val = '{broken' WHERE row_id = 'r0077' AND col = 'title'`); err != nil {
		t.Fatal(err)
	}
	r := newReplica(t, "r", c, 0, Options{NoClockCorrection: true})
	if err := r.e.Bootstrap(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if got := count(t, r, `SELECT count(*) FROM items`); got != n-1 {
		t.Fatalf("%d rows, want %d (all but the corrupt one)", got, n-1)
	}
	for i := 1; i <= n; i++ {
		if i == 77 {
			continue
		}
		id := fmt.Sprintf("r%04d", i)
		var title, body string
		var num int64
		if err := r.d.R.QueryRow(`SELECT title, body, n FROM items WHERE id = ?`, id).Scan(&title, &body, &num); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		wantBody := fmt.Sprint("body", i)
		if i%10 == 0 {
			wantBody = "edited"
		}
		if title != fmt.Sprint("title", i) || body != wantBody || num != int64(i) {
			t.Errorf("%s = %q %q %d", id, title, body, num)
		}
	}
	// The edited cells keep their own clock; the others their row's.
	var hlc int64
	var site string
	if err := r.d.R.QueryRow(`SELECT hlc, site FROM sync_cell WHERE tbl = 'items' AND row_id = 'r0020' AND col = 'body'`).Scan(&hlc, &site); err != nil {
		t.Fatal(err)
	}
	if hlc != 900000 || site != "site-y" {
		t.Errorf("edited cell clock (%d, %s), want (900000, site-y)", hlc, site)
	}
	if err := r.d.R.QueryRow(`SELECT hlc, site FROM sync_cell WHERE tbl = 'items' AND row_id = 'r0020' AND col = 'title'`).Scan(&hlc, &site); err != nil {
		t.Fatal(err)
	}
	if hlc != 1020 || site != "site-x" {
		t.Errorf("row clock (%d, %s), want (1020, site-x)", hlc, site)
	}
	var reason string
	if err := r.d.R.QueryRow(`SELECT reason FROM sync_parked WHERE row_id = 'r0077'`).Scan(&reason); err != nil {
		t.Fatalf("the corrupt row is not parked: %v", err)
	}
	if !contains(reason, "corrupt") {
		t.Errorf("parked reason %q", reason)
	}
	if st := r.e.Status(); st.Cursor != 0 {
		t.Errorf("cursor %d after bootstrapping an empty log", st.Cursor)
	}
}

// The page decoder reads what the cluster sends through either client path (raw tokens,
// or boxed values re-encoded) the same way.
func TestQueryRawFallbackSameChanges(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	if err := EnsureSchema(context.Background(), c, 1); err != nil {
		t.Fatal(err)
	}
	if err := srv.Exec(`INSERT INTO state VALUES('items', 'a', 'title', '"Zoë \"q\""', 9007199254740993, 's1'),
		('items', 'a', 'n', '9007199254740993', 9007199254740993, 's1'), ('items', 'b', 'title', 'null', 5, 's2')`); err != nil {
		t.Fatal(err)
	}
	st := rqlite.S(statePageSQL, "", "", 10)
	var a, b []change
	var rowsA, cellsA, rowsB, cellsB int
	var nextA, nextB [2]string
	var errA, errB error
	if err := queryRaw(context.Background(), c, st, func(p [][]rqlite.Raw) error {
		a, rowsA, cellsA, nextA, errA = decodeStatePage(p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := queryRaw(context.Background(), onlyQuery{c}, st, func(p [][]rqlite.Raw) error {
		b, rowsB, cellsB, nextB, errB = decodeStatePage(p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if errA != nil || errB != nil || rowsA != 2 || rowsB != 2 || cellsA != 3 || cellsB != 3 || nextA != nextB || nextA != [2]string{"items", "b"} {
		t.Fatalf("raw %v %d %d %v, boxed %v %d %d %v", errA, rowsA, cellsA, nextA, errB, rowsB, cellsB, nextB)
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("raw %v\nboxed %v", a, b)
	}
	if a[0].hlc != 9007199254740993 || a[0].cols["n"] != int64(9007199254740993) || a[0].cols["title"] != `Zoë "q"` {
		t.Fatalf("values changed on the way: %+v", a[0])
	}
}

// onlyQuery hides QueryRaw (a client without it).
type onlyQuery struct{ Client }

// flakyPages fails the first page reads with an indeterminate answer (a timeout).
type flakyPages struct {
	*rqlite.Client
	fails int
}

func (f *flakyPages) QueryRawFunc(ctx context.Context, level rqlite.Level, fn func([]rqlite.RawResult) error, stmts ...rqlite.Statement) error {
	if f.fails > 0 {
		f.fails--
		return fmt.Errorf("%w: response cut: timeout", rqlite.ErrIndeterminate)
	}
	return f.Client.QueryRawFunc(ctx, level, fn, stmts...)
}

// A page read that gets no answer is tried again; only a persistent failure ends the
// bootstrap (and then with the cluster's error).
func TestBootstrapRetriesPageReads(t *testing.T) {
	old := pageRetries
	pageRetries = []time.Duration{time.Millisecond, time.Millisecond}
	t.Cleanup(func() { pageRetries = old })
	srv := newServer(t)
	c := newClient(t, srv.URL())
	if err := EnsureSchema(context.Background(), c, 1); err != nil {
		t.Fatal(err)
	}
	if err := srv.Exec(`INSERT INTO state VALUES('items', 'a', 'title', '"x"', 5, 's1')`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fails int
		ok    bool
	}{{0, true}, {2, true}, {3, false}} {
		r := newReplica(t, fmt.Sprint("r", tc.fails), c, 0, Options{})
		err := r.e.Bootstrap(context.Background(), &flakyPages{Client: c, fails: tc.fails})
		if (err == nil) != tc.ok {
			t.Fatalf("%d failed reads: %v", tc.fails, err)
		}
		if tc.ok && count(t, r, `SELECT count(*) FROM items`) != 1 {
			t.Fatalf("%d failed reads: the row is missing", tc.fails)
		}
		if !tc.ok && !errors.Is(err, rqlite.ErrIndeterminate) {
			t.Fatalf("%d failed reads: %v, want the cluster's error", tc.fails, err)
		}
	}
}
