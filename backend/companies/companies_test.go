package companies_test

import (
	"context"
	"slices"
	"testing"

	"magpie/backend/companies"
	"magpie/backend/db"
	"magpie/backend/internal/testenv"
)

// TestFindOrCreateMany: the bulk find-or-create of a batch gives every name the company
// FindOrCreateTx would give it, called name by name in order — an existing live company
// (case and accent-insensitive, the oldest of two, never a trashed one), one new company
// per folded name made from its first spelling — and stores nothing else.
func TestFindOrCreateMany(t *testing.T) {
	d, _ := testenv.NewDB(t)
	ctx := context.Background()
	var acme, acme2, trashed string
	if err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		if acme, _, err = companies.FindOrCreateTx(tx, "Acme"); err != nil {
			return err
		}
		if err := tx.Insert("companies", "c-later", db.Cols{"companyname": "ACME", "date_added": tx.NowMs() + 1, "date_modified": tx.NowMs()}); err != nil {
			return err
		}
		acme2 = "c-later"
		if trashed, _, err = companies.FindOrCreateTx(tx, "Gone Ltd"); err != nil {
			return err
		}
		_, err = tx.Delete("companies", trashed)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	names := []string{" acme", "Émile SA", "Gone Ltd", "EMILE SA ", "New Co", "émile sa"}
	var got []string
	if err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		got, err = companies.FindOrCreateManyTx(tx, names)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		i    int
		same int    // index of a name that must share the company (-1: none)
		not  string // an id it must not be
		is   string // the id it must be ("" = a new one)
	}{
		{i: 0, same: -1, is: acme},
		{i: 1, same: 3, not: acme},
		{i: 1, same: 5},
		{i: 2, same: -1, not: trashed},
		{i: 4, same: -1, not: acme2},
	} {
		if tc.is != "" && got[tc.i] != tc.is {
			t.Errorf("%q → %s, want %s", names[tc.i], got[tc.i], tc.is)
		}
		if tc.same >= 0 && got[tc.i] != got[tc.same] {
			t.Errorf("%q → %s but %q → %s, want one company", names[tc.i], got[tc.i], names[tc.same], got[tc.same])
		}
		if tc.not != "" && got[tc.i] == tc.not {
			t.Errorf("%q → %s, must not be it", names[tc.i], got[tc.i])
		}
	}
	rows, err := d.R.Query("SELECT companyname, name_key FROM companies WHERE deleted = 0")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var n, k string
		if err := rows.Scan(&n, &k); err != nil {
			t.Fatal(err)
		}
		list = append(list, n+"/"+k)
	}
	slices.Sort(list)
	want := []string{"ACME/acme", "Acme/acme", "Gone Ltd/gone ltd", "New Co/new co", "Émile SA/emile sa"}
	if len(list) != len(want) {
		t.Fatalf("live companies %q, want %q", list, want)
	}
	for i := range want {
		if list[i] != want[i] {
			t.Fatalf("live companies %q, want %q", list, want)
		}
	}
	// FindOrCreateTx agrees afterwards.
	if err := d.Write(ctx, func(tx *db.Tx) error {
		id, created, err := companies.FindOrCreateTx(tx, "EMILE sa")
		if err == nil && (created || id != got[1]) {
			t.Errorf("FindOrCreateTx(EMILE sa) = %s (created %v), want %s", id, created, got[1])
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
