package campaigns

import (
	"sync/atomic"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
)

// hookInsertFor, when set, makes a test hook insert a campaign_log row (as a point trigger
// entering another campaign would) while a pipelined points step of that contact runs.
var hookInsertFor atomic.Value

func init() {
	events.OnAppendLazy(func(tx *db.Tx, e events.Event) error {
		if id, _ := hookInsertFor.Load().(string); id == "" || e.ContactID != id || e.Type != events.PointsChanged {
			return nil
		}
		return logRow(tx, "other", "x", e.ContactID, stScheduled, nil)
	})
}

// Immediate steps run in their parent's transaction, each log row inserted once with its
// outcome; a row already there for the key is never run again; rows inserted by hooks
// meanwhile do not collide with the reserved ids.
func TestPipelinedChain(t *testing.T) {
	f := newFixture(t)
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	bob := f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	cid := f.contact(map[string]string{"firstname": "Cid"})
	hook := f.contact(map[string]string{"firstname": "Hook", "email": "hook@x.io"})
	all := f.segment("All", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"!empty"}]`)
	id := f.publish("Chain", false, Graph{Sources: segSource(all), Events: []Event{
		root("valid", KindCondition, "email.valid", nil),
		child("tag", "valid", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"entered"}}),
		child("bad", "valid", "no", KindAction, "contact.tags", map[string]any{"add": []any{"invalid"}}),
		child("pts", "tag", "", KindAction, "points.adjust", map[string]any{"points": 5.0}),
		child("more", "pts", "", KindAction, "contact.tags", map[string]any{"add": []any{"scored"}}),
	}})
	// Bob's tag step is already logged (a row for the key exists): it must not run again,
	// nor anything after it.
	if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
		return logRow(tx, id, "tag", bob, stDone, 0)
	}); err != nil {
		t.Fatal(err)
	}
	hookInsertFor.Store(hook)
	defer hookInsertFor.Store("")
	st := f.run()
	if st.Batches != 1 || st.Steps != 4+3+2+2 {
		t.Errorf("run = %+v, want 1 batch of 11 steps (4 conditions, 3 tag/bad, 2 pts, 2 more)", st)
	}
	cases := []struct {
		contact string
		want    []string
	}{
		{ann, []string{"more:done", "pts:done", "tag:done", "valid:done:yes"}},
		{bob, []string{"tag:done", "valid:done:yes"}},
		{cid, []string{"bad:done", "valid:done:no"}},
		{hook, []string{"more:done", "pts:done", "tag:done", "valid:done:yes"}},
	}
	for _, c := range cases {
		if got := f.logOf(id, c.contact); !equal(got, c.want) {
			t.Errorf("log of %s = %v, want %v", c.contact, got, c.want)
		}
	}
	if got := f.tagged("scored"); !equal(got, []string{"Ann", "Hook"}) {
		t.Errorf("scored = %v", got)
	}
	if f.points(bob) != 0 || f.points(ann) != 5 {
		t.Errorf("points: bob %d, ann %d", f.points(bob), f.points(ann))
	}
	var reserved, other, attempts, wrongTimes int
	f.d.R.QueryRow("SELECT count(*) FROM campaign_log WHERE status = 'reserved'").Scan(&reserved)
	f.d.R.QueryRow("SELECT count(*) FROM campaign_log_ids WHERE campaign_id = 'other' AND contact_id = ?", hook).Scan(&other)
	f.d.R.QueryRow("SELECT count(*) FROM campaign_log_ids WHERE campaign_id = ? AND event_id IN ('tag', 'pts', 'more') AND attempts <> 1 AND contact_id <> ?", id, bob).Scan(&attempts)
	f.d.R.QueryRow("SELECT count(*) FROM campaign_log_ids WHERE campaign_id = ? AND contact_id <> ? AND (done_at IS NULL OR done_at <> ref_at OR trigger_at <> ref_at)", id, bob).Scan(&wrongTimes)
	if reserved != 0 || other != 1 || attempts != 0 || wrongTimes != 0 {
		t.Errorf("reserved rows %d (want 0), hook rows %d (want 1), attempts <> 1: %d, rows with odd times: %d", reserved, other, attempts, wrongTimes)
	}
	// A second run finds nothing to do: nothing runs twice.
	if st := f.run(); st.Steps != 0 {
		t.Errorf("second run = %+v", st)
	}
}

// A decision's elapsed no path runs its due children in the same transaction: the child's
// row is inserted done, stamped with the moment it was due (the parent's execution + its
// wait, Q15), and a longer wait is still scheduled from the parent's execution.
func TestPipelinedNoPath(t *testing.T) {
	f := newFixture(t)
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	all := f.segment("All", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"!empty"}]`)
	mail := f.email("Welcome")
	id := f.publish("NoPath", false, Graph{Sources: segSource(all), Events: []Event{
		root("send", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		wait(child("late", "open", "no", KindAction, "points.adjust", map[string]any{"points": -1.0}), 1, "d"),
		wait(child("later", "open", "no", KindAction, "points.adjust", map[string]any{"points": -2.0}), 3, "d"),
	}})
	f.run()
	var sent int64
	f.d.R.QueryRow("SELECT done_at FROM campaign_log_ids WHERE event_id = 'send'").Scan(&sent)
	st := f.advance(25 * time.Hour)
	if st.Batches != 1 || st.Steps != 2 {
		t.Errorf("run = %+v, want the decision and its 1-day child in 1 batch", st)
	}
	want := []string{"late:done", "later:scheduled", "open:done:no", "send:done"}
	if got := f.logOf(id, ann); !equal(got, want) {
		t.Errorf("log = %v, want %v", got, want)
	}
	var lateAt, laterAt int64
	f.d.R.QueryRow("SELECT trigger_at FROM campaign_log_ids WHERE event_id = 'late'").Scan(&lateAt)
	f.d.R.QueryRow("SELECT trigger_at FROM campaign_log_ids WHERE event_id = 'later'").Scan(&laterAt)
	if day := int64(86400000); lateAt != sent+day || laterAt != sent+3*day {
		t.Errorf("late due at %+d ms, later at %+d ms after the send; want 1 and 3 days", lateAt-sent, laterAt-sent)
	}
	f.advance(2 * 24 * time.Hour)
	if f.points(ann) != -3 {
		t.Errorf("points = %d, want -3", f.points(ann))
	}
}

// A contact deleted by an earlier step of the same batch transaction is skipped by the
// pipelined steps queued after it (camp_gone, filled by temp triggers); a contact deleted
// in an earlier batch and restored since runs normally.
func TestPipelinedSkipsContactDeletedInTheBatch(t *testing.T) {
	f := newFixture(t)
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	bob := f.contact(map[string]string{"firstname": "Bob"})
	all := f.segment("All", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"!empty"}]`)
	id := f.publish("Delete", false, Graph{Sources: segSource(all), Events: []Event{
		root("valid", KindCondition, "email.valid", nil),
		child("del", "valid", "yes", KindAction, "contact.delete", nil),
		child("tag", "valid", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"kept"}}),
		child("no", "valid", "no", KindAction, "contact.tags", map[string]any{"add": []any{"invalid"}}),
	}})
	f.run()
	for _, c := range []struct {
		contact string
		want    []string
	}{
		{ann, []string{"del:done", "tag:skipped", "valid:done:yes"}},
		{bob, []string{"no:done", "valid:done:no"}},
	} {
		if got := f.logOf(id, c.contact); !equal(got, c.want) {
			t.Errorf("log of %s = %v, want %v", c.contact, got, c.want)
		}
	}
	if got := f.tagged("kept"); len(got) != 0 {
		t.Errorf("kept = %v: a deleted contact was tagged", got)
	}
	// Ann comes back; a later batch in another campaign runs her pipelined steps.
	if _, err := f.cs.Restore(f.ctx, []string{ann}, "test"); err != nil {
		t.Fatal(err)
	}
	other := f.publish("Later", false, Graph{Sources: segSource(all), Events: []Event{
		root("first", KindAction, "contact.tags", map[string]any{"add": []any{"back"}}),
		child("second", "first", "", KindAction, "contact.tags", map[string]any{"add": []any{"again"}}),
	}})
	f.run()
	if got := f.logOf(other, ann); !equal(got, []string{"first:done", "second:done"}) {
		t.Errorf("restored ann in the later campaign = %v", got)
	}
	if got := f.tagged("again"); !equal(got, []string{"Ann", "Bob"}) {
		t.Errorf("again = %v", got)
	}
	f.checkCounts()
}
