package campaigns

import (
	"sync"
	"testing"
	"time"

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
