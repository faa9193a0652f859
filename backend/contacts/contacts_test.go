package contacts_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
)

func newService(t *testing.T) *contacts.Service {
	t.Helper()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return contacts.New(d, fs)
}

func TestCreate_IdentifiesAndMirrorsCompany(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	c, err := s.Create(ctx, contacts.Input{Values: map[string]string{
		"firstname": "Élodie", "lastname": "Dupont", "email": "elodie@example.fr", "company": "Acme SA", "country": "france",
	}, Tags: []string{"VIP", "vip", "lead"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if c.DateIdentified == nil {
		t.Error("a contact with a name must be identified")
	}
	if got := c.Str("country"); got != "France" {
		t.Errorf("country = %q, want France (normalised)", got)
	}
	if len(c.Tags) != 2 {
		t.Errorf("tags = %v, want 2 (VIP and vip are one tag)", c.Tags)
	}
	if len(c.Companies) != 1 || !c.Companies[0].Primary || c.Companies[0].Name != "Acme SA" {
		t.Errorf("companies = %+v, want Acme SA primary", c.Companies)
	}
	evs, _, err := events.List(ctx, s.DB().R, events.Query{ContactID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	types := map[events.Type]int{}
	for _, e := range evs {
		types[e.Type]++
	}
	if types[events.ContactCreated] != 1 || types[events.ContactIdentified] != 1 || types[events.TagAdded] != 2 {
		t.Errorf("events = %v", types)
	}
}

func TestCreate_FieldErrors(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	_, err := s.Create(ctx, contacts.Input{Values: map[string]string{"email": "not-an-email", "country": "Atlantis", "nope": "x"}}, "test")
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("err = %v, want invalid", err)
	}
	for _, f := range []string{"email", "country", "nope"} {
		if e.Fields[f] == "" {
			t.Errorf("no error for field %s in %v", f, e.Fields)
		}
	}
}

func TestUpdate_EmailTakenAndIdentify(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	a, err := s.Create(ctx, contacts.Input{Values: map[string]string{"email": "a@example.com"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	anon, err := s.Create(ctx, contacts.Input{Values: map[string]string{"city": "Lyon"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if anon.DateIdentified != nil || !anon.Anonymous() {
		t.Fatal("a contact with only a city is anonymous")
	}
	_, err = s.Update(ctx, anon.ID, map[string]string{"email": "A@example.com"}, "test")
	if e, ok := apperr.As(err); !ok || e.Code != apperr.Conflict || !errors.Is(err, contacts.ErrEmailTaken) {
		t.Fatalf("err = %v, want email taken (case-insensitive)", err)
	}
	got, err := s.Update(ctx, anon.ID, map[string]string{"lastname": "Martin"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got.DateIdentified == nil {
		t.Error("naming a visitor must identify it")
	}
	_ = a
}

func TestList_SearchSortAndPaging(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	names := []string{"Zoé Zola", "Élodie Dupont", "Eric Durand", "Anne Martin", "Jean Dupont"}
	for i, n := range names {
		var first, last string
		for j := range n {
			if n[j] == ' ' {
				first, last = n[:j], n[j+1:]
			}
		}
		if _, err := s.Create(ctx, contacts.Input{Values: map[string]string{"firstname": first, "lastname": last,
			"email": fmt.Sprintf("%s%d@ex.com", strings.ToLower(last), i)}, Tags: []string{map[bool]string{true: "even", false: "odd"}[i%2 == 0]}}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	scenarios := []struct {
		name  string
		q     contacts.Query
		want  []string // last names in order
		total int
	}{
		{"by lastname", contacts.Query{Sort: "lastname"}, []string{"Dupont", "Dupont", "Durand", "Martin", "Zola"}, 5},
		{"accent-insensitive", contacts.Query{Search: "elodie"}, []string{"Dupont"}, 1},
		{"prefix on last name", contacts.Query{Search: "dup", Sort: "firstname"}, []string{"Dupont", "Dupont"}, 2},
		{"two words", contacts.Query{Search: "jean dup"}, []string{"Dupont"}, 1},
		{"tag", contacts.Query{Search: "tag:odd", Sort: "lastname"}, []string{"Dupont", "Martin"}, 2},
		{"offset page", contacts.Query{Sort: "lastname", Offset: 3, Limit: 2}, []string{"Martin", "Zola"}, 5},
		{"desc", contacts.Query{Sort: "lastname", Desc: true, Limit: 2}, []string{"Zola", "Martin"}, 5},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			p, err := s.List(ctx, sc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range p.Rows {
				got = append(got, r.Str("lastname"))
			}
			if len(got) != len(sc.want) || p.Total != sc.total {
				t.Fatalf("got %v (total %d), want %v (total %d)", got, p.Total, sc.want, sc.total)
			}
			for i := range got {
				if got[i] != sc.want[i] {
					t.Fatalf("got %v, want %v", got, sc.want)
				}
			}
		})
	}
	// Walk every page with a small limit: the anchors must give the same order as one
	// big page.
	all, _ := s.List(ctx, contacts.Query{Sort: "email"})
	for off := 0; off < 5; off++ {
		p, err := s.List(ctx, contacts.Query{Sort: "email", Offset: off, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rows) != 1 {
			t.Fatalf("offset %d: %d rows", off, len(p.Rows))
		}
		if p.Rows[0].ID != all.Rows[off].ID {
			t.Fatalf("offset %d: %s, want %s", off, p.Rows[0].ID, all.Rows[off].ID)
		}
	}
}

func TestDeleteRestoreAndDNC(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	c, _ := s.Create(ctx, contacts.Input{Values: map[string]string{"email": "x@example.com"}}, "test")
	if n, err := s.SetDNC(ctx, []string{c.ID}, "email", contacts.ReasonUnsubscribed, "", "test"); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if n, err := s.Delete(ctx, []string{c.ID}, "test"); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	p, _ := s.List(ctx, contacts.Query{})
	if p.Total != 0 {
		t.Fatal("deleted contact still listed")
	}
	trash, _ := s.List(ctx, contacts.Query{Deleted: true})
	if trash.Total != 1 {
		t.Fatal("deleted contact not in trash")
	}
	if _, err := s.Restore(ctx, []string{c.ID}, "test"); err != nil {
		t.Fatal(err)
	}
	d, err := s.Get(ctx, c.ID)
	if err != nil || d.Deleted || len(d.DNC) != 1 || d.DNC[0].Reason != contacts.ReasonUnsubscribed {
		t.Fatalf("restored = %+v, %v", d, err)
	}
}

// TestUpdate_UnchangedValuesAreNoEdit: values equal to the stored ones (the same text, the
// same number) are left out of an update — no write, no timeline entry when nothing
// changed — and a changed one among them is the only field the update names.
func TestUpdate_UnchangedValuesAreNoEdit(t *testing.T) {
	ctx := context.Background()
	d, clk := testenv.NewDB(t)
	s := newServiceOn(t, d)
	same := map[string]string{"email": "zoe@x.io", "firstname": "Zoé", "city": "Lyon", "attribution": "3"}
	c, err := s.Create(ctx, contacts.Input{Values: same}, "test")
	if err != nil {
		t.Fatal(err)
	}
	updates := func() (n int, fields string) {
		t.Helper()
		if err := d.R.QueryRow(`SELECT count(*), coalesce(max(data), '') FROM events WHERE contact_id = ? AND type = ?`,
			c.ID, events.ContactUpdated).Scan(&n, &fields); err != nil {
			t.Fatal(err)
		}
		return n, fields
	}
	for _, tc := range []struct {
		name     string
		vals     map[string]string
		updates  int
		fields   string
		modified bool
	}{
		{"all the same", same, 0, "", false},
		{"a number written differently", map[string]string{"attribution": "3.0"}, 0, "", false},
		{"one changed among the same", map[string]string{"firstname": "Zoé", "city": "Paris", "email": "zoe@x.io"}, 1, `{"fields":["city"]}`, true},
		{"case is a change", map[string]string{"city": "paris"}, 2, `{"fields":["city"]}`, true},
	} {
		before, err := s.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		got, err := s.Update(ctx, c.ID, tc.vals, "test")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if n, f := updates(); n != tc.updates || (tc.fields != "" && f != tc.fields) {
			t.Errorf("%s: %d contact.updated events (last %s), want %d (%s)", tc.name, n, f, tc.updates, tc.fields)
		}
		if moved := !got.DateModified.Equal(before.DateModified); moved != tc.modified {
			t.Errorf("%s: date_modified moved = %v, want %v", tc.name, moved, tc.modified)
		}
	}
}

// TestUpdateMany: a batch update leaves each contact as Updates in order would — an id
// given twice gets both value sets (the later wins), one event per changed contact, a named
// visitor identified, a changed company made primary (the old one stays linked) — and
// refuses a contact that is not live.
func TestUpdateMany(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	s := newServiceOn(t, d)
	mk := func(vals map[string]string) string {
		c, err := s.Create(ctx, contacts.Input{Values: vals}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	a, b, c := mk(map[string]string{"email": "a@x.io", "city": "Lyon"}), mk(map[string]string{"city": "Nice"}),
		mk(map[string]string{"email": "c@x.io", "company": "Acme"})
	var before int64 // the events the batch writes come after this one
	if err := d.R.QueryRow("SELECT max(seq) FROM events").Scan(&before); err != nil {
		t.Fatal(err)
	}
	err := d.Write(ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").UpdateMany([]string{a, b, a, c},
			[]db.Cols{{"city": "Paris"}, {"lastname": "Martin"}, {"city": "Lille", "firstname": "Ann"}, {"company": "Beta"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id, field, want, events string
	}{
		{a, "city", "Lille", `contact.updated {"fields":["city","firstname"]}`},
		{a, "firstname", "Ann", ""},
		{b, "lastname", "Martin", `contact.identified ; contact.updated {"fields":["lastname"]}`},
		{c, "company", "Beta", `company.linked ; contact.updated {"fields":["company"]}`},
	} {
		got, err := s.Get(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Str(tc.field) != tc.want {
			t.Errorf("%s = %q, want %q", tc.field, got.Str(tc.field), tc.want)
		}
		if tc.id == b && got.DateIdentified == nil {
			t.Error("the named visitor was not identified")
		}
		if tc.events == "" {
			continue
		}
		evs, err := db.Strings(d.R.Query(`SELECT type || coalesce(' ' || data, '') FROM events WHERE contact_id = ? AND seq > ? ORDER BY type`,
			tc.id, before))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(evs, " ; ") != tc.events {
			t.Errorf("%s: events %q, want %q", tc.field, evs, tc.events)
		}
	}
	det, err := s.Get(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(det.Companies) != 2 || det.Companies[0].Name != "Beta" || !det.Companies[0].Primary || det.Companies[1].Primary {
		t.Errorf("companies %+v, want Beta primary, Acme kept", det.Companies)
	}
	err = d.Write(ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").UpdateMany([]string{a, "nobody"}, []db.Cols{{"city": "Metz"}, {"city": "Metz"}})
	})
	if !errors.Is(err, contacts.ErrNotFound) {
		t.Fatalf("unknown contact: %v, want ErrNotFound", err)
	}
}
