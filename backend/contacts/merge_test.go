package contacts_test

import (
	"context"
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
)

func TestMerge_KeepsKnownIDAndMovesEverything(t *testing.T) {
	ctx := context.Background()
	d, clk := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	s := contacts.New(d, fs)
	known, err := s.Create(ctx, contacts.Input{Values: map[string]string{"email": "ann@example.com", "firstname": "Ann", "city": "Lyon"},
		Tags: []string{"customer"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	anon, err := s.Create(ctx, contacts.Input{Values: map[string]string{"city": "Paris", "phone": "+33 1 23 45 67 89"}, Tags: []string{"visitor"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AdjustPoints(ctx, known.ID, 5, "x", "test"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if err := s.AdjustPoints(ctx, anon.ID, 3, "x", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetDNC(ctx, []string{anon.ID}, "sms", contacts.ReasonManual, "", "test"); err != nil {
		t.Fatal(err)
	}
	anonEvents, _, _ := events.List(ctx, s.DB().R, events.Query{ContactID: anon.ID, Limit: 500})
	err = s.DB().Write(ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").Merge(known.ID, anon.ID, "form")
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, known.ID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ what, got, want string }{
		{"email kept", got.Str("email"), "ann@example.com"},
		{"blank phone filled from the visitor", got.Str("phone"), "+33 1 23 45 67 89"},
		{"city of the newer contact wins", got.Str("city"), "Paris"},
		{"firstname kept", got.Str("firstname"), "Ann"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.what, tc.got, tc.want)
		}
	}
	if got.Points != 8 {
		t.Errorf("points = %d, want 5+3", got.Points)
	}
	if len(got.Tags) != 2 {
		t.Errorf("tags = %v, want customer and visitor", got.Tags)
	}
	if _, err := s.Get(ctx, anon.ID); err == nil {
		if d, _ := s.Get(ctx, anon.ID); !d.Deleted {
			t.Error("the merged visitor is still live")
		}
	}
	evs, _, _ := events.List(ctx, s.DB().R, events.Query{ContactID: known.ID, Limit: 500})
	moved := map[string]bool{}
	var merged bool
	for _, e := range evs {
		moved[e.ID] = true
		if e.Type == events.ContactMerged && e.ObjectID == anon.ID {
			merged = true
		}
	}
	for _, e := range anonEvents {
		if !moved[e.ID] {
			t.Errorf("event %s (%s) of the visitor was not moved", e.ID, e.Type)
		}
	}
	if !merged {
		t.Error("no contact.merged event on the winner")
	}
	var dnc, records int
	s.DB().R.QueryRow("SELECT count(*) FROM dnc WHERE contact_id = ? AND channel = 'sms' AND deleted = 0", known.ID).Scan(&dnc)
	s.DB().R.QueryRow("SELECT count(*) FROM contact_merges WHERE winner_id = ? AND loser_id = ?", known.ID, anon.ID).Scan(&records)
	if dnc != 1 || records != 1 {
		t.Errorf("dnc moved = %d, merge records = %d; want 1 and 1", dnc, records)
	}
	err = s.DB().Write(ctx, func(tx *db.Tx) error {
		w, err := contacts.MergedInto(tx, anon.ID)
		if w != known.ID {
			t.Errorf("MergedInto(%s) = %s, want %s", anon.ID, w, known.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Merging into itself or a missing contact is refused.
	err = s.DB().Write(ctx, func(tx *db.Tx) error { return contacts.NewOps(tx, "test").Merge(known.ID, known.ID, "") })
	if err == nil {
		t.Error("merge into itself accepted")
	}
	err = s.DB().Write(ctx, func(tx *db.Tx) error { return contacts.NewOps(tx, "test").Merge(known.ID, anon.ID, "") })
	if err == nil {
		t.Error("merge of a trashed contact accepted")
	}
}
