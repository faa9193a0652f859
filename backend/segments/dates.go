package segments

import (
	"strconv"
	"strings"
	"time"

	"magpie/backend/reldate"
)

const (
	dateFmt     = "2006-01-02"
	datetimeFmt = "2006-01-02 15:04:05"
)

// dcmp is Mautic's rendered date comparison (§3.5): column op a [AND b]; neg negates it
// and lets NULL match (NOT LIKE … OR NULL).
type dcmp struct {
	op   string // = > >= < <= like between
	a, b string
	neg  bool
}

// zone is where a date filter's strings live: date-typed filters in the user's zone,
// datetime-typed ones in UTC (Mautic's base dates).
func (c *Compiler) zone(d Def) *time.Location {
	if d.DateKind == "date" && c.Loc != nil {
		return c.Loc
	}
	return time.UTC
}

func (c *Compiler) date(n *Node, d Def, col, op string) (string, error) {
	switch op {
	case OpEmpty: // dates: IS NULL only
		return col + " IS NULL", nil
	case OpNotEmpty:
		return col + " IS NOT NULL", nil
	case OpLike, OpNotLike, OpContains, OpStartsWith, OpEndsWith, OpRegexp, OpNotRegexp:
		return c.text(n, c.dateText(d, col), op) // plain string matching (startsWith 2020-11)
	case OpBetween, OpNotBetween:
		vs, err := n.Filter.Values(false)
		if err != nil || len(vs) != 2 {
			return "", leafError(n, "between needs two dates [from, to]")
		}
		var r [2]string
		for i, v := range vs {
			rv, err := reldate.Resolve(v, c.Now, c.zone(d))
			if err != nil || rv.Kind != reldate.Absolute {
				return "", leafError(n, "between needs two fixed dates (YYYY-MM-DD), got %q", v)
			}
			r[i] = rv.Text
		}
		return c.renderDate(d, col, dcmp{op: "between", a: r[0], b: r[1], neg: op == OpNotBetween}), nil
	}
	v, err := n.Filter.Value()
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	rv, err := reldate.Resolve(v, c.Now, c.zone(d))
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	layout := dateFmt
	if d.DateKind == "datetime" {
		layout = datetimeFmt
	}
	first := func() string { return rv.Start.Format(layout) }
	last := func() string { return rv.End.Add(-time.Second).Format(layout) }
	var x dcmp
	switch rv.Kind {
	case reldate.Anniversary: // operator forced to like, any year
		x = dcmp{op: "like", a: "%-" + rv.Start.Format("01-02") + "%"}
	case reldate.Absolute:
		x = dcmp{op: sqlOpOf(op), a: rv.Text}
	case reldate.Relative: // rendered as a date without time, even for datetime (Q6)
		day := rv.Start.Format(dateFmt)
		if op == OpEq || op == OpNeq {
			x = dcmp{op: "like", a: day + "%"}
		} else {
			x = dcmp{op: sqlOpOf(op), a: day}
		}
	default: // day, week, month, year
		switch op {
		case OpEq, OpNeq:
			switch rv.Kind {
			case reldate.Day:
				x = dcmp{op: "like", a: rv.Start.Format(dateFmt) + "%"}
			case reldate.Month:
				x = dcmp{op: "like", a: rv.Start.Format("2006-01-") + "%"}
			case reldate.Year:
				x = dcmp{op: "like", a: rv.Start.Format("2006-") + "%"}
			default:
				x = dcmp{op: "between", a: first(), b: last()}
			}
		case OpGt:
			x = dcmp{op: ">", a: last()}
		case OpGte:
			x = dcmp{op: ">=", a: first()}
		case OpLt:
			x = dcmp{op: "<", a: first()}
		case OpLte:
			x = dcmp{op: "<=", a: last()}
		}
	}
	if op == OpNeq && rv.Kind != reldate.Anniversary {
		x.neg = true
		if x.op == "<>" {
			x.op = "="
		}
	}
	return c.renderDate(d, col, x), nil
}

func sqlOpOf(op string) string {
	if s, ok := sqlCmp[op]; ok {
		return s
	}
	return "="
}

// dateText renders a date column as Mautic's string form (for like/regexp on dates).
func (c *Compiler) dateText(d Def, col string) string {
	if d.Storage == "ms" {
		return "strftime('%Y-%m-%d %H:%M:%S', " + col + " / 1000, 'unixepoch')"
	}
	return col
}

// renderDate turns a rendered comparison into SQL for the column's storage: TEXT dates
// compare as MySQL compares DATE/DATETIME with string constants; instants (Unix ms) compare
// with the string read as an instant in the filter's zone, at second precision.
func (c *Compiler) renderDate(d Def, col string, x dcmp) string {
	var s string
	if d.Storage == "ms" {
		s = c.renderMs(d, col, x)
	} else {
		s = c.renderText(d, col, x)
	}
	if x.neg {
		return "(" + col + " IS NULL OR NOT (" + s + "))"
	}
	return s
}

func (c *Compiler) renderText(d Def, col string, x dcmp) string {
	norm := func(v string) string {
		if d.Storage == "textdatetime" && len(v) == len(dateFmt) {
			return v + " 00:00:00"
		}
		if d.Storage == "textdate" && len(v) > len(dateFmt) && strings.HasSuffix(v, " 00:00:00") {
			return v[:len(dateFmt)]
		}
		return v
	}
	lhs := col
	if d.Storage == "textdate" && (len(x.a) > len(dateFmt) && !strings.Contains(x.a, "%")) {
		lhs = "(" + col + " || ' 00:00:00')"
		norm = func(v string) string { return v }
	}
	switch x.op {
	case "like":
		return col + " LIKE " + c.arg(x.a)
	case "between":
		return lhs + " BETWEEN " + c.arg(norm(x.a)) + " AND " + c.arg(norm(x.b))
	}
	return lhs + " " + x.op + " " + c.arg(norm(x.a))
}

func (c *Compiler) renderMs(d Def, col string, x dcmp) string {
	loc := c.zone(d)
	inst := func(v string) int64 {
		for _, l := range []string{datetimeFmt, dateFmt} {
			if t, err := time.ParseInLocation(l, v, loc); err == nil {
				return t.UnixMilli()
			}
		}
		return 0
	}
	rng := func(a, b int64) string {
		return "(" + col + " >= " + c.arg(a) + " AND " + col + " < " + c.arg(b) + ")"
	}
	switch x.op {
	case "like":
		p := x.a
		switch {
		case strings.HasPrefix(p, "%-"): // anniversary: month-day in the zone
			_, off := c.Now.In(loc).Zone()
			return "strftime('%m-%d', " + col + " / 1000 + " + strconv.Itoa(off) + ", 'unixepoch') = " + c.arg(strings.Trim(p, "%-")[0:5])
		case len(p) == len("2006-01-02%"):
			t, _ := time.ParseInLocation(dateFmt, p[:10], loc)
			return rng(t.UnixMilli(), t.AddDate(0, 0, 1).UnixMilli())
		case len(p) == len("2006-01-%"):
			t, _ := time.ParseInLocation("2006-01-", p[:8], loc)
			return rng(t.UnixMilli(), t.AddDate(0, 1, 0).UnixMilli())
		case len(p) == len("2006-%"):
			t, _ := time.ParseInLocation("2006-", p[:5], loc)
			return rng(t.UnixMilli(), t.AddDate(1, 0, 0).UnixMilli())
		}
		return c.dateText(d, col) + " LIKE " + c.arg(p)
	case "between":
		return rng(inst(x.a), inst(x.b)+1000)
	case "=":
		return rng(inst(x.a), inst(x.a)+1000)
	case ">":
		return col + " >= " + c.arg(inst(x.a)+1000)
	case ">=":
		return col + " >= " + c.arg(inst(x.a))
	case "<":
		return col + " < " + c.arg(inst(x.a))
	}
	return col + " < " + c.arg(inst(x.a)+1000) // <=
}
