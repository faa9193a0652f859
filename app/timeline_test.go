package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/core"
	"magpie/backend/db"
	"magpie/backend/events"
)

// TestTimelineMergesCampaignSteps: campaign steps live in campaign_log, not in the behaviour
// log; the timeline pages through events by seq and merges each step into exactly one page,
// by time.
func TestTimelineMergesCampaignSteps(t *testing.T) {
	ctx := context.Background()
	c, err := core.Open(ctx, t.TempDir(), core.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const cid = "contact-1"
	err = c.DB.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(`INSERT INTO contacts(id, email, date_added, date_modified) VALUES(?, 'a@x.io', 0, 0)`, cid); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO campaigns(id, name, is_published, published_graph, date_added, date_modified)
			VALUES('camp', 'Welcome', 1, '{"sources":[],"events":[{"id":"s1","name":"Say hi","type":"email.send"},{"id":"s2","type":"contact.tags"}]}', 0, 0)`); err != nil {
			return err
		}
		for i, at := range []int64{100, 200, 300, 400} {
			if _, err := events.Append(tx, events.Event{ID: fmt.Sprintf("e%d", at), ContactID: cid, Type: events.PageHit, At: time.UnixMilli(at), URL: fmt.Sprint("https://x.io/", i)}); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`INSERT INTO campaign_step_keys(k, campaign_id, event_id) VALUES(1, 'camp', 's1'), (2, 'camp', 's2')`); err != nil {
			return err
		}
		for i, at := range []int64{150, 250, 350, 450, 50} {
			if _, err := tx.Exec(`INSERT INTO campaign_log(step, contact_id, rotation, status, trigger_at, ref_at, done_at)
				VALUES(?, ?, ?, 'done', ?, ?, ?)`, 1+i%2, cid, i+1, at, at, at); err != nil {
				return err
			}
		}
		// A scheduled step is not in the timeline yet.
		_, err := tx.Exec(`INSERT INTO campaign_log(step, contact_id, rotation, status, trigger_at, ref_at)
			VALUES(1, ?, 9, 'scheduled', 900, 900)`, cid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	label := func(evs []events.Event) string {
		var out []string
		for _, e := range evs {
			if e.Type == events.CampaignEvent {
				out = append(out, fmt.Sprintf("step%d:%s", e.At.UnixMilli(), e.ObjectName))
			} else {
				out = append(out, fmt.Sprint(e.At.UnixMilli()))
			}
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		name  string
		types []events.Type
		want  []string // pages
	}{
		{"everything, pages of two events", nil, []string{
			"step450:Welcome › contact.tags 400 step350:Welcome › Say hi 300",
			"step250:Welcome › contact.tags 200 step150:Welcome › Say hi 100 step50:Welcome › Say hi"}},
		{"campaign steps only", []events.Type{events.CampaignEvent}, []string{
			"step450:Welcome › contact.tags step350:Welcome › Say hi step250:Welcome › contact.tags step150:Welcome › Say hi step50:Welcome › Say hi"}},
		{"page hits only", []events.Type{events.PageHit}, []string{"400 300", "200 100"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var pages []string
			var before int64
			for i := 0; i < 5; i++ {
				evs, next, err := timeline(ctx, c.DB.R, events.Query{ContactID: cid, Types: tc.types, BeforeSeq: before, Limit: 2})
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, label(evs))
				if next == 0 {
					break
				}
				before = next
			}
			if strings.Join(pages, " | ") != strings.Join(tc.want, " | ") {
				t.Errorf("pages:\n%q\nwant:\n%q", pages, tc.want)
			}
		})
	}
}
