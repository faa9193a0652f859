package campaigns

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"magpie/backend/events"
)

// A five-step flow: condition → tag → points → email → decision (open: yes / 2 days: no).
func TestFlowConditionTagPointsEmailDecision(t *testing.T) {
	f := newFixture(t)
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	bob := f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	f.contact(map[string]string{"firstname": "Cid"})
	all := f.segment("All", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"!empty"}]`)
	mail := f.email("Welcome")
	id := f.publish("Onboarding", false, Graph{Sources: segSource(all), Events: []Event{
		root("valid", KindCondition, "email.valid", nil),
		child("tag", "valid", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"entered"}}),
		child("bad", "valid", "no", KindAction, "contact.tags", map[string]any{"add": []any{"invalid"}}),
		child("pts", "tag", "", KindAction, "points.adjust", map[string]any{"points": 5.0}),
		child("send", "pts", "", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		child("opened", "open", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"opened"}}),
		wait(child("ignored", "open", "no", KindAction, "contact.tags", map[string]any{"add": []any{"ignored"}}), 2, "d"),
	}})
	st := f.run()
	if st.Steps != 3+2+1+2+2 {
		t.Errorf("steps = %d, want 10 (3 conditions, 2+1 tags, 2 points, 2 sends)", st.Steps)
	}
	if got := f.tagged("entered"); !equal(got, []string{"Ann", "Bob"}) {
		t.Errorf("entered = %v", got)
	}
	if got := f.tagged("invalid"); !equal(got, []string{"Cid"}) {
		t.Errorf("invalid = %v", got)
	}
	if f.points(ann) != 5 || f.points(bob) != 5 {
		t.Errorf("points = %d, %d", f.points(ann), f.points(bob))
	}
	var queued int
	f.d.R.QueryRow("SELECT count(*) FROM email_sends WHERE email_id = ? AND source = 'campaign'", mail).Scan(&queued)
	if queued != 2 {
		t.Errorf("queued sends = %d, want 2", queued)
	}
	// Ann opens: the decision fires in the open's transaction.
	f.clk.Advance(time.Hour)
	f.appendEvent(events.Event{ContactID: ann, Type: events.EmailRead, ObjectID: mail})
	if got := f.logOf(id, ann); !contains(got, "open:done:yes") {
		t.Fatalf("ann's log after open = %v", got)
	}
	f.run()
	if got := f.tagged("opened"); !equal(got, []string{"Ann"}) {
		t.Errorf("opened = %v", got)
	}
	// Bob never opens: the no path fires 2 days after the send (not after the open).
	if st := f.advance(46 * time.Hour); st.Steps != 0 {
		t.Errorf("no path ran early: %d steps at 47h", st.Steps)
	}
	f.advance(time.Hour)
	if got := f.tagged("ignored"); !equal(got, []string{"Bob"}) {
		t.Errorf("ignored = %v", got)
	}
	// Ann's late "no" never fires, and nothing runs twice.
	f.advance(30 * 24 * time.Hour)
	want := []string{"ignored:done", "open:done:no", "pts:done", "send:done", "tag:done", "valid:done:yes"}
	if got := f.logOf(id, bob); !equal(got, want) {
		t.Errorf("bob's log = %v, want %v", got, want)
	}
	stats, _ := f.s.Stats(f.ctx, id)
	if stats["open"].Done != 2 || stats["valid"].Done != 3 || stats["opened"].Done != 1 {
		t.Errorf("stats = %+v", stats)
	}
	// Every step is in the contact's timeline (campaign_log through the view campaign_events).
	steps, err := Steps(f.ctx, f.d.R, bob, 0, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range steps {
		got = append(got, fmt.Sprintf("%v:%v:%v:%v:%s", e.Data["event"], e.Data["type"], e.Data["path"], e.Data["status"], e.ObjectName))
	}
	sort.Strings(got)
	wantSteps := []string{"ignored:contact.tags::done:Onboarding › ignored", "open:email.open:no:done:Onboarding › open",
		"pts:points.adjust::done:Onboarding › pts", "send:email.send::done:Onboarding › send", "tag:contact.tags::done:Onboarding › tag",
		"valid:email.valid:yes:done:Onboarding › valid"}
	if !equal(got, wantSteps) || steps[0].Type != CampaignEvent {
		t.Errorf("bob's timeline steps = %q, want %q", got, wantSteps)
	}
	var n int
	f.d.R.QueryRow("SELECT count(*) FROM events WHERE type = 'campaign.event'").Scan(&n)
	if n != 0 {
		t.Errorf("%d campaign steps copied into the behaviour log, want 0", n)
	}
}
