package dwc

import (
	"context"
	"errors"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/segments"
)

// TestPushOverridesFilters: a campaign push makes an item the content of its slot for one
// contact (the others keep the filter-chosen content), a later push replaces it, an
// unpublished or deleted pushed item falls back to the filters, and a merge carries the push
// to the winner.
func TestPushOverridesFilters(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	s := New(d, segments.New(d, fs), cs)
	mk := func(vals map[string]string) string {
		c, err := cs.Create(ctx, contacts.Input{Values: vals}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	ann, bob, ann2 := mk(map[string]string{"firstname": "Ann"}), mk(map[string]string{"firstname": "Bob"}), mk(map[string]string{"firstname": "Ann"})
	save := func(sl Slot) Slot {
		out, err := s.Save(ctx, sl)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	save(Slot{Name: "Hero", Slot: "hero", Published: true, DefaultContent: "<p>Welcome</p>"})
	offer := save(Slot{Name: "Spring offer", Slot: "spring-offer", Published: true, DefaultContent: "<p>Spring offer for {contactfield=firstname}</p>"})
	vip := save(Slot{Name: "VIP", Slot: "vip", Published: true, DefaultContent: "<p>VIP</p>"})
	push := func(contact, item string) error {
		return d.Write(ctx, func(tx *db.Tx) error { return Push(tx, contact, "hero", item) })
	}
	check := func(step, contact, want string) {
		t.Helper()
		got, found, err := s.Resolve(ctx, contact, "HERO")
		if err != nil || !found || got != want {
			t.Fatalf("%s: Resolve = %q, %v, %v; want %q", step, got, found, err, want)
		}
	}
	check("before any push: the slot's own content", ann, "<p>Welcome</p>")
	if err := push(ann, offer.ID); err != nil {
		t.Fatal(err)
	}
	check("pushed, with tokens", ann, "<p>Spring offer for Ann</p>")
	check("another contact keeps the filter content", bob, "<p>Welcome</p>")
	check("an unknown visitor too", "", "<p>Welcome</p>")
	if err := push(ann, vip.ID); err != nil {
		t.Fatal(err)
	}
	check("a second push replaces the first", ann, "<p>VIP</p>")
	vip.Published = false
	save(vip)
	check("unpublished pushed item: back to the filters", ann, "<p>Welcome</p>")
	vip.Published = true
	save(vip)
	check("published again", ann, "<p>VIP</p>")
	if err := d.Write(ctx, func(tx *db.Tx) error { return contacts.NewOps(tx, "test").Merge(ann2, ann, "test") }); err != nil {
		t.Fatal(err)
	}
	check("the merge winner has the loser's push", ann2, "<p>VIP</p>")
	if err := s.Delete(ctx, vip.ID); err != nil {
		t.Fatal(err)
	}
	check("deleted pushed item: back to the filters", ann2, "<p>Welcome</p>")
	if err := push(bob, vip.ID); !errors.Is(err, ErrNoItem) {
		t.Fatalf("pushing a deleted item: %v, want ErrNoItem", err)
	}
	if err := d.Write(ctx, func(tx *db.Tx) error { return Push(tx, bob, "no slot!", offer.ID) }); err == nil {
		t.Fatal("pushing into an invalid slot name was accepted")
	}
	var n int
	d.R.QueryRow("SELECT count(*) FROM dwc_pushes WHERE deleted = 0").Scan(&n)
	if n != 1 {
		t.Fatalf("%d live pushes, want 1 (the winner's)", n)
	}
}
