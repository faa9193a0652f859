package emails

import (
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/internal/smtptest"
)

// TestAB_WinnerAfterHours runs an A/B test on a 40 % sample with a virtual clock: the sample
// is split between the parent and a variant, the rest waits; before the time nothing
// changes; after it the variant with the better rate wins (once) and the held recipients
// all get the winner.
func TestAB_WinnerAfterHours(t *testing.T) {
	cases := []struct {
		name     string
		criteria string
		// interact records opens/clicks for the sample's sends of each variant.
		opensA, opensB, clicksA, clicksB bool
		want                             string // "A" (the parent) or "B"
	}{
		{"open rate picks the variant read more", "open_rate", false, true, false, false, "B"},
		{"click rate ignores opens", "click_rate", false, true, true, false, "A"},
		{"no interaction: the parent wins the tie", "open_rate", false, false, false, false, "A"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			srv := smtptest.Start(t)
			f.smtp(srv)
			f.contacts(100, "s", nil)
			a := f.segmentEmail("<p>A {unsubscribe_url}</p>", "s")
			a.WinnerCriteria, a.WinnerAfterHours, a.ABSample = tc.criteria, 4, 40
			a, err := f.s.Save(f.ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.s.Save(f.ctx, Email{Name: "B", Kind: List, Subject: "B", HTML: "<p>B</p>", Published: true,
				VariantParentID: a.ID, VariantWeight: 50, PlainTextAuto: true})
			if err != nil {
				t.Fatal(err)
			}
			q, err := f.s.QueueSegment(f.ctx, a.ID)
			if err != nil || q.Queued != 100 {
				t.Fatalf("queued %+v, %v", q, err)
			}
			if st := f.states(a.ID); st["pending"] != 40 || st["pending:ab_hold"] != 60 {
				t.Fatalf("states after queueing = %v, want 40 due and 60 held", st)
			}
			if err := f.s.tick(f.ctx); err != nil {
				t.Fatal(err)
			}
			per := f.variantCounts(a.ID)
			if srv.Count() != 40 || per[a.ID] == 0 || per[b.ID] == 0 {
				t.Fatalf("sample: %d sent, per variant %v", srv.Count(), per)
			}
			f.interact(a.ID, a.ID, tc.opensA, tc.clicksA)
			f.interact(a.ID, b.ID, tc.opensB, tc.clicksB)
			f.clk.Advance(3 * time.Hour)
			if err := f.s.tick(f.ctx); err != nil {
				t.Fatal(err)
			}
			st, err := f.s.Stats(f.ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if srv.Count() != 40 || st.WinnerDecided || st.AB == nil || st.AB.Held != 60 {
				t.Fatalf("before winnerAfterHours: %d sent, decided %v, ab %+v", srv.Count(), st.WinnerDecided, st.AB)
			}
			f.clk.Advance(time.Hour + time.Minute)
			if err := f.s.tick(f.ctx); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"A": a.ID, "B": b.ID}[tc.want]
			st, err = f.s.Stats(f.ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !st.WinnerDecided || st.AB.WinnerID != want || st.AB.Held != 0 || len(st.AB.Rates) != 2 {
				t.Fatalf("after: decided %v, ab %+v, want winner %s", st.WinnerDecided, st.AB, tc.want)
			}
			for _, v := range st.Variants {
				if v.Winner != (v.ID == want) {
					t.Errorf("variant %s winner = %v", v.Name, v.Winner)
				}
			}
			after := f.variantCounts(a.ID)
			if srv.Count() != 100 || after[want]-per[want] != 60 {
				t.Fatalf("the held 60 must get the winner only: before %v after %v (%d sent)", per, after, srv.Count())
			}
			if by, _ := distinct(srv.Messages()); len(by) != 100 {
				t.Fatalf("%d distinct Message-IDs", len(by))
			}
			// Decided once: new evidence and more ticks do not change it.
			decidedAt := *st.AB.DecidedAt
			f.interact(a.ID, map[string]string{"A": b.ID, "B": a.ID}[tc.want], true, true)
			f.clk.Advance(time.Hour)
			if err := f.s.tick(f.ctx); err != nil {
				t.Fatal(err)
			}
			st, _ = f.s.Stats(f.ctx, a.ID)
			if st.AB.WinnerID != want || !st.AB.DecidedAt.Equal(decidedAt) {
				t.Fatalf("the decision changed: %+v", st.AB)
			}
			// A member who joins later gets the winner too.
			f.contacts(1, "s", func(_ int, v db.Cols) { v["email"] = "late@example.com" })
			if _, err := f.s.QueueSegment(f.ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			if err := f.s.tick(f.ctx); err != nil {
				t.Fatal(err)
			}
			if got := f.variantCounts(a.ID)[want]; got != after[want]+1 {
				t.Fatalf("late member: %v", f.variantCounts(a.ID))
			}
		})
	}
}

// TestAB_NoSampleSendsEveryoneAtOnce: without a sample every recipient is in the test.
func TestAB_NoSampleSendsEveryoneAtOnce(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	f.contacts(20, "s", nil)
	a := f.segmentEmail("<p>A</p>", "s")
	a.WinnerCriteria, a.WinnerAfterHours = "open_rate", 1
	if _, err := f.s.Save(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Save(f.ctx, Email{Name: "B", Kind: List, Subject: "B", HTML: "<p>B</p>", Published: true,
		VariantParentID: a.ID, VariantWeight: 50}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.QueueSegment(f.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.tick(f.ctx); err != nil || srv.Count() != 20 {
		t.Fatalf("%d sent, %v", srv.Count(), err)
	}
	f.clk.Advance(2 * time.Hour)
	if err := f.s.tick(f.ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.s.Stats(f.ctx, a.ID); !st.WinnerDecided || st.AB.WinnerID == "" {
		t.Fatalf("no winner: %+v", st.AB)
	}
}

func (f *fixture) variantCounts(rootID string) map[string]int {
	f.t.Helper()
	rows, err := f.db.R.Query(`SELECT variant_id, count(*) FROM email_sends WHERE email_id = ? AND state = 'sent' GROUP BY 1`, rootID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			f.t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

// interact records an open and/or a click for every sent message of one variant.
func (f *fixture) interact(rootID, variantID string, open, click bool) {
	f.t.Helper()
	if !open && !click {
		return
	}
	rows, err := f.db.R.Query(`SELECT msg_id, contact_id FROM email_sends WHERE email_id = ? AND variant_id = ? AND state = 'sent'`,
		rootID, variantID)
	if err != nil {
		f.t.Fatal(err)
	}
	var ins []Interaction
	for rows.Next() {
		var in Interaction
		if err := rows.Scan(&in.MsgID, &in.ContactID); err != nil {
			f.t.Fatal(err)
		}
		in.EmailID, in.UserAgent, in.URL = variantID, "Mozilla/5.0 (Windows NT 10.0)", "https://shop.example/"
		ins = append(ins, in)
	}
	rows.Close()
	err = f.db.Write(f.ctx, func(tx *db.Tx) error {
		for _, in := range ins {
			if open {
				if err := RecordOpen(tx, in); err != nil {
					return err
				}
			}
			if click {
				if err := RecordClick(tx, in); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
}
