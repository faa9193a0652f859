package contacts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"magpie/backend/contacts"
)

// Both page plans (look every match up, or walk the sort index testing membership) and the
// set-intersecting count give the same pages and totals, deleted contacts excluded.
func TestSearchPlansAgree(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	firsts := []string{"Zoé", "Zoe", "Anaïs", "Marc", "Müller"}
	lasts := []string{"Müller", "Muller", "Dupont", "Martin", "Zola"}
	var del []string
	for i := 0; i < 60; i++ {
		c, err := s.Create(ctx, contacts.Input{Values: map[string]string{"firstname": firsts[i%5], "lastname": lasts[(i/5)%5],
			"email": fmt.Sprintf("%s.%d@ex.com", strings.ToLower(lasts[i%5][:2]), i), "company": map[bool]string{true: "Mülleria", false: "Acme"}[i%7 == 0]}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if i%9 == 0 {
			del = append(del, c.ID)
		}
	}
	if _, err := s.Delete(ctx, del, "test"); err != nil {
		t.Fatal(err)
	}
	for _, search := range []string{"müller", "zoe", "zoe müller", "mu", "mar tin", "tag:none", "zz"} {
		for _, sort := range []string{"date_added", "lastname", "email"} {
			for _, desc := range []bool{false, true} {
				var pages [2][]string
				var totals [2]int
				for k, threshold := range []int{1 << 30, 0} {
					restore := contacts.SetWalkThreshold(threshold)
					for off := 0; off < 70; off += 7 {
						p, err := s.List(ctx, contacts.Query{Search: search, Sort: sort, Desc: desc, Offset: off, Limit: 7, Columns: []string{"email"}})
						if err != nil {
							t.Fatalf("%q: %v", search, err)
						}
						totals[k] = p.Total
						for _, r := range p.Rows {
							pages[k] = append(pages[k], r.ID)
						}
					}
					restore()
				}
				if totals[0] != totals[1] || strings.Join(pages[0], ",") != strings.Join(pages[1], ",") || len(pages[0]) != totals[0] {
					t.Fatalf("%q by %s desc=%v: lookup plan %d rows (total %d), walk plan %d rows (total %d)",
						search, sort, desc, len(pages[0]), totals[0], len(pages[1]), totals[1])
				}
			}
		}
	}
}
