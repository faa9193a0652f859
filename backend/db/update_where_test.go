package db_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"magpie/backend/db"
)

// UpdateWhere(Changes) updates the selected rows only, returns, records and announces to
// the commit hooks one change per row with the new values read back by the UPDATE itself
// (RETURNING), in the lean form (sorted Keys, Values, no Cols map).
func TestUpdateWhereChanges(t *testing.T) {
	d := openProbe(t)
	ctx := context.Background()
	rows := make([]db.Row, 10)
	for i := range rows {
		rows[i] = db.Row{ID: fmt.Sprintf("r%02d", i), Vals: []any{"x", int64(i)}}
	}
	if err := d.Write(ctx, func(tx *db.Tx) error { return tx.InsertMany("bulk_probe", []string{"name", "n"}, rows) }); err != nil {
		t.Fatal(err)
	}
	var hooked map[string]any
	d.OnCommit(func(c db.Commit) {
		for _, ch := range c.Changes {
			if ch.Table == "bulk_probe" {
				hooked[ch.ID], _ = ch.Col("n")
			}
		}
	})
	for _, tc := range []struct {
		name  string
		where string
		want  map[string]any
	}{
		{"even rows", "SELECT id FROM bulk_probe WHERE n % 2 = 0", map[string]any{"r00": int64(100), "r02": int64(102), "r04": int64(104), "r06": int64(106), "r08": int64(108)}},
		{"one row", "SELECT 'r09'", map[string]any{"r09": int64(109)}},
		{"no row", "SELECT 'nope'", map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hooked = map[string]any{}
			rec := &changeRec{got: map[string]any{}}
			d.SetRecorder(rec)
			defer d.SetRecorder(nil)
			var chs []db.Change
			if err := d.Write(ctx, func(tx *db.Tx) error {
				if _, err := tx.Exec("UPDATE bulk_probe SET n = n % 100"); err != nil {
					return err
				}
				var err error
				chs, err = tx.UpdateWhereChanges("bulk_probe", "n = n + ?", []any{100}, tc.where, nil, []string{"n", "name"})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(chs) != len(tc.want) || len(rec.got) != len(tc.want) || len(hooked) != len(tc.want) {
				t.Fatalf("%d changes returned, %d recorded, %d announced, want %d", len(chs), len(rec.got), len(hooked), len(tc.want))
			}
			for _, ch := range chs {
				n, _ := ch.Col("n")
				if ch.Op != db.OpUpdate || n != tc.want[ch.ID] || rec.got[ch.ID] != tc.want[ch.ID] || hooked[ch.ID] != tc.want[ch.ID] {
					t.Fatalf("change %+v (recorded %v, announced %v), want n = %v", ch, rec.got[ch.ID], hooked[ch.ID], tc.want[ch.ID])
				}
				if name, _ := ch.Col("name"); ch.Cols != nil || !slices.Equal(ch.Keys, []string{"n", "name"}) || name != "x" {
					t.Fatalf("change %+v: want Keys [n name], the name x and no Cols map", ch)
				}
			}
			var moved int
			if err := d.R.QueryRow("SELECT count(*) FROM bulk_probe WHERE n >= 100").Scan(&moved); err != nil {
				t.Fatal(err)
			}
			if moved != len(tc.want) {
				t.Fatalf("%d rows updated in the table, want %d", moved, len(tc.want))
			}
		})
	}
}
