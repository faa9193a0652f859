package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"magpie/backend/apperr"
	"magpie/backend/charts"
	"magpie/backend/reports"
)

func rowsText(rows [][]any) string {
	var b strings.Builder
	for _, r := range rows {
		for i, v := range r {
			if i > 0 {
				b.WriteString("|")
			}
			fmt.Fprint(&b, v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

type previewCase struct {
	name      string
	def       reports.Definition
	wantRows  string // detail rows (first page)
	wantTotal int64
	wantSum   string // summary rows
}

func TestPreview(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []previewCase{
		{"contacts in Paris, sorted by email", reports.Definition{Source: "contacts", Columns: []string{"contact.email", "contact.score_n"},
			Filters: []reports.Filter{{Column: "contact.city", Op: "eq", Value: "paris"}},
			OrderBy: []reports.Order{{Column: "contact.email"}}},
			"ann@x.io|5\nelo@z.io|<nil>\n", 2, ""},
		{"or starts a new group", reports.Definition{Source: "contacts", Columns: []string{"contact.firstname"},
			Filters: []reports.Filter{{Column: "contact.city", Op: "eq", Value: "Lyon"}, {Column: "contact.score_n", Op: "gt", Value: "4", Glue: "or"}},
			OrderBy: []reports.Order{{Column: "contact.firstname"}}},
			"Ann\nBob\n", 2, ""},
		{"blank filter value is ignored; neq includes NULL", reports.Definition{Source: "contacts", Columns: []string{"contact.firstname"},
			Filters: []reports.Filter{{Column: "contact.city", Op: "eq", Value: " "}, {Column: "contact.score_n", Op: "neq", Value: "5"}},
			OrderBy: []reports.Order{{Column: "contact.firstname", Desc: true}}},
			"Élodie\nBob\n", 2, ""},
		{"page hits by URL, most first", reports.Definition{Source: "page.hits", GroupBy: []string{"url"},
			Aggregates: []reports.Agg{{Fn: "count"}}, SummarySort: "value", Graph: charts.Bar},
			"", 0, "https://shop.io/pricing|3\nhttps://shop.io/blog|1\n"},
		{"email events by month and type, date range", reports.Definition{Source: "email.events", Columns: []string{"at", "type", "email", "contact.email"},
			GroupBy: []string{"at:month", "type"}, DateFrom: "2026-02-01", DateTo: "2026-02-28", Graph: charts.Line,
			OrderBy: []reports.Order{{Column: "at"}, {Column: "type", Desc: true}, {Column: "contact.email"}}},
			"2026-02-03 09:00:00 +0000 UTC|email.sent|Welcome|ann@x.io\n2026-02-03 09:00:00 +0000 UTC|email.sent|Welcome|bob@y.io\n2026-02-03 10:00:00 +0000 UTC|email.read|Welcome|ann@x.io\n",
			3, "2026-02|email.read|1\n2026-02|email.sent|2\n"},
		{"contacts by week: sum, avg, min, max of a number field", reports.Definition{Source: "contacts", GroupBy: []string{"contact.city"},
			Aggregates: []reports.Agg{{Fn: "count"}, {Fn: "sum", Column: "contact.score_n"}, {Fn: "avg", Column: "contact.score_n"},
				{Fn: "min", Column: "contact.score_n"}, {Fn: "max", Column: "contact.points"}}},
			"", 0, "Lyon|1|2.5|2.5|2.5|0\nParis|2|5|5|5|0\n"},
		{"hits per day of the week bucket (weeks start Monday)", reports.Definition{Source: "page.hits", GroupBy: []string{"at:week"}},
			"", 0, "2026-02-02|2\n2026-02-09|1\n2026-02-23|1\n"},
		{"segment filters on the rows' contacts", reports.Definition{Source: "page.hits", Columns: []string{"contact.firstname"},
			ContactFilters: json.RawMessage(`[{"glue":"and","field":"city","object":"lead","type":"text","operator":"=","properties":{"filter":"Lyon"}}]`)},
			"Bob\n", 1, ""},
		{"email events by email: grouped by id, named back", reports.Definition{Source: "email.events", GroupBy: []string{"email"},
			Aggregates: []reports.Agg{{Fn: "count"}, {Fn: "min", Column: "at"}}},
			"", 0, "March news|1|2026-03-01 09:00:00 +0000 UTC\nWelcome|3|2026-02-03 09:00:00 +0000 UTC\n"},
		{"stage log with the previous stage", reports.Definition{Source: "stage.log", Columns: []string{"stage", "from", "weight", "contact.firstname"}},
			"Lead|Visitor|10|Bob\n", 1, ""},
		{"campaign events by status", reports.Definition{Source: "campaign.events", Columns: []string{"step", "event_type"}, GroupBy: []string{"status"}, Graph: charts.Pie},
			"Welcome › Send email|email.send\n", 1, "done|1\n"},
		{"text filters fold case and accents: eq", reports.Definition{Source: "contacts", Columns: []string{"contact.firstname"},
			Filters: []reports.Filter{{Column: "contact.firstname", Op: "eq", Value: "ELODIE "}}},
			"Élodie\n", 1, ""},
		{"text filters fold: contains, in, startsWith, like", reports.Definition{Source: "contacts", Columns: []string{"contact.firstname"},
			Filters: []reports.Filter{{Column: "contact.firstname", Op: "contains", Value: "lod"},
				{Column: "contact.firstname", Op: "in", Value: "élodie, bob", Glue: "or"},
				{Column: "contact.firstname", Op: "startsWith", Value: "BO"}},
			OrderBy: []reports.Order{{Column: "contact.firstname"}}},
			"Bob\nÉlodie\n", 2, ""},
		{"text filters fold: neq and notLike keep NULL, drop the folded match", reports.Definition{Source: "contacts", Columns: []string{"contact.firstname"},
			Filters: []reports.Filter{{Column: "contact.firstname", Op: "neq", Value: "élodie"}, {Column: "contact.firstname", Op: "notLike", Value: "ANN"}}},
			"Bob\n", 1, ""},
		{"text filters fold on event columns (URL case)", reports.Definition{Source: "page.hits", Columns: []string{"url"},
			Filters: []reports.Filter{{Column: "url", Op: "endsWith", Value: "/BLOG"}}},
			"https://shop.io/blog\n", 1, ""},
		{"points log from contacts.AdjustPoints", reports.Definition{Source: "points.log", Columns: []string{"reason", "delta"}},
			"", 0, ""},
	}
	// The second pass runs while a bulk load has dropped the secondary indexes (forced
	// indexes fall back to a scan: same answers).
	for _, deferred := range []bool{false, true} {
		if deferred {
			restore, err := f.d.DeferIndexes(ctx, []string{"contacts", "events"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := restore(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		previewCases(t, f, cases, deferred)
	}
}

func previewCases(t *testing.T, f *fixture, cases []previewCase, deferred bool) {
	ctx := context.Background()
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/deferred=%v", c.name, deferred), func(t *testing.T) {
			p, err := f.r.Preview(ctx, c.def, "", 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if got := rowsText(p.Rows); got != c.wantRows {
				t.Errorf("rows:\n%s\nwant:\n%s", got, c.wantRows)
			}
			if p.Total != c.wantTotal {
				t.Errorf("total = %d, want %d", p.Total, c.wantTotal)
			}
			got := ""
			if p.Summary != nil {
				got = rowsText(p.Summary.Rows)
			}
			if got != c.wantSum {
				t.Errorf("summary:\n%s\nwant:\n%s", got, c.wantSum)
			}
			if c.def.Graph != "" && (p.Summary == nil || !strings.Contains(string(p.Summary.Chart), `"type":"`+string(c.def.Graph)+`"`)) {
				t.Errorf("chart lacks a %s series", c.def.Graph)
			}
		})
	}
}

func TestBadDefinitions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		def   reports.Definition
		field string
		msg   string
	}{
		{"from after to", reports.Definition{Source: "page.hits", Columns: []string{"url"}, DateFrom: "2026-03-02", DateTo: "2026-03-01"}, "dateTo", "ends (2026-03-01) before it starts (2026-03-02)"},
		{"bad date", reports.Definition{Source: "page.hits", Columns: []string{"url"}, DateFrom: "March"}, "dateFrom", `"March" is not a date`},
		{"unknown source", reports.Definition{Source: "videos", Columns: []string{"url"}}, "source", `unknown data source "videos"`},
		{"coming source", reports.Definition{Source: "video.hits", Columns: []string{"x"}}, "source", "not available yet"},
		{"deleted field", reports.Definition{Source: "contacts", Columns: []string{"contact.gone"}}, "columns", `column 1: "contact.gone" is not a column of Contacts (deleted field?)`},
		{"operator for the type", reports.Definition{Source: "contacts", Columns: []string{"contact.email"}, Filters: []reports.Filter{{Column: "contact.email", Op: "gt", Value: "a"}}}, "filters", `filter 1 (Email): operator "gt" does not apply`},
		{"bad number", reports.Definition{Source: "contacts", Columns: []string{"contact.email"}, Filters: []reports.Filter{{Column: "contact.score_n", Op: "gt", Value: "lots"}}}, "filters", `filter 1 (Score): "lots" is not a number`},
		{"sum of text", reports.Definition{Source: "contacts", GroupBy: []string{"contact.city"}, Aggregates: []reports.Agg{{Fn: "sum", Column: "contact.email"}}}, "aggregates", "needs a number column"},
		{"deleted segment", reports.Definition{Source: "contacts", Columns: []string{"contact.email"},
			ContactFilters: json.RawMessage(`[{"glue":"and","field":"leadlist","object":"lead","type":"leadlist","operator":"in","properties":{"filter":["gone"]}}]`)}, "contactFilters", "contact filters:"},
		{"bad graph", reports.Definition{Source: "contacts", Columns: []string{"contact.email"}, Graph: "donut"}, "graph", `unknown graph type "donut"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.r.Preview(ctx, c.def, "", 0, 10)
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("err = %v, want an apperr", err)
			}
			if e.Fields[c.field] == "" || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v (fields %v), want field %s and %q", err, e.Fields, c.field, c.msg)
			}
		})
	}
}

func apperrAs(err error) (map[string]string, bool) {
	e, ok := apperr.As(err)
	if !ok {
		return nil, false
	}
	return e.Fields, true
}
