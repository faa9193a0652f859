package db_test

import (
	"context"
	"fmt"
	"testing"

	"magpie/backend/db"
)

type changeRec struct{ got map[string]any }

func (c *changeRec) Record(_ *db.Tx, ch db.Change) error {
	if ch.Op == db.OpUpdate {
		c.got[ch.ID], _ = ch.Col("n")
	}
	return nil
}

// UpdateValues gives each row its own value (across 500-row statements), records one
// update per row with that value, and refuses mismatched lists.
func TestUpdateValues(t *testing.T) {
	d := openProbe(t)
	ctx := context.Background()
	for _, n := range []int{1, 500, 1234} {
		if _, err := d.W.Exec("DELETE FROM bulk_probe"); err != nil {
			t.Fatal(err)
		}
		rows := make([]db.Row, n+1)
		ids := make([]string, n)
		vals := make([]any, n)
		for i := range rows {
			rows[i] = db.Row{ID: fmt.Sprintf("r%05d", i), Vals: []any{"x", -1}}
			if i < n {
				ids[i], vals[i] = rows[i].ID, int64(i*3)
			}
		}
		if err := d.Write(ctx, func(tx *db.Tx) error { return tx.InsertMany("bulk_probe", []string{"name", "n"}, rows) }); err != nil {
			t.Fatal(err)
		}
		rec := &changeRec{got: map[string]any{}}
		d.SetRecorder(rec)
		if err := d.Write(ctx, func(tx *db.Tx) error { return tx.UpdateValues("bulk_probe", "n", ids, vals) }); err != nil {
			t.Fatalf("%d rows: %v", n, err)
		}
		d.SetRecorder(nil)
		var bad, untouched int
		if err := d.R.QueryRow(`SELECT count(*) FILTER (WHERE n <> 3 * CAST(substr(id, 2) AS INTEGER) AND id <> ?),
			count(*) FILTER (WHERE id = ? AND n = -1) FROM bulk_probe`, rows[n].ID, rows[n].ID).Scan(&bad, &untouched); err != nil {
			t.Fatal(err)
		}
		if bad != 0 || untouched != 1 || len(rec.got) != n || rec.got[ids[n-1]] != vals[n-1] {
			t.Fatalf("%d rows: %d wrong values, last row untouched %v, %d recorded (last %v)", n, bad, untouched == 1, len(rec.got), rec.got[ids[n-1]])
		}
	}
	err := d.Write(ctx, func(tx *db.Tx) error { return tx.UpdateValues("bulk_probe", "n", []string{"a"}, nil) })
	if err == nil {
		t.Fatal("mismatched ids and values were accepted")
	}
}

type deriveRec struct{ n int }

func (c *deriveRec) Record(*db.Tx, db.Change) error { c.n++; return nil }

// DeriveValues writes the same values as UpdateValues, records nothing for sync, and hands
// every row's change to the commit hooks marked Derived.
func TestDeriveValues(t *testing.T) {
	d := openProbe(t)
	ctx := context.Background()
	const n = 700
	rows := make([]db.Row, n)
	ids := make([]string, n)
	vals := make([]any, n)
	for i := range rows {
		rows[i] = db.Row{ID: fmt.Sprintf("r%05d", i), Vals: []any{"x", -1}}
		ids[i], vals[i] = rows[i].ID, int64(i+1)
	}
	if err := d.Write(ctx, func(tx *db.Tx) error { return tx.InsertMany("bulk_probe", []string{"name", "n"}, rows) }); err != nil {
		t.Fatal(err)
	}
	rec := &deriveRec{}
	d.SetRecorder(rec)
	defer d.SetRecorder(nil)
	var derived, other int
	d.OnCommit(func(c db.Commit) {
		for _, ch := range c.Changes {
			if ch.Derived && ch.Table == "bulk_probe" && ch.Cols["n"] != nil {
				derived++
			} else {
				other++
			}
		}
	})
	if err := d.Write(ctx, func(tx *db.Tx) error { return tx.DeriveValues("bulk_probe", "n", ids, vals) }); err != nil {
		t.Fatal(err)
	}
	var sum int64
	if err := d.R.QueryRow("SELECT sum(n) FROM bulk_probe").Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if sum != n*(n+1)/2 || rec.n != 0 || derived != n || other != 0 {
		t.Fatalf("sum %d (want %d), %d recorded (want 0), %d derived changes (want %d), %d others", sum, n*(n+1)/2, rec.n, derived, n, other)
	}
}

type colsRec struct{ got map[string]db.Cols }

func (c *colsRec) Record(_ *db.Tx, ch db.Change) error {
	if ch.Op == db.OpUpdate {
		c.got[ch.ID] = ch.Cols
	}
	return nil
}

// UpdateRows writes each row's own columns (rows of the same columns together, across
// statements), leaves a row without columns alone, records each row's change with exactly
// its columns, and refuses mismatched lists.
func TestUpdateRows(t *testing.T) {
	d := openProbe(t)
	ctx := context.Background()
	const n = 1234
	rows := make([]db.Row, n)
	ids := make([]string, n)
	cols := make([]db.Cols, n)
	for i := range rows {
		rows[i] = db.Row{ID: fmt.Sprintf("r%05d", i), Vals: []any{"x", -1}}
		ids[i] = rows[i].ID
		switch i % 4 {
		case 0:
			cols[i] = db.Cols{"n": int64(i)}
		case 1:
			cols[i] = db.Cols{"name": fmt.Sprint("y", i)}
		case 2:
			cols[i] = db.Cols{"name": fmt.Sprint("z", i), "n": int64(-i)}
		}
	}
	if err := d.Write(ctx, func(tx *db.Tx) error { return tx.InsertMany("bulk_probe", []string{"name", "n"}, rows) }); err != nil {
		t.Fatal(err)
	}
	rec := &colsRec{got: map[string]db.Cols{}}
	d.SetRecorder(rec)
	if err := d.Write(ctx, func(tx *db.Tx) error { return tx.UpdateRows("bulk_probe", ids, cols) }); err != nil {
		t.Fatal(err)
	}
	d.SetRecorder(nil)
	for i, id := range ids {
		var name string
		var v int64
		if err := d.R.QueryRow("SELECT name, n FROM bulk_probe WHERE id = ?", id).Scan(&name, &v); err != nil {
			t.Fatal(err)
		}
		want := db.Cols{"name": "x", "n": int64(-1)}
		for k, x := range cols[i] {
			want[k] = x
		}
		if name != want["name"] || v != want["n"] {
			t.Fatalf("row %d: (%s, %d), want %v", i, name, v, want)
		}
		if got := rec.got[id]; fmt.Sprint(got) != fmt.Sprint(map[string]any(cols[i])) && !(len(got) == 0 && len(cols[i]) == 0) {
			t.Fatalf("row %d recorded %v, want %v", i, got, cols[i])
		}
	}
	if len(rec.got) != n-n/4 {
		t.Fatalf("%d changes recorded, want %d", len(rec.got), n-n/4)
	}
	if err := d.Write(ctx, func(tx *db.Tx) error { return tx.UpdateRows("bulk_probe", []string{"a"}, nil) }); err == nil {
		t.Fatal("mismatched ids and rows were accepted")
	}
}
