package pages

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/internal/testenv"
)

// The A/B auto-winner with a virtual clock: nothing is decided before the configured time;
// after it the best candidate by the criterion is stored and served to every visitor.
func TestABAutoWinner(t *testing.T) {
	type visit struct {
		page      int // 0 = main page, 1 = variant B
		contact   string
		converted bool // submitted a form from the page
		moreHits  int  // other page views within the session
	}
	cases := []struct {
		name     string
		criteria string
		visits   []visit
		want     int // expected winner (-1 = none yet)
	}{
		{"conversions: B converts more", ABConversions, []visit{
			{0, "a1", false, 0}, {0, "a2", true, 0}, {0, "a3", false, 0}, {0, "a4", false, 0},
			{1, "b1", true, 0}, {1, "b2", true, 0}, {1, "b3", false, 0}}, 1},
		{"conversions: main page wins", ABConversions, []visit{
			{0, "a1", true, 0}, {0, "a2", true, 0}, {1, "b1", false, 0}, {1, "b2", true, 0}}, 0},
		{"bounce: A keeps visitors", ABBounce, []visit{
			{0, "a1", false, 2}, {0, "a2", false, 1}, {0, "a3", false, 0},
			{1, "b1", false, 0}, {1, "b2", false, 0}, {1, "b3", false, 1}}, 0},
		{"bounce: a form counts as staying", ABBounce, []visit{
			{0, "a1", false, 0}, {0, "a2", false, 0}, {1, "b1", true, 0}, {1, "b2", false, 0}}, 1},
		{"no visits: keep testing", ABConversions, nil, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, clk := testenv.NewDB(t)
			s := New(d)
			ctx := context.Background()
			root, err := s.Save(ctx, Page{Title: "Spring", Alias: "spring", Published: true, ABCriteria: c.criteria, ABHours: 48})
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.Save(ctx, Page{Title: "Spring B", VariantParentID: root.ID, VariantWeight: 50, Published: true})
			if err != nil {
				t.Fatal(err)
			}
			pages := []Page{root, b}
			start := clk.Now()
			err = d.Write(ctx, func(tx *db.Tx) error {
				for i, v := range c.visits {
					at := start.Add(time.Duration(i+1) * time.Minute).UnixMilli()
					ins := func(id, typ, obj, url string, at int64) error {
						_, err := tx.Exec(`INSERT INTO events(id, contact_id, type, at, object_id, url, source) VALUES(?, ?, ?, ?, ?, ?, 'test')`,
							id, v.contact, typ, at, obj, url)
						return err
					}
					if err := ins(fmt.Sprint("h", i), "page.hit", pages[v.page].ID, "https://t.example.com/p/spring", at); err != nil {
						return err
					}
					if v.converted {
						if err := ins(fmt.Sprint("f", i), "form.submitted", "form-1", "https://t.example.com/p/spring", at+1000); err != nil {
							return err
						}
					}
					for k := 0; k < v.moreHits; k++ {
						if err := ins(fmt.Sprint("m", i, k), "page.hit", "", "https://www.example.com/other", at+int64(k+1)*60000); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Devices split between both candidates while the test runs.
			seen := map[string]bool{}
			for i := 0; i < 40; i++ {
				got, _, err := s.Choose(ctx, root, Visitor{Device: fmt.Sprint("dev-", i)})
				if err != nil {
					t.Fatal(err)
				}
				seen[got.ID] = true
			}
			if len(seen) != 2 {
				t.Fatalf("before the decision %d candidates served, want 2", len(seen))
			}
			clk.Advance(47 * time.Hour)
			if ids, err := s.DecideWinners(ctx); err != nil || len(ids) != 0 {
				t.Fatalf("decided early: %v %v", ids, err)
			}
			clk.Advance(2 * time.Hour)
			ids, err := s.DecideWinners(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := s.Get(ctx, root.ID)
			if c.want < 0 {
				if len(ids) != 0 || got.ABWinnerID != "" {
					t.Fatalf("decided without data: %v %q", ids, got.ABWinnerID)
				}
				return
			}
			if len(ids) != 1 || got.ABWinnerID != pages[c.want].ID || got.ABDecidedAt != clk.Now().UnixMilli() {
				t.Fatalf("winner %q at %d (decided %v), want %q", got.ABWinnerID, got.ABDecidedAt, ids, pages[c.want].ID)
			}
			for i := 0; i < 40; i++ {
				p, _, _ := s.Choose(ctx, got, Visitor{Device: fmt.Sprint("dev-", i)})
				if p.ID != pages[c.want].ID {
					t.Fatalf("device %d served %q after the decision, want only the winner", i, p.Title)
				}
			}
			// Turning the automatic winner off splits traffic again.
			got.ABCriteria = ""
			got, err = s.Save(ctx, got)
			if err != nil || got.ABWinnerID != "" {
				t.Fatalf("after switching off: %q %v", got.ABWinnerID, err)
			}
		})
	}
}

func TestABValidation(t *testing.T) {
	cases := []struct {
		p     Page
		field string
	}{
		{Page{Title: "x", ABCriteria: "clicks", ABHours: 5}, "abCriteria"},
		{Page{Title: "x", ABCriteria: ABBounce}, "abHours"},
		{Page{Title: "x", ABCriteria: ABBounce, ABHours: 9000}, "abHours"},
		{Page{Title: "x", ABCriteria: ABBounce, ABHours: 1, VariantParentID: "p"}, "abCriteria"},
		{Page{Title: "x", ABCriteria: ABConversions, ABHours: 24}, ""},
	}
	for _, c := range cases {
		err := c.p.Validate()
		var ae *apperr.Error
		if c.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", c.p, err)
			}
			continue
		}
		if !errors.As(err, &ae) || ae.Fields[c.field] == "" {
			t.Errorf("%s %d: error %v, want one on %s", c.p.ABCriteria, c.p.ABHours, err, c.field)
		}
	}
}
