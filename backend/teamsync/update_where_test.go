package teamsync

import (
	"testing"

	"magpie/backend/db"
)

// A set-based update (db.Tx.UpdateWhere, whose changes come as Keys and Values) leaves the
// same cell clocks and outbox changes as Update row by row.
func TestUpdateWhereRecordsAsUpdate(t *testing.T) {
	rows := []db.Row{
		{ID: "a", Vals: []any{"A", "body a", int64(1)}},
		{ID: "b", Vals: []any{"B", "body b", int64(2)}},
		{ID: "c", Vals: []any{"C", "body c", int64(3)}},
	}
	one := newReplica(t, "one", nil, 0, Options{})
	where := newReplica(t, "where", nil, 0, Options{})
	for _, r := range []*replica{one, where} {
		r.write(t, func(tx *db.Tx) error { return tx.InsertMany("items", itemCols, rows) })
	}
	one.write(t, func(tx *db.Tx) error {
		for _, id := range []string{"a", "c"} {
			var n int64
			if err := tx.QueryRow("SELECT n FROM items WHERE id = ?", id).Scan(&n); err != nil {
				return err
			}
			if _, err := tx.Update("items", id, db.Cols{"n": n + 10, "body": "moved"}); err != nil {
				return err
			}
		}
		return nil
	})
	where.write(t, func(tx *db.Tx) error {
		n, err := tx.UpdateWhere("items", "n = n + ?, body = 'moved'", []any{10}, "SELECT id FROM items WHERE n <> 2", nil, []string{"n", "body"})
		if err == nil && n != 2 {
			t.Errorf("UpdateWhere changed %d rows, want 2", n)
		}
		return err
	})
	if a, b := pendingChanges(t, one), pendingChanges(t, where); a != b || a == "" {
		t.Fatalf("pending changes differ\nUpdate:\n%s\nUpdateWhere:\n%s", a, b)
	}
	cells := func(r *replica) string {
		var s string
		r.d.R.QueryRow("SELECT coalesce(group_concat(row_id || '.' || col, ' '), '') FROM (SELECT row_id, col FROM sync_cell ORDER BY 1, 2)").Scan(&s)
		return s
	}
	if a, b := cells(one), cells(where); a != b || a == "" {
		t.Fatalf("cell clocks differ: Update %q, UpdateWhere %q", a, b)
	}
}
