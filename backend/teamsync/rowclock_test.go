package teamsync

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/rqlite"
)

func count(t *testing.T, r *replica, q string) int {
	t.Helper()
	var n int
	if err := r.d.R.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// cells renders sync_cell for one row as "col=hlc" lines.
func cells(t *testing.T, r *replica, row string) map[string]int64 {
	t.Helper()
	rs, err := r.d.R.Query(`SELECT col, hlc FROM sync_cell WHERE tbl = 'items' AND row_id = ?`, row)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := map[string]int64{}
	for rs.Next() {
		var c string
		var h int64
		if err := rs.Scan(&c, &h); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[c]; dup {
			t.Fatalf("sync_cell lists %s.%s twice", row, c)
		}
		out[c] = h
	}
	return out
}

// An insert writes one row clock and no cell clocks; a later edit adds a cell clock for the
// edited column only, and the effective clocks say which write set each cell.
func TestRowClockInsertThenEdit(t *testing.T) {
	tests := []struct {
		name  string
		write func(tx *db.Tx) error
	}{
		{"Insert", func(tx *db.Tx) error { return tx.Insert("items", "x", db.Cols{"title": "T", "body": "B"}) }},
		{"InsertMany", func(tx *db.Tx) error {
			return tx.InsertMany("items", []string{"title", "body"}, []db.Row{{ID: "x", Vals: []any{"T", "B"}}})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newReplica(t, "a", nil, 0, Options{})
			r.write(t, tc.write)
			if n := count(t, r, `SELECT count(*) FROM sync_row_clock`); n != 1 {
				t.Fatalf("row clocks = %d, want 1", n)
			}
			if n := count(t, r, `SELECT count(*) FROM sync_clock`); n != 0 {
				t.Fatalf("cell clocks after an insert = %d, want 0", n)
			}
			c := cells(t, r, "x")
			ins := c["title"]
			if len(c) != 2 || ins == 0 || c["body"] != ins {
				t.Fatalf("cells after insert = %v, want title and body at one clock", c)
			}
			r.clk.Advance(time.Second)
			r.update(t, "x", db.Cols{"title": "T2"})
			if n := count(t, r, `SELECT count(*) FROM sync_clock`); n != 1 {
				t.Fatalf("cell clocks after an edit = %d, want 1", n)
			}
			c = cells(t, r, "x")
			if len(c) != 2 || c["body"] != ins || c["title"] <= ins {
				t.Fatalf("cells after edit = %v (insert clock %d)", c, ins)
			}
			r.del(t, "x", false)
			c = cells(t, r, "x")
			if len(c) != 4 || c["deleted"] <= c["title"] || c["body"] != ins {
				t.Fatalf("cells after delete = %v", c)
			}
		})
	}
}

// The row clock covers only the columns the insert set: a teammate's older write of another
// column of the same row (both created it offline, as derived ids do) still wins, exactly as
// with per-cell clocks, and the replicas converge.
func TestRowClockCoversOnlyInsertedColumns(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{NoClockCorrection: true})
	b := newReplica(t, "b", c, -time.Hour, Options{NoClockCorrection: true})
	b.insert(t, "x", db.Cols{"n": int64(5), "title": "old"}) // an hour earlier
	a.insert(t, "x", db.Cols{"title": "new"})
	a.sync(t)
	b.sync(t)
	a.sync(t)
	if a.dump(t) != b.dump(t) {
		t.Fatalf("replicas differ:\n%s\n%s", a.dump(t), b.dump(t))
	}
	if !strings.Contains(a.dump(t), "x|new||5|0|-1") {
		t.Fatalf("want A's later title and B's n, got %s", a.dump(t))
	}
	if a.clocks(t) != b.clocks(t) {
		t.Fatalf("clocks differ:\n%s\n--\n%s", a.clocks(t), b.clocks(t))
	}
}

// A column set whose hash id is taken by another set (a collision) falls back to cell
// clocks, with the same effective clocks.
func TestRowClockColsetCollision(t *testing.T) {
	r := newReplica(t, "a", nil, 0, Options{})
	key := colsetKey([]string{"body", "title"})
	r.write(t, func(tx *db.Tx) error {
		_, err := tx.Exec(`INSERT INTO sync_colset(id, cols) VALUES(?, '["other"]')`, colsetID(key))
		return err
	})
	r.insert(t, "x", db.Cols{"title": "T", "body": "B"})
	if n := count(t, r, `SELECT count(*) FROM sync_row_clock`); n != 0 {
		t.Fatalf("row clocks = %d, want 0 (collision)", n)
	}
	c := cells(t, r, "x")
	if len(c) != 2 || c["title"] == 0 || c["title"] != c["body"] {
		t.Fatalf("cells = %v", c)
	}
}

// A pulled row first seen here gets a row clock too; bootstrapping a new desktop as well.
func TestRowClockRemoteRows(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{NoClockCorrection: true})
	for _, id := range []string{"p", "q", "r"} {
		a.insert(t, id, db.Cols{"title": id, "body": "b"})
	}
	a.update(t, "q", db.Cols{"n": int64(2)})
	a.sync(t)
	b := newReplica(t, "b", c, 0, Options{NoClockCorrection: true})
	b.sync(t)
	if a.dump(t) != b.dump(t) || a.clocks(t) != b.clocks(t) {
		t.Fatalf("a and b differ:\n%s%s\n--\n%s%s", a.dump(t), a.clocks(t), b.dump(t), b.clocks(t))
	}
	if n := count(t, b, `SELECT count(*) FROM sync_row_clock`); n < 3 {
		t.Fatalf("b has %d row clocks, want ≥ 3", n)
	}
}

// A bootstrap page boundary would split a row's cells: the page ends before that row instead
// (a row's first cells alone can fail its NOT NULL columns), so the row arrives whole, the
// new desktop equals the old one, clocks included, and no cell clock is needed.
func TestBootstrapRowAcrossPages(t *testing.T) {
	srv := newServer(t)
	// ~3,300 rows: give a loaded CI machine under -race time for each request.
	c, err := rqlite.New(rqlite.Config{URLs: []string{srv.URL()}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	a := newReplica(t, "a", c, 0, Options{NoClockCorrection: true})
	n := statePage/3 + 10 // 3 cells per row: row statePage/3 straddles the first page
	rows := make([]db.Row, n)
	for i := range rows {
		rows[i] = db.Row{ID: fmt.Sprintf("r%05d", i), Vals: []any{fmt.Sprint("t", i), "b", int64(i)}}
	}
	a.write(t, func(tx *db.Tx) error { return tx.InsertMany("items", itemCols, rows) })
	a.sync(t)
	b := newReplica(t, "b", c, 0, Options{NoClockCorrection: true})
	b.sync(t)
	if a.dump(t) != b.dump(t) {
		t.Fatal("rows differ after bootstrap")
	}
	if a.clocks(t) != b.clocks(t) {
		t.Fatal("clocks differ after bootstrap")
	}
	if got := count(t, b, `SELECT count(*) FROM sync_clock`); got != 0 {
		t.Fatalf("b has %d cell clocks, want none (every row arrives whole)", got)
	}
}
