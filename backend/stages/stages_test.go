package stages_test

import (
	"context"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
	"magpie/backend/stages"
)

func TestForwardOnlyUnlessForced(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	s := stages.New(d)
	mk := func(name string, w int64) string {
		g, err := s.Save(ctx, stages.Input{Name: name, Weight: w, Published: true})
		if err != nil {
			t.Fatal(err)
		}
		return g.ID
	}
	lead, mql, sql, cust := mk("Lead", 10), mk("MQL", 20), mk("SQL", 30), mk("Customer", 40)
	var cid string
	d.Write(ctx, func(tx *db.Tx) error {
		cid, _ = contacts.NewOps(tx, "test").Create(db.Cols{"email": "s@x.com"}, contacts.CreateOpts{})
		return nil
	})
	for _, c := range []struct {
		to    string
		force bool
		want  stages.Outcome
		stage string
	}{
		{mql, false, stages.Changed, mql},
		{mql, false, stages.Same, mql},
		{lead, false, stages.Backward, mql}, // lighter: refused
		{sql, false, stages.Changed, sql},
		{cust, false, stages.Changed, cust},
		{lead, true, stages.Changed, lead}, // manual change: unrestricted
		{"", false, stages.Backward, lead},
		{"", true, stages.Changed, ""},
		{mql, false, stages.Changed, mql}, // from no stage: anything
	} {
		out, err := s.SetContact(ctx, cid, c.to, "test", c.force)
		if err != nil {
			t.Fatalf("→ %q: %v", c.to, err)
		}
		var cur string
		d.R.QueryRow("SELECT coalesce(stage_id, '') FROM contacts WHERE id = ?", cid).Scan(&cur)
		if out != c.want || cur != c.stage {
			t.Fatalf("→ %q force=%v: outcome %s stage %q, want %s %q", c.to, c.force, out, cur, c.want, c.stage)
		}
	}
	evs, _, _ := events.List(ctx, d.R, events.Query{ContactID: cid, Types: []events.Type{events.StageChanged}})
	if len(evs) != 6 {
		t.Fatalf("stage.changed events = %d, want 6", len(evs))
	}
	if evs[0].ObjectName != "MQL" || evs[1].Data["forced"] != true {
		t.Fatalf("events: %+v / %+v", evs[0], evs[1])
	}
	if _, err := s.SetContact(ctx, cid, "nope", "test", true); err == nil {
		t.Fatal("unknown stage accepted")
	}
	if _, err := s.SetContact(ctx, "nope", mql, "test", true); err == nil {
		t.Fatal("unknown contact accepted")
	}
	// Trash and restore.
	if err := s.Delete(ctx, sql); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.List(ctx, true); len(l) != 1 || l[0].ID != sql {
		t.Fatalf("trash = %+v", l)
	}
	if err := s.Restore(ctx, sql); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.List(ctx, false); len(l) != 4 || l[0].Name != "Lead" || l[1].Contacts != 1 {
		t.Fatalf("list = %+v", l)
	}
	if _, err := s.Save(ctx, stages.Input{Name: "lead", Weight: 1}); err == nil {
		t.Fatal("duplicate name (case-insensitive) accepted")
	}
	if _, err := s.Save(ctx, stages.Input{Name: " "}); err == nil {
		t.Fatal("empty name accepted")
	}
}
