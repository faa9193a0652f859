package contacts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/companies"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/ids"
	"magpie/backend/internal/testenv"
)

// linkRows lists a contact's link rows of table: "id-style/target/deleted" sorted, where
// id-style is "near" (contacts.TagLinkID/CompanyLinkID) or "legacy" (ids.Derived).
func linkRows(t *testing.T, d *db.DB, table, contactID string) string {
	t.Helper()
	col := "tag_id"
	if table == "company_contacts" {
		col = "company_id"
	}
	rows, err := d.R.Query("SELECT id, "+col+", deleted FROM "+table+" WHERE contact_id = ? ORDER BY "+col+", id", contactID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, target string
		var del int
		if err := rows.Scan(&id, &target, &del); err != nil {
			t.Fatal(err)
		}
		near, legacy := contacts.TagLinkID(contactID, target), ids.Derived("contact_tag", contactID, target)
		if table == "company_contacts" {
			near, legacy = contacts.CompanyLinkID(contactID, target), ids.Derived("company_contact", contactID, target)
		}
		style := "other"
		switch id {
		case near:
			style = "near"
		case legacy:
			style = "legacy"
		}
		out = append(out, fmt.Sprintf("%s/%s/%d", style, target[:4], del))
	}
	return strings.Join(out, " ")
}

// A store made before DerivedNear holds links with ids.Derived ids. Tagging, untagging,
// retagging, company links and merges must act on those rows (never add a second link).
func TestLegacyLinkIDs(t *testing.T) {
	ctx := context.Background()
	d, clk := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	s := contacts.New(d, fs)
	mk := func(email string) string {
		c, err := s.Create(ctx, contacts.Input{Values: map[string]string{"email": email}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	ann, bob := mk("ann@example.com"), mk("bob@example.com")
	var acme string
	legacyTag := func(cid, tag string) {
		t.Helper()
		err := d.Write(ctx, func(tx *db.Tx) error {
			tid, err := contacts.NewOps(tx, "test").EnsureTag(tag)
			if err != nil {
				return err
			}
			return tx.Insert("contact_tags", ids.Derived("contact_tag", cid, tid), db.Cols{"contact_id": cid, "tag_id": tid, "date_added": tx.NowMs()})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	legacyTag(ann, "vip")
	legacyTag(bob, "lead")
	err = d.Write(ctx, func(tx *db.Tx) error {
		id, _, err := companies.FindOrCreateTx(tx, "Acme")
		acme = id
		if err != nil {
			return err
		}
		return tx.Insert("company_contacts", ids.Derived("company_contact", bob, id), db.Cols{"company_id": id, "contact_id": bob, "is_primary": 1, "date_added": tx.NowMs()})
	})
	if err != nil {
		t.Fatal(err)
	}
	vip, lead := contacts.TagID("vip")[:4], contacts.TagID("lead")[:4]
	tag := func(id string, add, rm []string) {
		t.Helper()
		clk.Advance(time.Second)
		if _, err := s.Tag(ctx, []string{id}, add, rm, "test"); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		do   func()
		cid  string
		tbl  string
		want string
	}{
		{"tag again: no second row", func() { tag(ann, []string{"VIP"}, nil) }, ann, "contact_tags", "legacy/" + vip + "/0"},
		{"untag removes the legacy row", func() { tag(ann, nil, []string{"vip"}) }, ann, "contact_tags", "legacy/" + vip + "/1"},
		{"retag restores it", func() { tag(ann, []string{"vip"}, nil) }, ann, "contact_tags", "legacy/" + vip + "/0"},
		{"a new tag gets a near id", func() { tag(ann, []string{"lead"}, nil) }, ann, "contact_tags", "legacy/" + vip + "/0 near/" + lead + "/0"},
		{"link again keeps the legacy company link", func() {
			if err := s.LinkCompany(ctx, bob, acme, true, "test"); err != nil {
				t.Fatal(err)
			}
		}, bob, "company_contacts", "legacy/" + acme[:4] + "/0"},
		{"unlink removes it", func() {
			if err := s.UnlinkCompany(ctx, bob, acme, "test"); err != nil {
				t.Fatal(err)
			}
		}, bob, "company_contacts", "legacy/" + acme[:4] + "/1"},
		{"relink restores it", func() {
			if err := s.LinkCompany(ctx, bob, acme, true, "test"); err != nil {
				t.Fatal(err)
			}
		}, bob, "company_contacts", "legacy/" + acme[:4] + "/0"},
		{"merge bob into ann: ann keeps her legacy vip, gets near links", func() {
			if err := d.Write(ctx, func(tx *db.Tx) error { return contacts.NewOps(tx, "test").Merge(ann, bob, "test") }); err != nil {
				t.Fatal(err)
			}
		}, ann, "contact_tags", "legacy/" + vip + "/0 near/" + lead + "/0"},
		{"merged company link", func() {}, ann, "company_contacts", "near/" + acme[:4] + "/0"},
		{"untag the merged contact", func() { tag(ann, nil, []string{"vip", "lead"}) }, ann, "contact_tags", "legacy/" + vip + "/1 near/" + lead + "/1"},
	}
	for _, st := range steps {
		st.do()
		if got := linkRows(t, d, st.tbl, st.cid); got != st.want {
			t.Fatalf("%s: %s rows = %q, want %q", st.name, st.tbl, got, st.want)
		}
	}
	got, err := s.Get(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tags) != 0 || len(got.Companies) != 1 {
		t.Fatalf("ann: tags %v companies %+v", got.Tags, got.Companies)
	}
}
