package teamsync

import (
	"strings"
	"testing"

	"magpie/backend/db"
)

// RecordMany (bulk inserts) must leave exactly what Record leaves row by row.
func TestRecordManyMatchesRecord(t *testing.T) {
	rows := []db.Row{
		{ID: "a", Vals: []any{"Zoé", "body a", int64(1)}},
		{ID: "b", Vals: []any{"", "body b", int64(2)}},
		{ID: "c", Vals: []any{"Ann", "", int64(0)}},
	}
	one := newReplica(t, "one", nil, 0, Options{})
	one.write(t, func(tx *db.Tx) error {
		for _, r := range rows {
			c := db.Cols{}
			for i, k := range itemCols {
				if r.Vals[i] != nil {
					c[k] = r.Vals[i]
				}
			}
			if err := tx.Insert("items", r.ID, c); err != nil {
				return err
			}
		}
		return nil
	})
	many := newReplica(t, "many", nil, 0, Options{})
	many.write(t, func(tx *db.Tx) error { return tx.InsertMany("items", itemCols, rows) })
	// Unannounced, InsertMany hands RecordMany its rows as key and value lists (no maps).
	lean := newReplica(t, "lean", nil, 0, Options{})
	lean.write(t, func(tx *db.Tx) error {
		tx.Unannounced()
		return tx.InsertMany("items", itemCols, rows)
	})
	dump := func(r *replica, q string) string {
		rs, err := r.d.R.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var b strings.Builder
		for rs.Next() {
			var x, y, z string
			if err := rs.Scan(&x, &y, &z); err != nil {
				t.Fatal(err)
			}
			b.WriteString(x + "|" + y + "|" + z + "\n")
		}
		return b.String()
	}
	for _, q := range []string{
		"SELECT tbl, row_id, col FROM sync_cell ORDER BY tbl, row_id, col",
		"SELECT id, title, coalesce(title_key, '') FROM items ORDER BY id",
	} {
		a, b, c := dump(one, q), dump(many, q), dump(lean, q)
		if a != b || a == "" || c != a {
			t.Fatalf("%s\nRecord:\n%s\nRecordMany:\n%s\nRecordMany, lean:\n%s", q, a, b, c)
		}
	}
	// The outbox: Record's rows, and what the push expands RecordMany's one batch entry to.
	if a, b, c := pendingChanges(t, one), pendingChanges(t, many), pendingChanges(t, lean); a != b || a == "" || c != a {
		t.Fatalf("pending changes differ\nRecord:\n%s\nRecordMany:\n%s\nRecordMany, lean:\n%s", a, b, c)
	}
	var entries, plain int
	many.d.R.QueryRow("SELECT count(*) FROM sync_outbox_batch").Scan(&entries)
	many.d.R.QueryRow("SELECT count(*) FROM sync_outbox").Scan(&plain)
	if entries != 1 || plain != 0 {
		t.Fatalf("RecordMany queued %d batch entries and %d outbox rows, want 1 and 0", entries, plain)
	}
	var hOne, hMany string
	one.d.R.QueryRow("SELECT v FROM meta WHERE k = ?", keyHLC).Scan(&hOne)
	many.d.R.QueryRow("SELECT v FROM meta WHERE k = ?", keyHLC).Scan(&hMany)
	if hOne == "" || hMany == "" {
		t.Fatal("HLC high-water mark not saved")
	}
}

// TestRecordManyUpdatesMatchRecord: updates recorded together (db.Tx.UpdateRows →
// RecordMany) leave the cell clocks, the pending outbox and the HLC mark one Update per row
// (Record) leaves, with every clock distinct and rising in the changes' order.
func TestRecordManyUpdatesMatchRecord(t *testing.T) {
	rows := []db.Row{
		{ID: "a", Vals: []any{"Zoé", "body a", int64(1)}},
		{ID: "b", Vals: []any{"", "body b", int64(2)}},
		{ID: "c", Vals: []any{"Ann", "", int64(0)}},
	}
	ids := []string{"a", "b", "c"}
	upd := []db.Cols{{"title": "Zoe"}, {"body": "new b", "n": int64(5)}, {"title": "Anne", "n": int64(7)}}
	one := newReplica(t, "one", nil, 0, Options{})
	many := newReplica(t, "many", nil, 0, Options{})
	for _, r := range []*replica{one, many} {
		r.write(t, func(tx *db.Tx) error { return tx.InsertMany("items", itemCols, rows) })
	}
	one.write(t, func(tx *db.Tx) error {
		for i, id := range ids {
			if _, err := tx.Update("items", id, upd[i]); err != nil {
				return err
			}
		}
		return nil
	})
	many.write(t, func(tx *db.Tx) error { return tx.UpdateRows("items", ids, upd) })
	cells := func(r *replica) string {
		got, err := db.Strings(r.d.R.Query(`SELECT tbl || '|' || row_id || '|' || col FROM sync_clock ORDER BY hlc`))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(got, "\n")
	}
	if a, b := cells(one), cells(many); a != b || a == "" {
		t.Fatalf("cell clocks in clock order\nRecord:\n%s\nRecordMany:\n%s", a, b)
	}
	if a, b := pendingChanges(t, one), pendingChanges(t, many); a != b || !strings.Contains(b, `"new b"`) {
		t.Fatalf("pending changes differ\nRecord:\n%s\nRecordMany:\n%s", a, b)
	}
	var distinct, n int
	many.d.R.QueryRow("SELECT count(DISTINCT hlc), count(*) FROM sync_outbox").Scan(&distinct, &n)
	var mark, top int64
	many.d.R.QueryRow("SELECT CAST(v AS INTEGER) FROM meta WHERE k = ?", keyHLC).Scan(&mark)
	many.d.R.QueryRow("SELECT max(hlc) FROM sync_outbox").Scan(&top)
	if n != len(ids) || distinct != n || mark < top {
		t.Fatalf("%d outbox rows with %d distinct clocks, HLC mark %d below the newest %d", n, distinct, mark, top)
	}
}
