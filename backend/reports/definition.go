package reports

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/charts"
)

// Filter is one column condition, as Mautic's report filters: a filter with glue "or"
// starts a new AND-group (disjunctive normal form, like segments). A blank value makes the
// filter ignored, except for empty/notEmpty.
type Filter struct {
	Column string `json:"column"`
	Op     string `json:"op"`
	Value  string `json:"value"`
	Glue   string `json:"glue"` // and | or
}

// Agg is a calculated column of the summary: count/sum/avg/min/max of a column (count of
// rows when Column is empty).
type Agg struct {
	Fn     string `json:"fn"`
	Column string `json:"column"`
}

// Order sorts the detail rows.
type Order struct {
	Column string `json:"column"`
	Desc   bool   `json:"desc"`
}

// Definition is what a report computes: detail rows (Columns, Filters, OrderBy) and a
// summary (GroupBy + Aggregates) drawn as Graph, both over the date range.
type Definition struct {
	Source  string   `json:"source"`
	Columns []string `json:"columns"`
	Filters []Filter `json:"filters"`
	// ContactFilters are segment filters (Mautic JSON, the segment editor's format) on the
	// rows' contacts.
	ContactFilters json.RawMessage `json:"contactFilters,omitempty"`
	// GroupBy lists column ids; a date column takes a bucket suffix ":day" (default),
	// ":week" (weeks start on Monday), ":month" or ":year".
	GroupBy    []string `json:"groupBy"`
	Aggregates []Agg    `json:"aggregates"`
	OrderBy    []Order  `json:"orderBy"`
	// SummarySort is "key" (group order, default) or "value" (largest first aggregate
	// first); SummaryLimit keeps the first N groups (0 = all).
	SummarySort  string `json:"summarySort"`
	SummaryLimit int    `json:"summaryLimit"`
	// DateFrom and DateTo (YYYY-MM-DD, inclusive, UTC) restrict the source's date column.
	DateFrom string      `json:"dateFrom"`
	DateTo   string      `json:"dateTo"`
	Graph    charts.Kind `json:"graph"`
}

// Aggregate functions.
var aggFns = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true}

// Buckets of date group-by columns.
var buckets = map[string]bool{"day": true, "week": true, "month": true, "year": true}

// opsByType are Mautic's filter conditions per column type (MauticReportBuilder).
var opsByType = map[string][]string{
	Text:     {"eq", "neq", "like", "notLike", "empty", "notEmpty", "contains", "startsWith", "endsWith", "in", "notIn"},
	Int:      {"eq", "neq", "gt", "gte", "lt", "lte", "empty", "notEmpty", "in", "notIn"},
	Float:    {"eq", "neq", "gt", "gte", "lt", "lte", "empty", "notEmpty"},
	DateTime: {"eq", "neq", "gt", "gte", "lt", "lte", "empty", "notEmpty"},
	Date:     {"eq", "neq", "gt", "gte", "lt", "lte", "empty", "notEmpty"},
	Bool:     {"eq", "neq"},
}

// Ops returns the conditions a column type accepts.
func Ops(typ string) []string { return opsByType[typ] }

const dayMs = 86400000

// dateRange parses the definition's range into [from, to) Unix ms (0 = open).
func (d *Definition) dateRange() (from, to int64, err error) {
	var f, t time.Time
	fe := map[string]string{}
	fm := map[string]string{}
	if d.DateFrom != "" {
		if f, err = time.Parse("2006-01-02", d.DateFrom); err != nil {
			fe["dateFrom"], fm["dateFrom"] = "reports.errors.date", fmt.Sprintf("date from %q is not a date (YYYY-MM-DD)", d.DateFrom)
		}
	}
	if d.DateTo != "" {
		if t, err = time.Parse("2006-01-02", d.DateTo); err != nil {
			fe["dateTo"], fm["dateTo"] = "reports.errors.date", fmt.Sprintf("date to %q is not a date (YYYY-MM-DD)", d.DateTo)
		}
	}
	if len(fe) > 0 {
		return 0, 0, apperr.FieldErrors(fe, fm)
	}
	if !f.IsZero() && !t.IsZero() && f.After(t) {
		return 0, 0, apperr.FieldErrors(map[string]string{"dateTo": "reports.errors.dateOrder"},
			map[string]string{"dateTo": fmt.Sprintf("the date range ends (%s) before it starts (%s)", d.DateTo, d.DateFrom)})
	}
	if !f.IsZero() {
		from = f.UnixMilli()
	}
	if !t.IsZero() {
		to = t.UnixMilli() + dayMs
	}
	return from, to, nil
}

// splitGroup reads "at:month" as ("at", "month").
func splitGroup(g string) (col, bucket string) {
	col, bucket, _ = strings.Cut(g, ":")
	return col, bucket
}

func invalid(field, key, format string, a ...any) error {
	return apperr.FieldErrors(map[string]string{field: key}, map[string]string{field: fmt.Sprintf(format, a...)})
}

// check validates the definition against its source (columns exist, operators fit their
// types, aggregates are known) and returns the source.
func (d *Definition) check(srcs []Source) (*Source, error) {
	var src *Source
	for i := range srcs {
		if srcs[i].ID == d.Source {
			src = &srcs[i]
		}
	}
	if src == nil {
		return nil, invalid("source", "reports.errors.source", "unknown data source %q", d.Source)
	}
	if src.Coming {
		return nil, invalid("source", "reports.errors.sourceComing", "the data source %q is not available yet", src.Label)
	}
	if !d.Graph.Valid() {
		return nil, invalid("graph", "reports.errors.graph", "unknown graph type %q (use line, bar, pie or funnel)", d.Graph)
	}
	if len(d.Columns) == 0 && len(d.GroupBy) == 0 {
		return nil, invalid("columns", "reports.errors.noColumns", "choose at least one column or a group-by")
	}
	for i, c := range d.Columns {
		if _, ok := src.Col(c); !ok {
			return nil, invalid("columns", "reports.errors.column", "column %d: %q is not a column of %s (deleted field?)", i+1, c, src.Label)
		}
	}
	for i, f := range d.Filters {
		col, ok := src.Col(f.Column)
		if !ok {
			return nil, invalid("filters", "reports.errors.column", "filter %d: %q is not a column of %s (deleted field?)", i+1, f.Column, src.Label)
		}
		okOp := false
		for _, o := range opsByType[col.Type] {
			okOp = okOp || o == f.Op
		}
		if !okOp {
			return nil, invalid("filters", "reports.errors.op", "filter %d (%s): operator %q does not apply to a %s column (use one of %s)",
				i+1, col.Label, f.Op, col.Type, strings.Join(opsByType[col.Type], ", "))
		}
		if f.Glue != "" && f.Glue != "and" && f.Glue != "or" {
			return nil, invalid("filters", "reports.errors.glue", "filter %d (%s): glue %q must be and or or", i+1, col.Label, f.Glue)
		}
	}
	for i, g := range d.GroupBy {
		c, b := splitGroup(g)
		col, ok := src.Col(c)
		if !ok {
			return nil, invalid("groupBy", "reports.errors.column", "group-by %d: %q is not a column of %s (deleted field?)", i+1, c, src.Label)
		}
		if b != "" && (col.Type != DateTime || !buckets[b]) {
			return nil, invalid("groupBy", "reports.errors.bucket", "group-by %d (%s): %q is not a date bucket of this column", i+1, col.Label, b)
		}
	}
	if len(d.GroupBy) > 2 {
		return nil, invalid("groupBy", "reports.errors.groupBy", "group by at most two columns")
	}
	for i, a := range d.Aggregates {
		if !aggFns[a.Fn] {
			return nil, invalid("aggregates", "reports.errors.agg", "calculated column %d: unknown function %q (count, sum, avg, min, max)", i+1, a.Fn)
		}
		if a.Column == "" {
			if a.Fn != "count" {
				return nil, invalid("aggregates", "reports.errors.aggColumn", "calculated column %d: %s needs a column", i+1, a.Fn)
			}
			continue
		}
		col, ok := src.Col(a.Column)
		if !ok {
			return nil, invalid("aggregates", "reports.errors.column", "calculated column %d: %q is not a column of %s (deleted field?)", i+1, a.Column, src.Label)
		}
		if (a.Fn == "sum" || a.Fn == "avg") && col.Type != Int && col.Type != Float && col.Type != Bool {
			return nil, invalid("aggregates", "reports.errors.aggType", "calculated column %d: %s of %s needs a number column", i+1, a.Fn, col.Label)
		}
	}
	for i, o := range d.OrderBy {
		if _, ok := src.Col(o.Column); !ok {
			return nil, invalid("orderBy", "reports.errors.column", "sort %d: %q is not a column of %s", i+1, o.Column, src.Label)
		}
	}
	if d.SummarySort != "" && d.SummarySort != "key" && d.SummarySort != "value" {
		return nil, invalid("summarySort", "reports.errors.summarySort", "summary sort %q must be key or value", d.SummarySort)
	}
	if _, _, err := d.dateRange(); err != nil {
		return nil, err
	}
	return src, nil
}

// hasContactFilters reports whether segment filters are set.
func (d *Definition) hasContactFilters() bool {
	s := strings.TrimSpace(string(d.ContactFilters))
	return s != "" && s != "null" && s != "[]" && s != "{}"
}
