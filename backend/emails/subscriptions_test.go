package emails

import (
	"testing"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/internal/smtptest"
)

// TestCategoryUnsubscribeSkips: a contact unsubscribed from an email's category is skipped
// (counted), the others receive it; subscribing again makes the next email reach them.
func TestCategoryUnsubscribeSkips(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	ids := f.contacts(3, "s", nil)
	e := f.segmentEmail("<p>x</p>", "s")
	e.Category = "Newsletter"
	e, err := f.s.Save(f.ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetContactCategory(f.ctx, ids[0], "newsletter", false); err != nil { // case-insensitive
		t.Fatal(err)
	}
	if err := f.s.SetContactCategory(f.ctx, ids[1], "Other", false); err != nil {
		t.Fatal(err)
	}
	subs, err := f.s.ContactCategories(f.ctx, ids[0])
	if err != nil || len(subs) != 1 || subs[0].Subscribed {
		t.Fatalf("ContactCategories = %+v, %v", subs, err)
	}
	if dry, err := f.s.DryRunSegment(f.ctx, e.ID); err != nil || dry.Category != 1 || dry.Recipients != 3 {
		t.Fatalf("dry run %+v, %v: want 1 of 3 unsubscribed from the category", dry, err)
	}
	f.s.QueueSegment(f.ctx, e.ID)
	st, err := f.s.Drain(f.ctx, DrainOptions{})
	if err != nil || st.Sent != 2 || st.Skipped != 1 {
		t.Fatalf("drain %+v, %v: want 2 sent, 1 skipped", st, err)
	}
	if s := f.states(e.ID); s["skipped:category"] != 1 {
		t.Fatalf("states %v", s)
	}
	stats, _ := f.s.Stats(f.ctx, e.ID)
	if stats.Totals.SkippedCategory != 1 {
		t.Fatalf("stats %+v", stats.Totals)
	}
	// A test send ignores the category (like DNC).
	if err := f.s.SetContactCategory(f.ctx, ids[0], "Newsletter", true); err != nil {
		t.Fatal(err)
	}
	if subs, _ := f.s.ContactCategories(f.ctx, ids[0]); !subs[0].Subscribed {
		t.Fatalf("resubscribe: %+v", subs)
	}
	if err := f.s.SetContactCategory(f.ctx, "no-such-contact", "Newsletter", true); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("unknown contact: %v", err)
	}
}

// TestFrequencyRules: a contact's own rule overrides the global default, a pause holds
// every marketing send until it ends, and bad rules are refused naming the field.
func TestFrequencyRules(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	ids := f.contacts(3, "s", nil)
	now := f.clk.Now()
	pauseTo := now.Add(48 * time.Hour)
	rules := []FrequencyRule{
		{ContactID: ids[0], Number: 1, Time: "WEEK"},            // at most one a week
		{ContactID: ids[1], PauseFrom: &now, PauseTo: &pauseTo}, // paused two days
	}
	for _, r := range rules {
		if err := f.s.SaveFrequencyRule(f.ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if r, _ := f.s.FrequencyRuleOf(f.ctx, ids[0]); r.Number != 1 || r.Time != "WEEK" {
		t.Fatalf("FrequencyRuleOf = %+v", r)
	}
	send := func(name string) DrainStats {
		t.Helper()
		e := f.segmentEmail("<p>"+name+"</p>", "s")
		f.s.QueueSegment(f.ctx, e.ID)
		st, err := f.s.Drain(f.ctx, DrainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := send("one"); st.Sent != 2 || st.Deferred != 1 { // ids[1] paused
		t.Fatalf("first: %+v", st)
	}
	if st := send("two"); st.Sent != 1 || st.Deferred != 2 { // ids[0] over its weekly 1, ids[1] paused
		t.Fatalf("second: %+v", st)
	}
	f.clk.Advance(49 * time.Hour) // the pause is over (ids[1] gets both); ids[0] waits for its week
	st, _ := f.s.Drain(f.ctx, DrainOptions{})
	if st.Sent != 2 || st.Deferred != 0 || f.states(f.lastEmail())["pending:frequency"] != 1 {
		t.Fatalf("after the pause: %+v", st)
	}
	f.clk.Advance(6 * 24 * time.Hour)
	if st, _ := f.s.Drain(f.ctx, DrainOptions{}); st.Sent != 1 {
		t.Fatalf("after a week: %+v", st)
	}
	// An empty rule removes it.
	if err := f.s.SaveFrequencyRule(f.ctx, FrequencyRule{ContactID: ids[0]}); err != nil {
		t.Fatal(err)
	}
	if r, _ := f.s.FrequencyRuleOf(f.ctx, ids[0]); r.Number != 0 {
		t.Fatalf("not removed: %+v", r)
	}
	bad := []struct {
		r     FrequencyRule
		field string
	}{
		{FrequencyRule{ContactID: ids[2], Number: -1}, "number"},
		{FrequencyRule{ContactID: ids[2], Number: 1, Time: "YEAR"}, "time"},
		{FrequencyRule{ContactID: ids[2], PauseFrom: &now}, "pauseTo"},
		{FrequencyRule{ContactID: ids[2], PauseFrom: &pauseTo, PauseTo: &now}, "pauseTo"},
		{FrequencyRule{ContactID: ids[2], Channel: "sms", Number: 1}, "channel"},
	}
	for _, b := range bad {
		err := f.s.SaveFrequencyRule(f.ctx, b.r)
		if ae, ok := apperr.As(err); !ok || ae.Fields[b.field] == "" {
			t.Errorf("%+v: err %v, want field %s", b.r, err, b.field)
		}
	}
}

func (f *fixture) lastEmail() string {
	f.t.Helper()
	var id string
	if err := f.db.R.QueryRow(`SELECT email_id FROM email_sends ORDER BY seq DESC LIMIT 1`).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}
