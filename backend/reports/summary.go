package reports

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/charts"
)

// Summary is the grouped result of a report: one row per group with its calculated
// columns, and the graph's echarts option.
type Summary struct {
	Columns []Column        `json:"columns"` // group columns then calculated columns
	Rows    [][]any         `json:"rows"`
	Chart   json.RawMessage `json:"chart,omitempty"`
	// Total is the number of rows the groups cover.
	Total int64 `json:"total"`
}

// summaryWords name the calculated columns and date buckets: English, French.
var summaryWords = map[string][2]string{
	"count": {"Count", "Nombre"}, "sum": {"Sum", "Somme"}, "avg": {"Average", "Moyenne"},
	"min": {"Minimum", "Minimum"}, "max": {"Maximum", "Maximum"}, "of": {"of", "de"},
	"day": {"day", "jour"}, "week": {"week", "semaine"}, "month": {"month", "mois"}, "year": {"year", "année"},
}

// word is summaryWords[k] in lang.
func word(k, lang string) string {
	w, ok := summaryWords[k]
	if !ok {
		return k
	}
	if isFrench(lang) {
		return w[1]
	}
	return w[0]
}

// MaxGroups bounds the groups a summary holds in memory.
const MaxGroups = 100000

type accum struct {
	keys   []any
	count  []float64 // per aggregate: count of non-NULL values (or rows)
	sum    []float64
	min    []float64
	max    []float64
	hasVal []bool
	rows   int64
}

// summary runs the grouped query. Date buckets are grouped by day (or ISO week) number in
// SQL — integer arithmetic on the indexed at column, no date function per row — and
// months/years are rolled up from days in Go, which also computes averages from sums and
// counts.
func (s *Service) summary(ctx context.Context, p *plan) (*Summary, error) {
	def := p.def
	aggs := def.Aggregates
	if len(aggs) == 0 {
		aggs = []Agg{{Fn: "count"}}
	}
	out := &Summary{}
	var sel, grp []string
	type gcol struct {
		col    Column
		bucket string
	}
	gcols := make([]gcol, len(def.GroupBy))
	for i, g := range def.GroupBy {
		id, b := splitGroup(g)
		c, _ := p.src.Col(id)
		if c.Type == DateTime && b == "" {
			b = "day"
		}
		gcols[i] = gcol{c, b}
		expr := c.Expr
		if c.GroupExpr != "" {
			expr = c.GroupExpr
		}
		switch b {
		case "week":
			expr = "((" + c.Expr + ") / 86400000 + 3) / 7"
		case "day", "month", "year":
			expr = "(" + c.Expr + ") / 86400000"
		}
		sel = append(sel, expr)
		grp = append(grp, expr)
		label := c.Label
		if b != "" {
			label += " (" + word(b, p.lang) + ")"
		}
		typ := c.Type
		if b != "" {
			typ = Text
		}
		out.Columns = append(out.Columns, Column{ID: g, Label: label, Type: typ})
	}
	for _, a := range aggs {
		c, _ := p.src.Col(a.Column)
		e := "*"
		if a.Column != "" {
			e = c.Expr
		}
		sel = append(sel, "count("+e+")")
		if a.Column != "" {
			sel = append(sel, "total("+e+")", "min("+e+")", "max("+e+")")
		} else {
			sel = append(sel, "0", "0", "0")
		}
		label := word(a.Fn, p.lang)
		if a.Column != "" {
			label += " " + word("of", p.lang) + " " + c.Label
		}
		typ := Float
		if a.Fn == "count" || ((a.Fn == "min" || a.Fn == "max" || a.Fn == "sum") && c.Type == Int) {
			typ = Int
		}
		if (a.Fn == "min" || a.Fn == "max") && c.Type == DateTime {
			typ = DateTime
		}
		out.Columns = append(out.Columns, Column{ID: a.Fn + ":" + a.Column, Label: label, Type: typ})
	}
	sel = append(sel, "count(*)")
	groups := map[string]*accum{}
	var order []*accum
	n := len(gcols) + 4*len(aggs) + 1
	// consume reads one result set. With a window, the first group key is the window's
	// label and not a column of the result.
	consume := func(rs *sql.Rows, win any) error {
		defer rs.Close()
		off := 0
		if win != nil {
			off = 1
		}
		m := n - off
		raw := make([]any, m)
		ptrs := make([]any, m)
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		for rs.Next() {
			if err := rs.Scan(ptrs...); err != nil {
				return err
			}
			if num(raw[m-1]) == 0 {
				continue // an aggregate over an empty window
			}
			keys := make([]any, len(gcols))
			var kb strings.Builder
			for i, g := range gcols {
				if i == 0 && win != nil {
					keys[0] = win
				} else {
					keys[i] = bucketKey(g.col.Type, g.bucket, raw[i-off])
				}
				fmt.Fprintf(&kb, "%v\x00", keys[i])
			}
			a, ok := groups[kb.String()]
			if !ok {
				if len(groups) >= MaxGroups {
					return apperr.New(apperr.Invalid, "reports.errors.tooManyGroups",
						fmt.Sprintf("the summary has more than %d groups: group by fewer or coarser columns", MaxGroups), nil)
				}
				a = &accum{keys: keys, count: make([]float64, len(aggs)), sum: make([]float64, len(aggs)),
					min: make([]float64, len(aggs)), max: make([]float64, len(aggs)), hasVal: make([]bool, len(aggs))}
				groups[kb.String()] = a
				order = append(order, a)
			}
			for j := range aggs {
				base := len(gcols) - off + 4*j
				cnt := num(raw[base])
				a.count[j] += cnt
				a.sum[j] += num(raw[base+1])
				if raw[base+2] != nil && cnt > 0 {
					mn, mx := num(raw[base+2]), num(raw[base+3])
					if !a.hasVal[j] || mn < a.min[j] {
						a.min[j] = mn
					}
					if !a.hasVal[j] || mx > a.max[j] {
						a.max[j] = mx
					}
					a.hasVal[j] = true
				}
			}
			a.rows += int64(num(raw[m-1]))
		}
		return rs.Err()
	}
	var wins []window
	if len(gcols) > 0 {
		var err error
		if wins, err = s.windows(ctx, p, gcols[0].col, gcols[0].bucket); err != nil {
			return nil, err
		}
	}
	if wins != nil && s.rollupCounts(ctx, p, gcols[0].col, len(gcols), aggs, wins, func(label string, n int64) {
		a := &accum{keys: []any{label}, count: make([]float64, len(aggs)), sum: make([]float64, len(aggs)),
			min: make([]float64, len(aggs)), max: make([]float64, len(aggs)), hasVal: make([]bool, len(aggs)), rows: n}
		for j := range aggs {
			a.count[j] = float64(n)
		}
		order = append(order, a)
	}) {
		// answered from the dashboard's daily counts (rollup.go)
	} else if wins != nil {
		// A date bucket first: one aggregate query per bucket over the indexed date range,
		// so SQLite never sorts millions of rows by a computed day number.
		e0 := gcols[0].col.Expr
		q := "SELECT " + strings.Join(sel[1:], ", ") + " FROM " + s.atIndexed(ctx, p.from, gcols[0].col) + " WHERE " + p.where + " AND " + e0 + " >= ? AND " + e0 + " < ?"
		if len(grp) > 1 {
			q += " GROUP BY " + strings.Join(grp[1:], ", ")
		}
		st, err := s.db.R.PrepareContext(ctx, q)
		if err != nil {
			return nil, queryError(ctx, err)
		}
		defer st.Close()
		for _, w := range wins {
			rs, err := st.QueryContext(ctx, append(append([]any{}, p.args...), w.from, w.to)...)
			if err != nil {
				return nil, queryError(ctx, err)
			}
			if err := consume(rs, w.label); err != nil {
				return nil, queryError(ctx, err)
			}
		}
	} else {
		from := p.from
		if len(gcols) > 0 && gcols[0].col.GroupIndex != "" && strings.HasPrefix(from, "events e") {
			from = "events e " + s.db.IndexedBy(ctx, gcols[0].col.GroupIndex) + from[len("events e"):]
		}
		where := p.where
		if len(gcols) > 0 && gcols[0].col.GroupWhere != "" && strings.HasPrefix(from, "events e") {
			where += " AND " + gcols[0].col.GroupWhere
		}
		q := "SELECT " + strings.Join(sel, ", ") + " FROM " + from + " WHERE " + where
		if len(grp) > 0 {
			q += " GROUP BY " + strings.Join(grp, ", ")
		}
		rs, err := s.db.R.QueryContext(ctx, q, p.args...)
		if err != nil {
			return nil, queryError(ctx, err)
		}
		if err := consume(rs, nil); err != nil {
			if _, ok := apperr.As(err); ok {
				return nil, err
			}
			return nil, queryError(ctx, err)
		}
	}
	// groups keyed by an object id get their object's name back
	for i, g := range gcols {
		if g.col.NameSQL == "" {
			continue
		}
		cache := map[any]any{}
		for _, a := range order {
			k := a.keys[i]
			if k == nil {
				continue
			}
			name, ok := cache[k]
			if !ok {
				var n sql.NullString
				if err := s.db.R.QueryRowContext(ctx, g.col.NameSQL, k).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
					return nil, queryError(ctx, err)
				}
				name = k
				if n.Valid {
					name = n.String
				}
				cache[k] = name
			}
			a.keys[i] = name
		}
	}
	for _, a := range order {
		out.Total += a.rows
		row := append([]any{}, a.keys...)
		for j, ag := range aggs {
			var v any
			switch ag.Fn {
			case "count":
				v = int64(a.count[j])
			case "sum":
				v = a.sum[j]
			case "avg":
				if a.count[j] > 0 {
					v = a.sum[j] / a.count[j]
				}
			case "min":
				if a.hasVal[j] {
					v = a.min[j]
				}
			case "max":
				if a.hasVal[j] {
					v = a.max[j]
				}
			}
			row = append(row, typed(out.Columns[len(gcols)+j].Type, v))
		}
		out.Rows = append(out.Rows, row)
	}
	sortSummary(out, len(gcols), def.SummarySort)
	if def.SummaryLimit > 0 && len(out.Rows) > def.SummaryLimit {
		out.Rows = out.Rows[:def.SummaryLimit]
	}
	if def.Graph != charts.None && len(gcols) > 0 {
		opt, err := charts.Option(def.Graph, chartData(out, len(gcols)))
		if err != nil {
			return nil, err
		}
		out.Chart = opt
	}
	return out, nil
}

// atIndexed makes an event source read the (type, at) index when the column is the event
// date: without statistics SQLite may pick (type, url, at), whose min(at) / date ranges scan
// every entry of the type (5M page hits: 0.6 s each).
func (s *Service) atIndexed(ctx context.Context, from string, col Column) string {
	if col.Expr == "e.at" && strings.HasPrefix(from, "events e") && !strings.HasPrefix(from, "events e INDEXED") {
		return "events e " + s.db.IndexedBy(ctx, "events_type") + from[len("events e"):]
	}
	return from
}

type window struct {
	from, to int64
	label    string
}

// maxWindows bounds the per-bucket queries (beyond, one GROUP BY query is cheaper).
const maxWindows = 4000

// windows lists the buckets between the first and last date the plan selects (nil when the
// column is not a bucketed date or there would be too many).
func (s *Service) windows(ctx context.Context, p *plan, col Column, bucket string) ([]window, error) {
	if col.Type != DateTime || bucket == "" {
		return nil, nil
	}
	var lo, hi sql.NullInt64
	base := " FROM " + s.atIndexed(ctx, p.from, col) + " WHERE " + p.where
	if err := s.db.R.QueryRowContext(ctx, "SELECT min("+col.Expr+")"+base, p.args...).Scan(&lo); err != nil {
		return nil, queryError(ctx, err)
	}
	if err := s.db.R.QueryRowContext(ctx, "SELECT max("+col.Expr+")"+base, p.args...).Scan(&hi); err != nil {
		return nil, queryError(ctx, err)
	}
	if !lo.Valid || !hi.Valid {
		return []window{}, nil
	}
	t := time.UnixMilli(lo.Int64).UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	var start time.Time
	var next func(time.Time) time.Time
	layout := "2006-01-02"
	switch bucket {
	case "week":
		start = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)) // Monday
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	case "month":
		start, layout = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC), "2006-01"
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	case "year":
		start, layout = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC), "2006"
		next = func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }
	default:
		start = day
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	}
	var out []window
	for w := start; w.UnixMilli() <= hi.Int64; w = next(w) {
		if len(out) >= maxWindows {
			return nil, nil
		}
		out = append(out, window{from: w.UnixMilli(), to: next(w).UnixMilli(), label: w.Format(layout)})
	}
	return out, nil
}

func num(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

func typed(typ string, v any) any {
	f, ok := v.(float64)
	if !ok {
		return v
	}
	switch typ {
	case Int:
		return int64(math.Round(f))
	case DateTime:
		return time.UnixMilli(int64(f)).UTC()
	}
	return f
}

// bucketKey turns a grouped value into its label: dates as "2006-01-02" (day, the Monday of
// a week), "2006-01" (month) or "2006" (year); other values as converted by their type.
func bucketKey(typ, bucket string, v any) any {
	if bucket == "" {
		v = convert(typ, v)
		if t, ok := v.(time.Time); ok {
			return t.Format("2006-01-02")
		}
		return v
	}
	if v == nil {
		return nil
	}
	n := int64(num(v))
	if s, ok := v.(string); ok {
		fmt.Sscan(s, &n)
	}
	switch bucket {
	case "week":
		return time.UnixMilli((n*7 - 3) * dayMs).UTC().Format("2006-01-02")
	case "month":
		return time.UnixMilli(n * dayMs).UTC().Format("2006-01")
	case "year":
		return time.UnixMilli(n * dayMs).UTC().Format("2006")
	}
	return time.UnixMilli(n * dayMs).UTC().Format("2006-01-02")
}

func less(a, b any) bool {
	switch {
	case a == nil:
		return b != nil
	case b == nil:
		return false
	}
	fa, aNum := a.(int64)
	fb, bNum := b.(int64)
	if aNum && bNum {
		return fa < fb
	}
	if x, ok := a.(float64); ok {
		if y, ok := b.(float64); ok {
			return x < y
		}
	}
	return strings.ToLower(fmt.Sprint(a)) < strings.ToLower(fmt.Sprint(b))
}

func sortSummary(s *Summary, nKeys int, mode string) {
	if mode == "value" && len(s.Columns) > nKeys {
		sort.SliceStable(s.Rows, func(i, j int) bool { return less(s.Rows[j][nKeys], s.Rows[i][nKeys]) })
		return
	}
	sort.SliceStable(s.Rows, func(i, j int) bool {
		for k := 0; k < nKeys; k++ {
			if less(s.Rows[i][k], s.Rows[j][k]) {
				return true
			}
			if less(s.Rows[j][k], s.Rows[i][k]) {
				return false
			}
		}
		return false
	})
}

func label(v any) string {
	if v == nil {
		return "(none)"
	}
	return fmt.Sprint(v)
}

// chartData draws the summary: categories are the first group column; with two group
// columns the second one's values become series of the first calculated column, else each
// calculated column is a series.
func chartData(s *Summary, nKeys int) charts.Data {
	var d charts.Data
	if nKeys == 2 {
		cat, ser := map[string]int{}, map[string]int{}
		type cell struct{ c, s int }
		vals := map[cell]float64{}
		for _, r := range s.Rows {
			c, sn := label(r[0]), label(r[1])
			if _, ok := cat[c]; !ok {
				cat[c] = len(d.Categories)
				d.Categories = append(d.Categories, c)
			}
			if _, ok := ser[sn]; !ok {
				ser[sn] = len(d.Series)
				d.Series = append(d.Series, charts.Series{Name: sn})
			}
			vals[cell{cat[c], ser[sn]}] += num(r[2])
		}
		for i := range d.Series {
			d.Series[i].Values = make([]float64, len(d.Categories))
			for c := range d.Categories {
				d.Series[i].Values[c] = vals[cell{c, i}]
			}
		}
		return d
	}
	for _, r := range s.Rows {
		d.Categories = append(d.Categories, label(r[0]))
	}
	for j := nKeys; j < len(s.Columns); j++ {
		ser := charts.Series{Name: s.Columns[j].Label, Values: make([]float64, len(s.Rows))}
		for i, r := range s.Rows {
			switch x := r[j].(type) {
			case time.Time:
				ser.Values[i] = float64(x.UnixMilli())
			default:
				ser.Values[i] = num(x)
			}
		}
		d.Series = append(d.Series, ser)
	}
	return d
}
