package db_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"magpie/backend/db"
)

func TestCollectAndStrings(t *testing.T) {
	d, err := db.OpenDir(t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if err := d.Write(ctx, func(tx *db.Tx) error {
		for _, u := range []struct{ id, name string }{{"u2", "Bob"}, {"u1", "Ann"}} {
			if err := tx.Insert("users", u.id, db.Cols{"name": u.name, "date_added": 1}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	type user struct{ ID, Name string }
	scan := func(sc db.Scanner) (user, error) {
		var u user
		return u, sc.Scan(&u.ID, &u.Name)
	}
	failing := func(sc db.Scanner) (user, error) { return user{}, errors.New("boom") }

	cases := []struct {
		name string
		run  func() (any, error)
		want any
		fail bool
	}{
		{"collect in order", func() (any, error) {
			return db.Collect(ctx, d.R, scan, "SELECT id, name FROM users WHERE id IN ('u1', 'u2') ORDER BY name")
		}, []user{{"u1", "Ann"}, {"u2", "Bob"}}, false},
		{"collect nothing is an empty slice", func() (any, error) {
			return db.Collect(ctx, d.R, scan, "SELECT id, name FROM users WHERE id = ?", "nobody")
		}, []user{}, false},
		{"collect stops at a scan error", func() (any, error) {
			return db.Collect(ctx, d.R, failing, "SELECT id, name FROM users WHERE id = 'u1'")
		}, []user(nil), true},
		{"strings", func() (any, error) {
			return db.Strings(d.R.QueryContext(ctx, "SELECT id FROM users WHERE id IN ('u1', 'u2') ORDER BY id DESC"))
		}, []string{"u2", "u1"}, false},
		{"strings passes the query error on", func() (any, error) {
			return db.Strings(d.R.QueryContext(ctx, "SELECT id FROM no_such_table"))
		}, []string(nil), true},
	}
	for _, c := range cases {
		got, err := c.run()
		if (err != nil) != c.fail || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, %v; want %#v (error: %v)", c.name, got, err, c.want, c.fail)
		}
	}
}
