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
