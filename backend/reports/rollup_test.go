package reports_test

import (
	"context"
	"testing"

	"magpie/backend/charts"
	"magpie/backend/dashboard"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/reports"
)

type countingDays struct {
	d        *dashboard.Service
	asked    int
	answered int
}

func (c *countingDays) DayCounts(ctx context.Context, typ string, from, to int64) (map[int64]int64, bool, error) {
	c.asked++
	m, ok, err := c.d.DayCounts(ctx, typ, from, to)
	if ok {
		c.answered++
	}
	return m, ok, err
}

// TestSummaryFromDailyRollup: a plain count of one event type by date bucket is answered
// from the dashboard's daily counts when they are current, with the same summary as the
// SQL count; filters, other aggregates, a stale rollup fall back to SQL.
func TestSummaryFromDailyRollup(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dash := dashboard.New(f.d)
	if _, err := dash.CatchUp(ctx, 0); err != nil {
		t.Fatal(err)
	}
	days := &countingDays{d: dash}
	cases := []struct {
		name   string
		def    reports.Definition
		rollup bool
	}{
		{"hits by month", reports.Definition{Source: "page.hits", GroupBy: []string{"at:month"}, Graph: charts.Line}, true},
		{"hits by day", reports.Definition{Source: "page.hits", GroupBy: []string{"at"}}, true},
		{"hits by week, date range", reports.Definition{Source: "page.hits", GroupBy: []string{"at:week"}, DateFrom: "2026-02-03", DateTo: "2026-03-01"}, true},
		{"hits by year, explicit count", reports.Definition{Source: "page.hits", GroupBy: []string{"at:year"}, Aggregates: []reports.Agg{{Fn: "count"}}}, true},
		{"with a filter", reports.Definition{Source: "page.hits", GroupBy: []string{"at:month"},
			Filters: []reports.Filter{{Column: "url", Op: "contains", Value: "blog"}}}, false},
		{"two group columns", reports.Definition{Source: "page.hits", GroupBy: []string{"at:month", "url"}}, false},
		{"several event types", reports.Definition{Source: "email.events", GroupBy: []string{"at:month"}}, false},
		{"min of a column", reports.Definition{Source: "page.hits", GroupBy: []string{"at:month"}, Aggregates: []reports.Agg{{Fn: "min", Column: "at"}}}, false},
	}
	check := func(step string) {
		t.Helper()
		for _, c := range cases {
			f.r.SetDayCounts(nil)
			want, err := f.r.Preview(ctx, c.def, "", 0, 10)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			f.r.SetDayCounts(days)
			before := days.answered
			got, err := f.r.Preview(ctx, c.def, "", 0, 10)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if rowsText(got.Summary.Rows) != rowsText(want.Summary.Rows) || string(got.Summary.Chart) != string(want.Summary.Chart) {
				t.Errorf("%s, %s: from the rollup\n%s\nwant\n%s", step, c.name, rowsText(got.Summary.Rows), rowsText(want.Summary.Rows))
			}
			if used := days.answered > before; step == "current" && used != c.rollup {
				t.Errorf("%s: read the rollup = %v, want %v", c.name, used, c.rollup)
			}
		}
	}
	check("current")
	// A new hit not folded yet: the rollup must not answer (stale), the summary stays right.
	if err := f.d.Write(ctx, func(tx *db.Tx) error {
		_, err := events.Append(tx, events.Event{ContactID: f.ids["Bob"], Type: events.PageHit, At: ts("2026-03-02 10:00"), URL: "https://shop.io/x"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := days.answered
	check("stale")
	if days.answered != before {
		t.Errorf("a stale rollup answered %d times", days.answered-before)
	}
}
