package segments_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/segments"
)

func (f *fixture) members(t *testing.T, id string) []string {
	t.Helper()
	ms, total, err := f.seg.Members(context.Background(), id, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(ms) {
		t.Fatalf("total %d != page %d", total, len(ms))
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return f.names(ids)
}

func (f *fixture) save(t *testing.T, name, filters string) segments.Segment {
	t.Helper()
	g, err := f.seg.Save(context.Background(), segments.Input{Name: name, Filters: json.RawMessage(filters)})
	if err != nil {
		t.Fatalf("save %s: %v", name, err)
	}
	return g
}

func TestManualStateMachine(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	g := f.save(t, "Parisians", one("city", "=", "paris"))
	step := func(what string, want ...string) {
		t.Helper()
		if _, err := f.seg.Rebuild(ctx, g.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if got := f.members(t, g.ID); !equal(got, append([]string{}, want...)) {
			t.Fatalf("%s: members %v, want %v", what, got, want)
		}
	}
	step("filter adds", "Ann")
	if _, err := f.seg.AddManual(ctx, g.ID, []string{f.ids["Bob"]}); err != nil {
		t.Fatal(err)
	}
	step("manual add stays whatever the filters say", "Ann", "Bob")
	if _, err := f.seg.RemoveManual(ctx, g.ID, []string{f.ids["Ann"]}); err != nil {
		t.Fatal(err)
	}
	step("manually removed stays out while matching", "Bob")
	if _, err := f.cs.Update(ctx, f.ids["Ann"], map[string]string{"city": "London"}, "test"); err != nil {
		t.Fatal(err)
	}
	step("stops matching: row dropped", "Bob")
	if _, err := f.cs.Update(ctx, f.ids["Ann"], map[string]string{"city": "Paris"}, "test"); err != nil {
		t.Fatal(err)
	}
	step("matches again: re-added (Q8)", "Ann", "Bob")
	if _, err := f.seg.RemoveManual(ctx, g.ID, []string{f.ids["Bob"]}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cs.Update(ctx, f.ids["Bob"], map[string]string{"city": "Paris"}, "test"); err != nil {
		t.Fatal(err)
	}
	step("manual remove of a manual add is sticky (Q9 fixed)", "Ann")
	if _, err := f.seg.AddManual(ctx, g.ID, []string{f.ids["Bob"]}); err != nil {
		t.Fatal(err)
	}
	step("manual add after removal", "Ann", "Bob")

	static := f.save(t, "Static", "[]")
	if !static.Static {
		t.Fatal("a segment without filters must be static")
	}
	step2, err := f.seg.Rebuild(ctx, static.ID, time.Time{})
	if err != nil || step2.Skipped == "" {
		t.Fatalf("static rebuild = %+v, %v", step2, err)
	}
}

func TestRebuildCountsAndEvents(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	g := f.save(t, "News", one("tags", "in", []string{"news"}))
	if g.Members != 2 {
		t.Fatalf("members = %d", g.Members)
	}
	if _, err := f.cs.Tag(ctx, []string{f.ids["Bob"]}, nil, []string{"news"}, "test"); err != nil {
		t.Fatal(err)
	}
	r, err := f.seg.Rebuild(ctx, g.ID, time.Time{})
	if err != nil || r.Added != 0 || r.Removed != 1 || r.Members != 1 {
		t.Fatalf("rebuild = %+v, %v", r, err)
	}
	evs, _, err := events.List(ctx, f.d.R, events.Query{ContactID: f.ids["Bob"], Types: []events.Type{events.SegmentAdded, events.SegmentRemoved}})
	if err != nil || len(evs) != 2 || evs[0].Type != events.SegmentRemoved || evs[0].ObjectID != g.ID {
		t.Fatalf("timeline = %+v, %v", evs, err)
	}
}

func TestLiveMembership(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	g := f.save(t, "Visitors", one("hit_url", "contains", "/docs"))
	refs := f.save(t, "Visitors or VIP", "["+leaf("and", "leadlist", "in", []string{g.ID})+","+leaf("or", "vip", "=", "1")+"]")
	f.seg.Start()
	defer f.seg.Stop()
	if err := f.d.Write(ctx, func(tx *db.Tx) error {
		_, err := events.Append(tx, events.Event{ContactID: f.ids["Dan"], Type: events.PageHit, URL: "https://shop.io/docs/a"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cs.Update(ctx, f.ids["Bob"], map[string]string{"vip": "1"}, "test"); err != nil {
		t.Fatal(err)
	}
	f.seg.Stop()
	if err := f.seg.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.members(t, g.ID); !equal(got, []string{"Dan"}) {
		t.Fatalf("visitors = %v", got)
	}
	if got := f.members(t, refs.ID); !equal(got, []string{"Ann", "Bob", "Dan"}) {
		t.Fatalf("visitors or vip = %v", got)
	}
	got, _ := f.seg.Get(ctx, refs.ID)
	if got.Members != 3 {
		t.Fatalf("cached count = %d", got.Members)
	}
	// A full rebuild agrees with the live result.
	for _, id := range []string{g.ID, refs.ID} {
		r, err := f.seg.Rebuild(ctx, id, time.Time{})
		if err != nil || r.Added+r.Removed != 0 {
			t.Fatalf("rebuild after live = %+v, %v", r, err)
		}
	}
}

func TestCyclesAndVersions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := f.save(t, "A", one("city", "=", "paris"))
	b := f.save(t, "B", one("leadlist", "in", []string{a.ID}))
	_, err := f.seg.Save(ctx, segments.Input{ID: a.ID, Name: "A", Filters: json.RawMessage(one("leadlist", "in", []string{b.ID}))})
	if err == nil {
		t.Fatal("a cycle must be refused")
	}
	if cur, _ := f.seg.Get(ctx, a.ID); cur.Version != 1 {
		t.Fatalf("a failed save changed the segment: version %d", cur.Version)
	}
	f.seg.Save(ctx, segments.Input{ID: a.ID, Name: "A2", Filters: json.RawMessage(one("city", "empty", nil))})
	vs, err := f.seg.Versions(ctx, a.ID)
	if err != nil || len(vs) != 2 || vs[0].Name != "A2" {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	back, err := f.seg.RevertTo(ctx, a.ID, 1)
	if err != nil || back.Name != "A" || back.Version != 3 || back.Members != 1 {
		t.Fatalf("revert = %+v, %v", back, err)
	}
	if err := f.seg.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.seg.List(ctx, true); len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("trash = %+v", list)
	}
	if err := f.seg.Restore(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
}

// A merge (a visitor identified as a known contact) keeps the loser's hand-made memberships on
// the survivor; the survivor's own row wins where both had one, and counts follow.
func TestMergeMovesMemberships(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	static := f.save(t, "Hand-picked", "[]")
	both := f.save(t, "Both", "[]")
	for _, step := range []struct {
		seg string
		who string
		add bool
	}{{static.ID, "Dan", true}, {both.ID, "Dan", true}, {both.ID, "Bob", true}, {both.ID, "Bob", false}} {
		var err error
		if step.add {
			_, err = f.seg.AddManual(ctx, step.seg, []string{f.ids[step.who]})
		} else {
			_, err = f.seg.RemoveManual(ctx, step.seg, []string{f.ids[step.who]})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := f.d.Write(ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").Merge(f.ids["Bob"], f.ids["Dan"], "test")
	}); err != nil {
		t.Fatal(err)
	}
	if got := f.members(t, static.ID); !equal(got, []string{"Bob"}) {
		t.Fatalf("hand-picked members %v, want Bob (moved from Dan)", got)
	}
	if got := f.members(t, both.ID); len(got) != 0 {
		t.Fatalf("both: members %v, want none (Bob's manual removal wins)", got)
	}
	for _, g := range []segments.Segment{static, both} {
		got, err := f.seg.Get(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := len(f.members(t, g.ID)); got.Members != want {
			t.Fatalf("%s: cached count %d, want %d", g.Name, got.Members, want)
		}
	}
}

// A bulk write (db.Tx.Bulk: a big import into a store without contacts) lists no contact:
// live membership rebuilds every segment after it.
func TestLiveMembershipAfterBulkWrite(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	g := f.save(t, "Parisians", one("city", "=", "paris"))
	f.seg.Start()
	defer f.seg.Stop()
	if err := f.d.Write(ctx, func(tx *db.Tx) error {
		tx.Bulk()
		_, err := tx.Update("contacts", f.ids["Bob"], db.Cols{"city": "Paris"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.seg.Stop()
	if err := f.seg.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.members(t, g.ID); !equal(got, []string{"Ann", "Bob"}) {
		t.Fatalf("members after the bulk write = %v", got)
	}
}
