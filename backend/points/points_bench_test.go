package points_test

import (
	"fmt"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
	"magpie/backend/points"
)

// benchRules stores n active rules: url.hit patterns with limits, email, form and asset
// actions, in main points and a group, plus triggers.
func benchRules(b *testing.B, f *fx, n int) {
	g, _ := f.ps.SaveGroup(f.ctx, points.Group{Name: "Interest", Published: true})
	for i := 0; i < n; i++ {
		a := points.Action{Name: fmt.Sprintf("rule %d", i), Delta: int64(i%5 + 1), Repeatable: i%2 == 0}
		switch i % 6 {
		case 0:
			a.Type, a.Props = points.URLHit, points.Props{URL: fmt.Sprintf("https://site.test/p%d*", i%10)}
		case 1:
			a.Type, a.Props = points.URLHit, points.Props{URL: fmt.Sprintf("*/p%d*", i%10), PageHits: 3}
		case 2:
			a.Type, a.Props, a.GroupID = points.URLHit, points.Props{URL: "*/p*", ReturnsAfter: 600}, g.ID
		case 3:
			a.Type, a.Props = points.EmailOpen, points.Props{Emails: []string{"e1"}}
		case 4:
			a.Type = points.FormSubmit
		case 5:
			a.Type, a.Props = points.PageVisits, points.Props{PageHits: 5}
		}
		f.action(a)
	}
	for i := 1; i <= 5; i++ {
		f.ps.SaveTrigger(f.ctx, points.Trigger{Name: fmt.Sprintf("t%d", i), Points: int64(i * 50), Published: true,
			Events: []points.TriggerEvent{{Type: points.ChangeTags, AddTags: []string{fmt.Sprintf("t%d", i)}}}})
	}
}

func benchAppend(b *testing.B, rules, batch int) {
	f := newFx(b)
	if rules > 0 {
		benchRules(b, f, rules)
	}
	cids := make([]string, 200)
	for i := range cids {
		cids[i] = f.contact(fmt.Sprintf("b%d@x.test", i))
	}
	at := testenv.Epoch
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
			for j := i; j < i+batch && j < b.N; j++ {
				at = at.Add(time.Second)
				e := events.Event{ContactID: cids[j%len(cids)], Type: events.PageHit, URL: fmt.Sprintf("https://site.test/p%d/x", j%13), At: at}
				if _, err := events.Append(tx, e); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendPageHit50Rules is one arriving page hit (its own transaction) with 50
// active point rules and 5 triggers; compare with BenchmarkAppendPageHitNoRules.
func BenchmarkAppendPageHit50Rules(b *testing.B) { benchAppend(b, 50, 1) }

// BenchmarkAppendPageHitNoRules is the same without rules (the event log's own cost).
func BenchmarkAppendPageHitNoRules(b *testing.B) { benchAppend(b, 0, 1) }

// BenchmarkIngestPageHit50Rules appends page hits 100 per transaction, as the tracker
// ingest does: the per-event cost without the commit.
func BenchmarkIngestPageHit50Rules(b *testing.B) { benchAppend(b, 50, 100) }

// BenchmarkIngestPageHitNoRules is that without rules.
func BenchmarkIngestPageHitNoRules(b *testing.B) { benchAppend(b, 0, 100) }
