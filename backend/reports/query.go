package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/segments"
)

// plan is a compiled definition: the FROM (with the contact join when needed) and WHERE.
type plan struct {
	def   Definition
	src   *Source // named in lang
	lang  string
	from  string
	where string
	args  []any
	// plain: no column or contact filter and no join (only the source's condition and the
	// date range [rangeFrom, rangeTo), 0 = open).
	plain              bool
	rangeFrom, rangeTo int64
}

// compile validates def and builds its FROM and WHERE.
// compile plans def, its columns named in lang (en or fr).
func (s *Service) compile(ctx context.Context, def Definition, lang string) (*plan, error) {
	srcs, err := Sources(ctx, s.fields)
	if err != nil {
		return nil, err
	}
	src, err := def.check(srcs)
	if err != nil {
		return nil, err
	}
	named := Localize(*src, lang)
	p := &plan{def: def, src: &named, lang: lang}
	conds := []string{}
	if src.Where != "" {
		conds = append(conds, src.Where)
	}
	needContact := false
	use := func(id string) {
		if c, ok := src.Col(id); ok && c.NeedsContact {
			needContact = true
		}
	}
	for _, c := range def.Columns {
		use(c)
	}
	for _, g := range def.GroupBy {
		c, _ := splitGroup(g)
		use(c)
	}
	for _, a := range def.Aggregates {
		use(a.Column)
	}
	for _, o := range def.OrderBy {
		use(o.Column)
	}
	from, to, _ := def.dateRange()
	p.rangeFrom, p.rangeTo = from, to
	if from != 0 || to != 0 {
		dc, _ := src.Col(src.DateColumn)
		use(dc.ID)
		if from != 0 {
			conds = append(conds, dc.Expr+" >= ?")
			p.args = append(p.args, from)
		}
		if to != 0 {
			conds = append(conds, dc.Expr+" < ?")
			p.args = append(p.args, to)
		}
	}
	fsql, fargs, fneed, err := filtersSQL(src, def.Filters)
	if err != nil {
		return nil, err
	}
	if fsql != "" {
		conds = append(conds, fsql)
		p.args = append(p.args, fargs...)
		needContact = needContact || fneed
	}
	if def.hasContactFilters() {
		if !src.ContactFilters || s.segments == nil {
			return nil, invalid("contactFilters", "reports.errors.contactFilters", "%s rows have no contact to filter on", src.Label)
		}
		tree, err := segments.Parse(def.ContactFilters)
		if err != nil {
			return nil, invalid("contactFilters", "reports.errors.contactFilters", "contact filters: %v", err)
		}
		comp, err := s.segments.Compiler(ctx, time.Time{}, segments.Scan)
		if err != nil {
			return nil, err
		}
		cond, cargs, err := comp.Compile(tree)
		if err != nil {
			return nil, invalid("contactFilters", "reports.errors.contactFilters", "contact filters: %v", err)
		}
		conds = append(conds, "("+cond+")")
		p.args = append(p.args, cargs...)
		needContact = true
	}
	p.from = src.From
	if needContact && src.ContactJoin != "" {
		p.from += " " + src.ContactJoin
	}
	p.plain = fsql == "" && !def.hasContactFilters() && p.from == src.From
	p.where = "1"
	if len(conds) > 0 {
		p.where = strings.Join(conds, " AND ")
	}
	return p, nil
}

// filtersSQL builds the DNF of column filters: "or" starts a new AND-group.
func filtersSQL(src *Source, fs []Filter) (string, []any, bool, error) {
	var groups [][]string
	var args []any
	cur := []string{}
	need := false
	for i, f := range fs {
		if f.Glue == "or" && len(cur) > 0 {
			groups = append(groups, cur)
			cur = []string{}
		}
		col, _ := src.Col(f.Column)
		if strings.TrimSpace(f.Value) == "" && f.Op != "empty" && f.Op != "notEmpty" {
			continue // Mautic ignores filters with a blank value
		}
		c, a, err := condSQL(col, f)
		if err != nil {
			return "", nil, false, invalid("filters", "reports.errors.filterValue", "filter %d (%s): %v", i+1, col.Label, err)
		}
		need = need || col.NeedsContact
		cur = append(cur, c)
		args = append(args, a...)
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	if len(groups) == 0 {
		return "", nil, false, nil
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = "(" + strings.Join(g, " AND ") + ")"
	}
	return "(" + strings.Join(parts, " OR ") + ")", args, need, nil
}

// value converts a filter value to the column's stored type.
func value(col Column, v string) (any, error) {
	v = strings.TrimSpace(v)
	switch col.Type {
	case Int, Float:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", v)
		}
		return f, nil
	case Bool:
		switch strings.ToLower(v) {
		case "1", "true", "yes":
			return 1, nil
		case "0", "false", "no":
			return 0, nil
		}
		return nil, fmt.Errorf("%q is not yes or no", v)
	case DateTime:
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.UnixMilli(), nil
			}
		}
		return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)", v)
	case Date:
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", v)
		}
	}
	return v, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func condSQL(col Column, f Filter) (string, []any, error) {
	e := col.Expr
	switch f.Op {
	case "empty":
		return "(" + e + " IS NULL OR " + e + " = '')", nil, nil
	case "notEmpty":
		return "(" + e + " IS NOT NULL AND " + e + " <> '')", nil, nil
	}
	if col.Type == Text {
		if c, a, ok := textCond(e, f); ok {
			return c, a, nil
		}
	}
	switch f.Op {
	case "like", "notLike":
		v := f.Value
		if !strings.Contains(v, "%") {
			v = "%" + v + "%"
		}
		if f.Op == "like" {
			return e + " LIKE ?", []any{v}, nil
		}
		return "(" + e + " IS NULL OR " + e + " NOT LIKE ?)", []any{v}, nil
	case "contains":
		return e + ` LIKE ? ESCAPE '\'`, []any{"%" + likeEscaper.Replace(f.Value) + "%"}, nil
	case "startsWith":
		return e + ` LIKE ? ESCAPE '\'`, []any{likeEscaper.Replace(f.Value) + "%"}, nil
	case "endsWith":
		return e + ` LIKE ? ESCAPE '\'`, []any{"%" + likeEscaper.Replace(f.Value)}, nil
	case "in", "notIn":
		var vals []any
		for _, p := range strings.Split(f.Value, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			v, err := value(col, p)
			if err != nil {
				return "", nil, err
			}
			vals = append(vals, v)
		}
		list := "(?" + strings.Repeat(", ?", len(vals)-1) + ")"
		if f.Op == "in" {
			return e + " IN " + list, vals, nil
		}
		return "(" + e + " IS NULL OR " + e + " NOT IN " + list + ")", vals, nil
	}
	v, err := value(col, f.Value)
	if err != nil {
		return "", nil, err
	}
	if col.Type == DateTime && f.Op == "eq" {
		// a date matches the whole day
		if len(strings.TrimSpace(f.Value)) == 10 {
			return "(" + e + " >= ? AND " + e + " < ?)", []any{v, v.(int64) + dayMs}, nil
		}
	}
	switch f.Op {
	case "eq":
		return e + " = ?", []any{v}, nil
	case "neq":
		return "(" + e + " IS NULL OR " + e + " <> ?)", []any{v}, nil
	case "gt":
		return e + " > ?", []any{v}, nil
	case "gte":
		return e + " >= ?", []any{v}, nil
	case "lt":
		return e + " < ?", []any{v}, nil
	case "lte":
		return e + " <= ?", []any{v}, nil
	}
	return "", nil, fmt.Errorf("unknown operator %q", f.Op)
}

// detailSQL is the SELECT of the detail rows (no paging).
func (p *plan) detailSQL() string {
	exprs := make([]string, len(p.def.Columns))
	for i, id := range p.def.Columns {
		c, _ := p.src.Col(id)
		exprs[i] = c.Expr
	}
	q := "SELECT " + strings.Join(exprs, ", ") + " FROM " + p.from + " WHERE " + p.where
	if len(p.def.OrderBy) > 0 {
		ord := make([]string, len(p.def.OrderBy))
		for i, o := range p.def.OrderBy {
			c, _ := p.src.Col(o.Column)
			ord[i] = c.Expr
			if o.Desc {
				ord[i] += " DESC"
			}
		}
		q += " ORDER BY " + strings.Join(ord, ", ")
	}
	return q
}

// columns are the detail columns' views.
func (p *plan) columns() []Column {
	out := make([]Column, len(p.def.Columns))
	for i, id := range p.def.Columns {
		out[i], _ = p.src.Col(id)
	}
	return out
}

// Rows streams the detail rows; each value is converted for its column (datetime →
// time.Time UTC, numbers → int64/float64, text → string, NULL → nil). The slice passed to
// fn is reused.
func (s *Service) rows(ctx context.Context, p *plan, limit, offset int, fn func([]any) error) error {
	q := p.detailSQL()
	args := p.args
	if limit > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(append([]any{}, args...), limit, offset)
	}
	rs, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return queryError(ctx, err)
	}
	defer rs.Close()
	cols := p.columns()
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	out := make([]any, len(cols))
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range cols {
			out[i] = convert(c.Type, raw[i])
		}
		if err := fn(out); err != nil {
			return err
		}
	}
	if err := rs.Err(); err != nil {
		return queryError(ctx, err)
	}
	return nil
}

func queryError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return apperr.New(apperr.Internal, "reports.errors.query", "the report query failed: "+err.Error(), nil)
}

// convert maps a stored value to its Go type for the column type.
func convert(typ string, v any) any {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if v == nil {
		return nil
	}
	switch typ {
	case DateTime:
		switch x := v.(type) {
		case int64:
			return time.UnixMilli(x).UTC()
		case float64:
			return time.UnixMilli(int64(x)).UTC()
		}
	case Date:
		if s, ok := v.(string); ok {
			if t, err := time.Parse("2006-01-02", s); err == nil {
				return t
			}
		}
	case Int, Bool:
		switch x := v.(type) {
		case float64:
			return int64(x)
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n
			}
		}
	case Float:
		switch x := v.(type) {
		case int64:
			return float64(x)
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f
			}
		}
	case Text:
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10)
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
	}
	return v
}

// count returns the number of detail rows.
func (s *Service) count(ctx context.Context, p *plan) (int64, error) {
	var n int64
	err := s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM "+p.from+" WHERE "+p.where, p.args...).Scan(&n)
	if err != nil {
		return 0, queryError(ctx, err)
	}
	return n, nil
}
