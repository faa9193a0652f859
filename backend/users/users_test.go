package users_test

import (
	"context"
	"errors"
	"testing"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/users"
)

// Members are saved with a name and, when given, a unique valid email; they go to the trash
// and back; contacts are assigned to them (and unassigned), never to someone unknown.
func TestMembersAndOwners(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	s := users.New(d)
	ann, err := s.Save(ctx, users.User{Name: " Ann Martin ", Email: "ann@x.io"})
	if err != nil || ann.ID == "" || ann.Name != "Ann Martin" {
		t.Fatalf("save: %+v, %v", ann, err)
	}
	for _, bad := range []struct {
		u     users.User
		field string
	}{
		{users.User{Email: "bob@x.io"}, "name"},
		{users.User{Name: "Bob", Email: "not an address"}, "email"},
		{users.User{Name: "Bob", Email: "ann@x.io"}, "email"}, // taken
	} {
		_, err := s.Save(ctx, bad.u)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Fields[bad.field] == "" {
			t.Errorf("%+v: err %v, want a %s field error", bad.u, err, bad.field)
		}
	}
	ann.Name = "Ann M."
	if _, err := s.Save(ctx, ann); err != nil {
		t.Fatal(err)
	}
	list, _ := s.List(ctx, false)
	if len(list) != 1 || list[0].Name != "Ann M." {
		t.Fatalf("list %+v", list)
	}

	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	var cid string
	d.Write(ctx, func(tx *db.Tx) error {
		cid, _ = contacts.NewOps(tx, "test").Create(db.Cols{"email": "c@x.io"}, contacts.CreateOpts{})
		return nil
	})
	owner := func() string {
		c, err := cs.Get(ctx, cid)
		if err != nil {
			t.Fatal(err)
		}
		return c.OwnerID
	}
	if _, err := cs.SetOwner(ctx, []string{cid}, ann.ID, "test"); err != nil || owner() != ann.ID {
		t.Fatalf("set owner: %v, owner %q", err, owner())
	}
	if _, err := cs.SetOwner(ctx, []string{cid}, "nobody", "test"); apperr.CodeOf(err) != apperr.NotFound || owner() != ann.ID {
		t.Errorf("unknown owner: %v, owner %q", err, owner())
	}
	if err := s.Delete(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	if trash, _ := s.List(ctx, true); len(trash) != 1 {
		t.Errorf("trash %+v", trash)
	}
	if err := s.Restore(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.SetOwner(ctx, []string{cid}, "", "test"); err != nil || owner() != "" {
		t.Errorf("no owner: %v, owner %q", err, owner())
	}
}
