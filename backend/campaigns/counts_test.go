package campaigns

import (
	"strings"
	"sync"
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
)

// Live counts are pushed: every commit that changes a campaign's counts (entry, each batch,
// including leaf steps without children, a real-time decision) signals campaign_counts with
// the campaign id, which the shell forwards as "campaign_counts:changed"; Stats reads them
// from campaign_counts.
func TestCountsArePushedOnEveryChange(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	pushes := map[string]int{}
	f.d.OnCommit(func(c db.Commit) {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range c.Signals {
			if s.Topic == countsTopic {
				pushes[s.ID]++
			}
		}
	})
	pushed := func(id string) int {
		mu.Lock()
		defer mu.Unlock()
		n := pushes[id]
		pushes[id] = 0
		return n
	}
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	all := f.segment("All", `[{"glue":"and","field":"email","object":"lead","type":"email","operator":"!empty"}]`)
	mail := f.email("Welcome")
	id := f.publish("Live", false, Graph{Sources: segSource(all), Events: []Event{
		root("send", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		child("leaf", "open", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"opened"}}),
	}})
	if pushed(id) == 0 {
		t.Error("no push when the members entered")
	}
	f.run()
	if pushed(id) == 0 {
		t.Error("no push after the run")
	}
	f.clk.Advance(time.Minute)
	f.appendEvent(events.Event{ContactID: ann, Type: events.EmailRead, ObjectID: mail})
	if pushed(id) == 0 {
		t.Error("no push when the decision fired")
	}
	f.run() // only the leaf step runs: no children, still a push
	if pushed(id) == 0 {
		t.Error("no push after a leaf step")
	}
	st, err := f.s.Stats(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if st["send"].Done != 2 || st["open"].Done != 1 || st["open"].Waiting != 1 || st["leaf"].Done != 1 {
		t.Errorf("stats = %+v", st)
	}
}

// No trigger keeps campaign_counts (migration 0090): every writer of campaign_log counts
// what it writes. After each kind of write the counts equal a GROUP BY over the log.
func TestCountsExactAfterEachWrite(t *testing.T) {
	f := newFixture(t)
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	bob := f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	cid := f.contact(map[string]string{"firstname": "Cid", "email": "cid@x.io"})
	dan := f.contact(map[string]string{"firstname": "Dan", "email": "dan@x.io"})
	eve := f.contact(map[string]string{"firstname": "Eve"}) // no address: the send fails for good
	fay := f.contact(map[string]string{"firstname": "Fay", "email": "fay@x.io"})
	all := f.segment("All", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"!empty"}]`)
	mail := f.email("Hello")
	zone := wait(root("zone", KindAction, "contact.tags", map[string]any{"add": []any{"zoned"}}), 1, "d")
	zone.Trigger.Hour = "09:00" // contact-zone moment: inserted as adjust, then scheduled
	g := Graph{Sources: segSource(all), Events: []Event{
		root("valid", KindCondition, "email.valid", nil),
		child("send", "valid", "yes", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		child("yes", "open", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"opened"}}),
		wait(child("no", "open", "no", KindAction, "points.adjust", map[string]any{"points": -1.0}), 1, "d"),
		wait(root("late", KindAction, "contact.tags", map[string]any{"add": []any{"late"}}), 2, "h"),
		root("ping", KindAction, "email.send", map[string]any{"email": mail}),
		zone,
	}}
	var id string
	steps := []struct {
		name string
		do   func()
	}{
		{"entry (root rows, contact-zone rows adjusted)", func() { id = f.publish("Counts", false, g) }},
		{"run (due rows marked, pipelined rows inserted, decisions waiting)", func() { f.run() }},
		{"real-time decision", func() { f.appendEvent(events.Event{ContactID: ann, Type: events.EmailRead, ObjectID: mail}) }},
		{"run after the decision", func() { f.run() }},
		{"removed by hand (canceled)", func() {
			if _, err := f.s.RemoveContacts(f.ctx, id, []string{bob}); err != nil {
				t.Fatal(err)
			}
		}},
		{"merged (canceled)", func() {
			if err := f.d.Write(f.ctx, func(tx *db.Tx) error { return contacts.NewOps(tx, "test").Merge(dan, cid, "test") }); err != nil {
				t.Fatal(err)
			}
		}},
		{"deleted before a due step (skipped)", func() {
			if _, err := f.cs.Delete(f.ctx, []string{fay}, "test"); err != nil {
				t.Fatal(err)
			}
			f.advance(3 * time.Hour)
		}},
		{"step gone from the published graph (skipped)", func() {
			g2 := Graph{Sources: g.Sources, Events: g.Events[:5]} // without late and zone
			if _, err := f.s.Save(f.ctx, Input{ID: id, Name: "Counts", Graph: g2}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.Publish(f.ctx, id); err != nil {
				t.Fatal(err)
			}
			f.advance(2 * 24 * time.Hour)
		}},
	}
	for _, st := range steps {
		st.do()
		if d := f.countsDiff(); d != "" {
			t.Errorf("after %s: %s", st.name, d)
		}
	}
	// The writes above reached every status the engine writes.
	var statuses string
	f.d.R.QueryRow("SELECT group_concat(DISTINCT status) FROM (SELECT status FROM campaign_log ORDER BY status)").Scan(&statuses)
	if statuses != "canceled,done,failed,skipped" {
		t.Errorf("statuses = %s", statuses)
	}
	if got := f.logOf(id, eve); !equal(got, []string{"late:done", "ping:failed", "valid:done:no", "zone:skipped"}) {
		t.Errorf("eve = %v", got)
	}
}

// A runner batch counts a group's rows by the group's size only while nothing moved rows
// since it read them: here the first group of one batch ("drop": removed from the campaign)
// cancels the rows of the second ("late", due at the same moment), and the counts stay
// exact (the second group reads its rows' statuses again). Likewise for waiting rows whose
// no path is due when an earlier group of the batch canceled them.
func TestCountsExactWhenAnEarlierGroupMovesRows(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"Ann", "Bob", "Cid"} {
		f.contact(map[string]string{"firstname": n, "email": strings.ToLower(n) + "@x.io"})
	}
	all := f.segment("All", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"!empty"}]`)
	mail := f.email("Hello")
	id := f.publish("Moves", false, Graph{Sources: segSource(all), Events: []Event{
		wait(root("drop", KindAction, "campaign.change", map[string]any{"remove": []any{"this"}}), 2, "h"),
		wait(root("late", KindAction, "contact.tags", map[string]any{"add": []any{"late"}}), 2, "h"),
		root("send", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		wait(child("no", "open", "no", KindAction, "contact.tags", map[string]any{"add": []any{"cold"}}), 2, "h"),
	}})
	f.run()
	st := f.advance(3 * time.Hour) // one batch: drop, then late and the decision's no path
	if st.Batches > 1 {
		t.Fatalf("%d batches, want the groups in one transaction", st.Batches)
	}
	if d := f.countsDiff(); d != "" {
		t.Error(d)
	}
	var removed int
	f.d.R.QueryRow("SELECT count(*) FROM campaign_members_ids WHERE campaign_id = ? AND manually_removed = 1", id).Scan(&removed)
	if removed != 3 {
		t.Errorf("%d members removed, want 3 (their later rows canceled under the next groups)", removed)
	}
}
