package points_test

import (
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
	"magpie/backend/points"
	"magpie/backend/stages"
)

func (f *fx) stage(name string, weight int64) string {
	f.t.Helper()
	s, err := f.st.Save(f.ctx, stages.Input{Name: name, Weight: weight, Published: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return s.ID
}

func (f *fx) stageOf(cid string) string {
	var s string
	f.d.R.QueryRow("SELECT coalesce(stage_id, '') FROM contacts WHERE id = ?", cid).Scan(&s)
	return s
}

func TestTriggerFiresOncePerContact(t *testing.T) {
	f := newFx(t)
	lead := f.stage("Lead", 10)
	tr, err := f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "Hot", Points: 20, Published: true, Events: []points.TriggerEvent{
		{Type: points.ChangeTags, AddTags: []string{"hot"}},
		{Type: points.ChangeStage, Stage: lead},
	}})
	if err != nil {
		t.Fatal(err)
	}
	cid := f.contact("t@x.com")
	for _, step := range []struct {
		delta   int64
		wantTag int
	}{{15, 0}, {10, 1}, {-30, 1}, {40, 1}} {
		if err := f.ps.Adjust(f.ctx, cid, step.delta, "", "test", "test"); err != nil {
			t.Fatal(err)
		}
		if n := f.count("SELECT count(*) FROM contact_tags ct JOIN tags g ON g.id = ct.tag_id WHERE ct.contact_id = ? AND g.name = 'hot' AND ct.deleted = 0", cid); n != step.wantTag {
			t.Fatalf("after %+d: hot tag %d, want %d", step.delta, n, step.wantTag)
		}
	}
	// Dropping below and rising again does not re-fire: one tag.added event, one log row per event.
	if n := f.count("SELECT count(*) FROM events WHERE contact_id = ? AND type = 'tag.added'", cid); n != 1 {
		t.Fatalf("tag.added events = %d, want 1", n)
	}
	if n := f.count("SELECT count(*) FROM point_trigger_log WHERE trigger_id = ? AND contact_id = ?", tr.ID, cid); n != 2 {
		t.Fatalf("log rows = %d, want 2", n)
	}
	if f.stageOf(cid) != lead {
		t.Fatalf("stage = %q, want Lead", f.stageOf(cid))
	}
}

func TestTriggerExistingContactsAndGroups(t *testing.T) {
	f := newFx(t)
	g, _ := f.ps.SaveGroup(f.ctx, points.Group{Name: "Docs", Published: true})
	a, b, c := f.contact("a@x.com"), f.contact("b@x.com"), f.contact("c@x.com")
	for _, x := range []struct {
		cid   string
		main  int64
		group int64
	}{{a, 50, 0}, {b, 5, 30}, {c, 0, 0}} {
		if x.main != 0 {
			f.ps.Adjust(f.ctx, x.cid, x.main, "", "seed", "test")
		}
		if x.group != 0 {
			f.ps.Adjust(f.ctx, x.cid, x.group, g.Name, "seed", "test")
		}
	}
	mainT, err := f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "Main 40", Points: 40, TriggerExisting: true, Published: true,
		Events: []points.TriggerEvent{{Type: points.ChangeTags, AddTags: []string{"main40"}}}})
	if err != nil {
		t.Fatal(err)
	}
	grpT, err := f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "Docs 20", Points: 20, GroupID: g.ID, TriggerExisting: true, Published: true,
		Events: []points.TriggerEvent{{Type: points.ChangeTags, AddTags: []string{"docs20"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range []points.Trigger{mainT, grpT, mainT} { // twice: idempotent
		if _, err := f.ps.ApplyExisting(f.ctx, tr.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	tagged := func(tag string) []string {
		rows, err := f.d.R.Query("SELECT c.email FROM contact_tags ct JOIN tags g ON g.id = ct.tag_id JOIN contacts c ON c.id = ct.contact_id WHERE g.name = ? AND ct.deleted = 0 ORDER BY 1", tag)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var e string
			rows.Scan(&e)
			out = append(out, e)
		}
		return out
	}
	if got := tagged("main40"); len(got) != 1 || got[0] != "a@x.com" {
		t.Fatalf("main40 = %v, want [a@x.com]", got)
	}
	if got := tagged("docs20"); len(got) != 1 || got[0] != "b@x.com" {
		t.Fatalf("docs20 = %v, want [b@x.com]", got)
	}
	// A group change fires group triggers live; main triggers ignore it.
	f.ps.Adjust(f.ctx, c, 25, g.ID, "reading", "test")
	if got := tagged("docs20"); len(got) != 2 {
		t.Fatalf("docs20 after live change = %v", got)
	}
}

func TestTriggerSegmentsAndEmail(t *testing.T) {
	f := newFx(t)
	cid := f.contact("s@x.com")
	var segID, emailID string
	err := f.d.Write(f.ctx, func(tx *db.Tx) error {
		segID, emailID = "seg1", "em1"
		if err := tx.Insert("segments", segID, db.Cols{"name": "Hot", "alias": "hot", "filters": "[]", "date_added": tx.NowMs(), "date_modified": tx.NowMs()}); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO segment_builds(segment_id, members) VALUES(?, 0)`, segID)
		if err != nil {
			return err
		}
		return tx.Insert("emails", emailID, db.Cols{"name": "Welcome", "kind": "template", "subject": "Hi", "date_added": tx.NowMs(), "date_modified": tx.NowMs()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "T", Points: 10, Published: true, Events: []points.TriggerEvent{
		{Type: points.ChangeSegments, AddSegments: []string{segID}},
		{Type: points.SendEmail, Email: emailID},
	}}); err != nil {
		t.Fatal(err)
	}
	f.ps.Adjust(f.ctx, cid, 10, "", "x", "test")
	f.ps.Adjust(f.ctx, cid, 10, "", "x", "test")
	if n := f.count("SELECT count(*) FROM segment_members WHERE segment_id = ? AND contact_id = ? AND manually_removed = 0", segID, cid); n != 1 {
		t.Fatalf("segment membership = %d", n)
	}
	if n := f.count("SELECT members FROM segment_builds WHERE segment_id = ?", segID); n != 1 {
		t.Fatalf("segment count = %d", n)
	}
	if n := f.count("SELECT count(*) FROM email_sends WHERE email_id = ? AND contact_id = ?", emailID, cid); n != 1 {
		t.Fatalf("queued emails = %d, want 1", n)
	}
	// A trigger naming something that does not exist is refused, naming the event field.
	_, err = f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "Bad", Points: 1, Events: []points.TriggerEvent{{Type: points.ChangeStage, Stage: "nope"}}})
	if e, ok := errAs(err); !ok || e.Fields["events.0.stage"] == "" {
		t.Fatalf("bad stage ref: %v", err)
	}
}

func TestActionFeedsTriggerInSameTransaction(t *testing.T) {
	f := newFx(t)
	f.action(points.Action{Name: "Pricing", Type: points.URLHit, Delta: 30, Props: points.Props{URL: "*/pricing"}})
	f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "MQL", Points: 25, Published: true,
		Events: []points.TriggerEvent{{Type: points.ChangeTags, AddTags: []string{"mql"}}}})
	cid := f.contact("m@x.com")
	f.event(events.Event{ContactID: cid, Type: events.PageHit, URL: "https://x.com/pricing"})
	if n := f.count("SELECT count(*) FROM contact_tags WHERE contact_id = ? AND deleted = 0", cid); n != 1 {
		t.Fatalf("tags = %d, want 1 (mql)", n)
	}
	if f.points(cid) != 30 {
		t.Fatalf("points = %d", f.points(cid))
	}
}

func TestDefinitionsAreSynced(t *testing.T) {
	for _, name := range []string{"point_actions", "point_triggers", "point_groups", "point_group_scores", "stages"} {
		tb, ok := db.TableOf(name)
		if !ok || !tb.Synced {
			t.Errorf("%s is not declared synced", name)
		}
	}
	for _, name := range []string{"point_action_log", "point_trigger_log"} {
		if _, ok := db.TableOf(name); ok {
			t.Errorf("%s is a local log and must not be declared", name)
		}
	}
	// Saves go through the write path: the recorder sees them.
	f := newFx(t)
	rec := &recorder{}
	f.d.SetRecorder(rec)
	f.ps.SaveGroup(f.ctx, points.Group{Name: "G", Published: true})
	f.action(points.Action{Name: "A", Type: points.EmailOpen, Delta: 1})
	f.stage("S", 1)
	for _, want := range []string{"point_groups", "point_actions", "stages"} {
		if !rec.tables[want] {
			t.Errorf("no recorded change for %s (got %v)", want, rec.tables)
		}
	}
}

type recorder struct{ tables map[string]bool }

func (r *recorder) Record(_ *db.Tx, ch db.Change) error {
	if r.tables == nil {
		r.tables = map[string]bool{}
	}
	r.tables[ch.Table] = true
	return nil
}

func TestMergeSumsGroupScoresAndKeepsLogs(t *testing.T) {
	f := newFx(t)
	g, _ := f.ps.SaveGroup(f.ctx, points.Group{Name: "G", Published: true})
	a := f.action(points.Action{Name: "Open", Type: points.EmailOpen, Delta: 3})
	f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "T", Points: 5, GroupID: g.ID, Published: true,
		Events: []points.TriggerEvent{{Type: points.ChangeTags, AddTags: []string{"g5"}}}})
	win, lose := f.contact("w@x.com"), f.contact("l@x.com")
	f.ps.Adjust(f.ctx, win, 2, g.ID, "x", "test")
	f.ps.Adjust(f.ctx, lose, 6, g.ID, "x", "test") // fires T for the loser
	f.event(events.Event{ContactID: lose, Type: events.EmailRead, ObjectID: "e1"})
	if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").Merge(win, lose, "test")
	}); err != nil {
		t.Fatal(err)
	}
	if got := f.score(win, g.ID); got != 8 {
		t.Fatalf("winner's group score = %d, want 8", got)
	}
	if got := f.score(lose, g.ID); got != 0 {
		t.Fatalf("loser's score row still live: %d", got)
	}
	// The once-only logs moved: the open action and the trigger do not apply again.
	f.event(events.Event{ContactID: win, Type: events.EmailRead, ObjectID: "e1"})
	if n := f.count("SELECT count(*) FROM point_action_log WHERE action_id = ? AND contact_id = ?", a.ID, win); n != 1 {
		t.Fatalf("action log rows for the winner = %d", n)
	}
	before := f.count("SELECT count(*) FROM events WHERE contact_id = ? AND type = 'tag.added'", win)
	f.ps.Adjust(f.ctx, win, 1, g.ID, "x", "test")
	if n := f.count("SELECT count(*) FROM events WHERE contact_id = ? AND type = 'tag.added'", win); n != before {
		t.Fatalf("trigger fired again after merge (%d tag events, %d before)", n, before)
	}
	if n := f.count("SELECT count(*) FROM point_trigger_log WHERE contact_id = ?", win); n != 1 {
		t.Fatalf("trigger log rows for the winner = %d, want 1", n)
	}
}

func TestTriggerPublishWindow(t *testing.T) {
	f := newFx(t)
	cid := f.contact("w@x.com")
	f.ps.Adjust(f.ctx, cid, 30, "", "seed", "test")
	later := testenv.Epoch.Add(24 * time.Hour)
	tr, err := f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "Tomorrow", Points: 10, TriggerExisting: true, Published: true, PublishUp: &later,
		Events: []points.TriggerEvent{{Type: points.ChangeTags, AddTags: []string{"soon"}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.ps.ApplyExisting(f.ctx, tr.ID, nil)
	f.ps.Adjust(f.ctx, cid, 1, "", "live", "test")
	if n := f.count("SELECT count(*) FROM point_trigger_log WHERE trigger_id = ?", tr.ID); n != 0 {
		t.Fatalf("a trigger outside its publish window fired %d times", n)
	}
	f.clk.Set(later.Add(time.Minute))
	f.ps.Adjust(f.ctx, cid, 1, "", "live", "test")
	if n := f.count("SELECT count(*) FROM point_trigger_log WHERE trigger_id = ?", tr.ID); n != 1 {
		t.Fatalf("inside its window the trigger fired %d times, want 1", n)
	}
}
