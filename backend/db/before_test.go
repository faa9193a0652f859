package db_test

import (
	"context"
	"errors"
	"testing"

	"magpie/backend/db"
	"magpie/backend/internal/testenv"
)

// BeforeCommit functions run in order inside the transaction after the write function; an
// error from one rolls the whole transaction back. Locals live with their transaction.
func TestBeforeCommit(t *testing.T) {
	type key struct{}
	tests := []struct {
		name    string
		failAt  int // index of the BeforeCommit func that fails; -1 none
		wantRow bool
	}{
		{"all succeed", -1, true},
		{"first fails", 0, false},
		{"second fails", 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := testenv.NewDB(t)
			var order []int
			boom := errors.New("boom")
			err := d.Write(context.Background(), func(tx *db.Tx) error {
				if tx.Local(key{}) != nil {
					t.Fatal("a fresh transaction has a local")
				}
				tx.SetLocal(key{}, "x")
				for i := 0; i < 2; i++ {
					tx.BeforeCommit(func(tx *db.Tx) error {
						order = append(order, i)
						if tx.Local(key{}) != "x" {
							t.Fatal("local lost")
						}
						if i == tc.failAt {
							return boom
						}
						_, err := tx.Exec("INSERT INTO meta(k, v) VALUES(?, 'v')", "before"+string(rune('0'+i)))
						return err
					})
				}
				return nil
			})
			if (err != nil) != (tc.failAt >= 0) || (err != nil && !errors.Is(err, boom)) {
				t.Fatalf("err = %v", err)
			}
			var n int
			d.R.QueryRow("SELECT count(*) FROM meta WHERE k LIKE 'before%'").Scan(&n)
			if (n == 2) != tc.wantRow || (!tc.wantRow && n != 0) {
				t.Fatalf("%d rows written, want all or nothing (%v)", n, tc.wantRow)
			}
			if order[0] != 0 {
				t.Fatalf("order %v", order)
			}
		})
	}
}
