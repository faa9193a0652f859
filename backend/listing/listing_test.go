package listing_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"magpie/backend/internal/testenv"
	"magpie/backend/listing"
)

// Pages read from the top, after cached anchors and from the other end (Total known) are
// the same as a plain ORDER BY … OFFSET, in both directions, with duplicate keys.
func TestPagesMatchOffset(t *testing.T) {
	d, err := sql.Open("sqlite3", "file:"+t.TempDir()+"/t.db")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetMaxOpenConns(1)
	if _, err := d.Exec("PRAGMA synchronous = OFF"); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec("CREATE TABLE t(id TEXT PRIMARY KEY, k TEXT, deleted INTEGER NOT NULL DEFAULT 0)")
	exec("CREATE INDEX t_k ON t(deleted COLLATE NOCASE, lower(coalesce(k, ''))) WHERE deleted = 0")
	const n = 1000
	for i := 0; i < n; i++ {
		var k any = fmt.Sprintf("K%02d", (i*37)%41) // duplicates, mixed case below
		if i%7 == 0 {
			k = strings.ToLower(k.(string))
		}
		if i%13 == 0 {
			k = nil
		}
		exec("INSERT INTO t(id, k, deleted) VALUES(?, ?, ?)", fmt.Sprintf("id%04d", (i*7919)%n), k, i%50 == 0)
	}
	live := n - n/50
	key := "lower(coalesce(k, ''))"
	want := func(desc bool, off, lim int) []int64 {
		return wantRows(t, d, key, desc, off, lim)
	}
	for _, desc := range []bool{false, true} {
		for _, total := range []int{0, live} {
			var a listing.Anchors
			// A jump sequence: deep, back, near the end, the end, sequential pages.
			for _, off := range []int{700, 100, 930, live - 5, 0, 50, 150, 800, 850, 940, live + 10} {
				got, err := listing.Rowids(context.Background(), d, &a, listing.Spec{Table: "t", Key: key, Desc: desc, Offset: off, Limit: 50, Total: total})
				if err != nil {
					t.Fatal(err)
				}
				w := want(desc, off, 50)
				if fmt.Sprint(got) != fmt.Sprint(w) {
					t.Fatalf("desc=%v total=%d offset %d:\n got %v\nwant %v", desc, total, off, got, w)
				}
			}
		}
	}
}

type sparseDB struct {
	t *testing.T
	d *sql.DB
}

func (x sparseDB) exec(q string, args ...any) {
	x.t.Helper()
	if _, err := x.d.Exec(q, args...); err != nil {
		x.t.Fatal(err)
	}
}

func (x sparseDB) want(key string, desc bool, off, lim int) []int64 {
	x.t.Helper()
	return wantRows(x.t, x.d, key, desc, off, lim)
}

// wantRows is a page of live rows of t by (key, rowid) read with a plain ORDER BY … OFFSET
// on the table (NOT INDEXED: the expected order does not come from the index under test).
func wantRows(t *testing.T, d *sql.DB, key string, desc bool, off, lim int) []int64 {
	t.Helper()
	dir := map[bool]string{false: "ASC", true: "DESC"}[desc]
	rows, err := d.Query("SELECT rowid FROM t NOT INDEXED WHERE deleted = 0 ORDER BY "+key+" "+dir+", rowid "+dir+" LIMIT ? OFFSET ?", lim, off)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var r int64
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func (x sparseDB) live() int {
	var n int
	if err := x.d.QueryRow("SELECT count(*) FROM t WHERE deleted = 0").Scan(&n); err != nil {
		x.t.Fatal(err)
	}
	return n
}

// The sparse anchor index (every Step-th key of the whole order) gives the same pages as
// a plain ORDER BY … OFFSET at every offset, in both directions, adjacent pages without
// gaps or duplicates; after inserts, deletes and key updates (with the matching
// invalidation) the pages stay exact, and a stale index is never used.
func TestSparseAnchorsMatchOffset(t *testing.T) {
	d, err := sql.Open("sqlite3", "file:"+t.TempDir()+"/t.db")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetMaxOpenConns(1) // one connection: PRAGMA synchronous sticks, and so does the fake data
	x := sparseDB{t, d}
	x.exec("PRAGMA synchronous = OFF")
	x.exec("CREATE TABLE t(id TEXT PRIMARY KEY, k TEXT, n INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0)")
	x.exec("CREATE INDEX t_k ON t(deleted COLLATE NOCASE, lower(coalesce(k, ''))) WHERE deleted = 0")
	x.exec("CREATE INDEX t_n ON t(n) WHERE deleted = 0")
	const n = 2000
	for i := 0; i < n; i++ {
		var k any = fmt.Sprintf("K%02d", (i*37)%41)
		if i%13 == 0 {
			k = nil
		}
		x.exec("INSERT INTO t(id, k, n, deleted) VALUES(?, ?, ?, ?)", fmt.Sprintf("id%05d", (i*7919)%n), k, (i*31)%97, i%50 == 0)
	}
	a := &listing.Anchors{Step: 37, MinRows: 1, Quiet: -1}
	ctx := context.Background()
	check := func(what, key string, wantSparse bool) {
		t.Helper()
		live := x.live()
		for _, desc := range []bool{false, true} {
			spec := listing.Spec{Table: "t", Key: key, Desc: desc, Total: live}
			if wantSparse {
				if err := a.Prepare(ctx, d, spec); err != nil {
					t.Fatal(err)
				}
				if got, want := a.SparseLen(spec), live/37; got != want {
					t.Fatalf("%s: %d sparse anchors, want %d", what, got, want)
				}
			}
			// Jumps everywhere (a fresh dynamic cache each time: only sparse anchors), then
			// every page in a row.
			for off := 0; off <= live+3; off += 29 {
				a.InvalidateKeys()
				spec.Offset, spec.Limit = off, 23
				got, err := listing.Rowids(ctx, d, a, spec)
				if err != nil {
					t.Fatal(err)
				}
				if w := x.want(key, desc, off, 23); fmt.Sprint(got) != fmt.Sprint(w) {
					t.Fatalf("%s: desc=%v jump to %d:\n got %v\nwant %v", what, desc, off, got, w)
				}
			}
			var all []int64
			for off := 0; off < live; off += 50 {
				spec.Offset, spec.Limit = off, 50
				got, err := listing.Rowids(ctx, d, a, spec)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, got...)
			}
			if w := x.want(key, desc, 0, live); fmt.Sprint(all) != fmt.Sprint(w) {
				t.Fatalf("%s: desc=%v adjacent pages differ from one query (%d vs %d ids)", what, desc, len(all), len(w))
			}
		}
	}
	kk, nk := "lower(coalesce(k, ''))", "n"
	check("initial", kk, true)
	check("initial", nk, true)

	// Inserts before, between and after anchors, deletes of anchor rows and others.
	for i := 0; i < 300; i++ {
		x.exec("INSERT INTO t(id, k, n) VALUES(?, ?, ?)", fmt.Sprintf("new%04d", i), fmt.Sprintf("k%02d", i%45), i%101)
	}
	x.exec("UPDATE t SET deleted = 1 WHERE id IN (SELECT id FROM t WHERE deleted = 0 ORDER BY lower(coalesce(k, '')), id LIMIT 40 OFFSET 36)")
	x.exec("UPDATE t SET deleted = 1 WHERE id LIKE 'id%3'")
	a.Invalidate()
	if a.SparseLen(listing.Spec{Table: "t", Key: kk}) != 0 {
		t.Fatal("sparse index still valid after Invalidate")
	}
	check("stale, before the rebuild", kk, false)
	check("after inserts and deletes", kk, true)
	check("after inserts and deletes", nk, true)

	// A key update invalidates only that key's index.
	x.exec("UPDATE t SET n = n + 500 WHERE id LIKE '%7'")
	a.InvalidateKeys(nk)
	if a.SparseLen(listing.Spec{Table: "t", Key: nk}) != 0 || a.SparseLen(listing.Spec{Table: "t", Key: kk}) == 0 {
		t.Fatal("InvalidateKeys(n) must drop the index of n only")
	}
	check("after an update of n", kk, false)
	check("after an update of n", nk, true)

	// A page request of a big enough order builds the index in the background.
	a.Invalidate()
	if _, err := listing.Rowids(ctx, d, a, listing.Spec{Table: "t", Key: kk, Total: x.live(), Limit: 10}); err != nil {
		t.Fatal(err)
	}
	a.Wait()
	if a.SparseLen(listing.Spec{Table: "t", Key: kk}) == 0 {
		t.Fatal("no sparse index built in the background after a page request")
	}
	check("built in the background", kk, false)
}

// An order with few distinct keys (hundreds of equal keys per page boundary and per sparse
// anchor) pages exactly by (key, rowid): jumps through the sparse anchors and from the
// other end, adjacent pages, both directions, rowids inserted out of key order; and every
// page query walks the (deleted, key) index covering, in order (no temporary sort).
func TestPagesWithTies(t *testing.T) {
	d, err := sql.Open("sqlite3", "file:"+t.TempDir()+"/t.db")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetMaxOpenConns(1)
	x := sparseDB{t, d}
	x.exec("PRAGMA synchronous = OFF")
	x.exec("CREATE TABLE t(id TEXT PRIMARY KEY, k TEXT, n INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)")
	x.exec("CREATE INDEX t_k ON t(deleted COLLATE NOCASE, lower(coalesce(k, ''))) WHERE deleted = 0")
	x.exec("CREATE INDEX t_n ON t(n) WHERE deleted = 0")
	const n = 3000
	for i := 0; i < n; i++ {
		k := []any{"FR", "de", nil}[(i*7)%3]
		x.exec("INSERT INTO t(rowid, id, k, n, deleted) VALUES(?, ?, ?, ?, ?)", (i*7919)%n+1, fmt.Sprintf("id%05d", i), k, i%4, i%41 == 0)
	}
	live := x.live()
	ctx := context.Background()
	for _, tc := range []struct{ key, index string }{{"lower(coalesce(k, ''))", "t_k"}, {"n", "t_n"}} {
		for _, desc := range []bool{false, true} {
			key := tc.key
			a := &listing.Anchors{Step: 37, MinRows: 1, Quiet: -1}
			spec := listing.Spec{Table: "t", Key: key, Desc: desc, Total: live}
			if err := a.Prepare(ctx, d, spec); err != nil {
				t.Fatal(err)
			}
			for off := 0; off <= live+3; off += 53 {
				a.InvalidateKeys() // page anchors dropped: only the sparse ones remain
				spec.Offset, spec.Limit = off, 61
				got, err := listing.Rowids(ctx, d, a, spec)
				if err != nil {
					t.Fatal(err)
				}
				if w := x.want(key, desc, off, 61); fmt.Sprint(got) != fmt.Sprint(w) {
					t.Fatalf("%s desc=%v jump to %d:\n got %v\nwant %v", key, desc, off, got, w)
				}
			}
			var all []int64
			for off := 0; off < live; off += 97 {
				spec.Offset, spec.Limit = off, 97
				got, err := listing.Rowids(ctx, d, a, spec)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, got...)
			}
			if w := x.want(key, desc, 0, live); fmt.Sprint(all) != fmt.Sprint(w) {
				t.Fatalf("desc=%v: adjacent pages differ from one query (%d vs %d rows)", desc, len(all), len(w))
			}
			for _, anchored := range []bool{false, true} {
				q, args := listing.QuerySQL(spec, anchored)
				p := testenv.QueryPlan(t, d.Query, q, args...)
				// Covering, no table scan, no temporary sort of the walk; after an anchor the
				// rest of its run is sought by rowid (on an expression index SQLite sorts that
				// part, bounded by the subquery's LIMIT).
				sorted := strings.Replace(p, "SCAN (subquery-1); USE TEMP B-TREE FOR ORDER BY", "", 1)
				if !strings.Contains(p, "COVERING INDEX "+tc.index) || strings.Contains(sorted, "TEMP B-TREE") ||
					(tc.index == "t_n" && sorted != p) {
					t.Errorf("%s desc=%v anchored=%v: plan %q is not an ordered covering walk", key, desc, anchored, p)
				}
				if anchored && !strings.Contains(p, "=? AND rowid") {
					t.Errorf("%s desc=%v: plan %q does not seek the anchor's run by rowid", key, desc, p)
				}
			}
		}
	}
}
