package segments

import (
	"strconv"
	"strings"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fold"
	"magpie/backend/ids"
)

// Mode picks the SQL shape: Scan (whole table: related rows as IN-subqueries, read once)
// or One (a handful of contacts: correlated EXISTS through the contact indexes).
type Mode int

// The modes.
const (
	Scan Mode = iota
	One
)

// BroadURLShare is the share of matching URLs above which a visited-URL filter is
// evaluated contact by contact in Scan mode.
var BroadURLShare = 0.2

// Ref is a segment another segment's leadlist filter refers to.
type Ref struct {
	ID        string
	Name      string
	Tree      *Node // nil = static
	Published bool
}

// Compiler turns a filter tree into a parameterised SQL condition on contacts aliased c.
// Field names never reach the SQL text unless they come from the catalogue.
type Compiler struct {
	Defs    map[string]Def
	Now     time.Time
	Loc     *time.Location // the user's time zone (date-typed filters)
	Mode    Mode
	Segment func(idOrAlias string) (Ref, error)

	// URLShare (optional) tells which share of the distinct URLs a URL condition matches;
	// broad conditions are compiled per contact instead of as one big IN list.
	URLShare func(cond string, args []any) float64

	stack []string // segments being expanded (cycle detection)
	args  []any
}

// Compile returns the condition and its arguments. A nil tree matches nothing (static).
func (c *Compiler) Compile(n *Node) (string, []any, error) {
	c.args = nil
	if n == nil {
		return "0", nil, nil
	}
	s, err := c.node(n)
	if err != nil {
		return "", nil, err
	}
	return s, c.args, nil
}

func (c *Compiler) arg(v any) string {
	c.args = append(c.args, v)
	return "?"
}

func (c *Compiler) node(n *Node) (string, error) {
	if n.Filter != nil {
		return c.leaf(n)
	}
	switch n.Op {
	case "not":
		s, err := c.node(&n.Children[0])
		if err != nil {
			return "", err
		}
		return "NOT coalesce(" + s + ", 0)", nil
	case "and", "or":
		if len(n.Children) == 0 {
			if n.Op == "and" {
				return "1", nil
			}
			return "0", nil
		}
		parts := make([]string, 0, len(n.Children))
		for i := range n.Children {
			s, err := c.node(&n.Children[i])
			if err != nil {
				return "", err
			}
			parts = append(parts, "("+s+")")
		}
		return strings.Join(parts, " "+strings.ToUpper(n.Op)+" "), nil
	}
	return "", invalid(n.Path, "", "group %s: unknown op %q", orTop(n.Path), n.Op)
}

// Validate checks every leaf (field, operator, value) without building SQL for the caller.
func (c *Compiler) Validate(n *Node) error {
	_, _, err := c.Compile(n)
	return err
}

func (c *Compiler) def(n *Node) (Def, string, error) {
	f := n.Filter
	d, ok := c.Defs[f.Field]
	if !ok {
		return d, "", leafError(n, "unknown field %q", f.Field)
	}
	op := f.Operator
	for _, o := range d.Ops {
		if o == op {
			return d, op, nil
		}
	}
	return d, "", leafError(n, "operator %q is not available for %s (use one of %s)", op, f.Field, strings.Join(d.Ops, ", "))
}

func (c *Compiler) leaf(n *Node) (string, error) {
	d, op, err := c.def(n)
	if err != nil {
		return "", err
	}
	switch d.Kind {
	case KColumn:
		return c.scalar(n, d, "c."+db.Quote(d.Column), op)
	case KCompany:
		return c.company(n, d, op)
	case KTags:
		return c.tags(n, op)
	case KSegment:
		return c.leadlist(n, op)
	case KCampaign:
		return c.campaign(n, op)
	case KDNC:
		yes, err := c.yesNo(n, op)
		if err != nil {
			return "", err
		}
		ex := c.exists("dnc x", "x.contact_id", "x.deleted = 0 AND x.channel = "+c.arg(d.Channel)+" AND x.reason = "+c.arg(d.Reason))
		return not(ex, !yes), nil
	case KDevice:
		return c.multiRows(n, op, "contact_devices x", "x.contact_id", "", "x."+d.Column)
	case KUTM:
		return c.rows(n, d, op, "contact_utm x", "x.contact_id", "", "x."+d.Column)
	case KEventCol:
		return c.rows(n, d, op, "events x", "x.contact_id", "x.type = "+c.arg(d.EvType), "x."+d.Column)
	case KURL:
		return c.url(n, d, op)
	case KEventDay:
		return c.eventDate(n, d, op)
	case KCount:
		return c.count(n, d, op)
	case KBoolStat:
		yes, err := c.yesNo(n, op)
		if err != nil {
			return "", err
		}
		return not(c.exists("contact_stats x", "x.contact_id", "x."+d.Column+" > 0"), !yes), nil
	case KEvObject:
		return c.eventObject(n, d, op)
	case KGroupScore:
		return c.groupScore(n, d, op)
	}
	return "", leafError(n, "field %q cannot be filtered", d.Alias)
}

func not(s string, neg bool) string {
	if neg {
		return "NOT (" + s + ")"
	}
	return s
}

// exists is "the contact has a row in from (aliased) satisfying cond".
func (c *Compiler) exists(from, contactCol, cond string) string {
	if cond == "" {
		cond = "1"
	}
	if c.Mode == Scan {
		return "c.id IN (SELECT " + contactCol + " FROM " + from + " WHERE " + cond + ")"
	}
	return "EXISTS (SELECT 1 FROM " + from + " WHERE " + contactCol + " = c.id AND " + cond + ")"
}

func (c *Compiler) yesNo(n *Node, op string) (bool, error) {
	v, err := n.Filter.Value()
	if err != nil {
		return false, leafError(n, "%v", err)
	}
	var yes bool
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "yes", "true", "y", "oui":
		yes = true
	case "0", "no", "false", "n", "non", "":
		yes = false
	default:
		return false, leafError(n, "value %q must be yes or no", v)
	}
	if op == OpNeq {
		yes = !yes
	}
	return yes, nil
}

// ---- tags, segments, multi-valued rows -------------------------------------------------

func tagID(v string) string {
	if ids.Valid(v) {
		return v
	}
	return contacts.TagID(v)
}

func (c *Compiler) tags(n *Node, op string) (string, error) {
	vals, err := n.Filter.Values(true)
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	live := "x.deleted = 0"
	switch op {
	case OpEmpty:
		return "NOT (" + c.exists("contact_tags x", "x.contact_id", live) + ")", nil
	case OpNotEmpty:
		return c.exists("contact_tags x", "x.contact_id", live), nil
	}
	vals = nonEmpty(vals)
	if len(vals) == 0 {
		return "", leafError(n, "choose at least one tag")
	}
	one := func(vs []string) string {
		ph := make([]string, len(vs))
		for i, v := range vs {
			ph[i] = c.arg(tagID(v))
		}
		return c.exists("contact_tags x", "x.contact_id", live+" AND x.tag_id IN ("+strings.Join(ph, ", ")+")")
	}
	return c.multi(op, vals, one), nil
}

// multi combines per-value membership for the multi-valued operators: in/anyOf = any,
// allOf = every, !in/noneOf = none, notAllOf = not every. any(vs) tests "has one of vs".
func (c *Compiler) multi(op string, vals []string, any func([]string) string) string {
	all := func() string {
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = "(" + any([]string{v}) + ")"
		}
		return strings.Join(parts, " AND ")
	}
	switch op {
	case OpAllOf:
		return all()
	case OpNotAllOf:
		return "NOT (" + all() + ")"
	case OpNotIn, OpNoneOf:
		return "NOT (" + any(vals) + ")"
	}
	return any(vals)
}

func nonEmpty(vs []string) []string {
	out := vs[:0:0]
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// multiRows is a multiselect-style filter over related rows (devices): in = any row with
// one of the values.
func (c *Compiler) multiRows(n *Node, op, from, contactCol, base, col string) (string, error) {
	and := func(s string) string {
		if base == "" {
			return s
		}
		return base + " AND " + s
	}
	switch op {
	case OpEmpty:
		return "NOT (" + c.exists(from, contactCol, and(col+" <> ''")) + ")", nil
	case OpNotEmpty:
		return c.exists(from, contactCol, and(col+" <> ''")), nil
	}
	vals, err := n.Filter.Values(true)
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	if vals = nonEmpty(vals); len(vals) == 0 {
		return "", leafError(n, "choose at least one value")
	}
	return c.multi(op, vals, func(vs []string) string {
		ph := make([]string, len(vs))
		for i, v := range vs {
			ph[i] = c.arg(v)
		}
		return c.exists(from, contactCol, and(col+" IN ("+strings.Join(ph, ", ")+")"))
	}), nil
}

// leadlist is segment membership, evaluated live: member of S ⇔ a stored non-removed row,
// or (S is dynamic and published, its filters match now and the contact was not manually
// removed from S).
func (c *Compiler) leadlist(n *Node, op string) (string, error) {
	stored := "x.manually_removed = 0"
	switch op {
	case OpEmpty:
		return "NOT (" + c.exists("segment_members x", "x.contact_id", stored) + ")", nil
	case OpNotEmpty:
		return c.exists("segment_members x", "x.contact_id", stored), nil
	}
	vals, err := n.Filter.Values(true)
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	if vals = nonEmpty(vals); len(vals) == 0 {
		return "", leafError(n, "choose at least one segment")
	}
	if c.Segment == nil {
		return "", leafError(n, "segment filters are not available here")
	}
	var parts []string
	for _, v := range vals {
		ref, err := c.Segment(v)
		if err != nil {
			return "", leafError(n, "segment %q: %v", v, err)
		}
		for _, s := range c.stack {
			if s == ref.ID {
				return "", leafError(n, "segment %q refers back to itself (%s → %s)", ref.Name, strings.Join(c.stack, " → "), ref.ID)
			}
		}
		member := c.exists("segment_members x", "x.contact_id", "x.segment_id = "+c.arg(ref.ID)+" AND "+stored)
		if ref.Tree != nil && ref.Published {
			c.stack = append(c.stack, ref.ID)
			live, err := c.node(ref.Tree)
			c.stack = c.stack[:len(c.stack)-1]
			if err != nil {
				return "", err
			}
			removed := c.exists("segment_members x", "x.contact_id", "x.segment_id = "+c.arg(ref.ID)+" AND x.manually_removed = 1")
			member = "(" + member + ") OR ((" + live + ") AND NOT (" + removed + "))"
		}
		parts = append(parts, "("+member+")")
	}
	any := strings.Join(parts, " OR ")
	return not(any, op == OpNotIn), nil
}

// campaign is campaign membership as Mautic's "campaign" filter: a campaign_members row the
// contact was not manually removed from (a contact who left by a restart rule or a source
// segment is no longer a member).
func (c *Compiler) campaign(n *Node, op string) (string, error) {
	member := "x.manually_removed = 0"
	switch op {
	case OpEmpty:
		return "NOT (" + c.exists("campaign_members x", "x.contact_id", member) + ")", nil
	case OpNotEmpty:
		return c.exists("campaign_members x", "x.contact_id", member), nil
	}
	vals, err := n.Filter.Values(true)
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	if vals = nonEmpty(vals); len(vals) == 0 {
		return "", leafError(n, "choose at least one campaign")
	}
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = c.arg(v)
	}
	in := c.exists("campaign_members x", "x.contact_id",
		member+" AND x.campaign_key IN (SELECT k FROM campaign_keys WHERE campaign_id IN ("+strings.Join(ph, ", ")+"))")
	return not(in, op == OpNotIn), nil
}

// PushSegment marks id as being compiled, so references back to it are cycles.
func (c *Compiler) PushSegment(id string) { c.stack = append(c.stack, id) }

// ---- related rows ----------------------------------------------------------------------

// negatives are the operators whose related-row form is "no row matching the positive".
var negatives = map[string]string{OpNeq: OpEq, OpNotLike: OpLike, OpNotIn: OpIn}

// rows is a scalar filter over any related row (UTM tags, hit columns): positive operators
// match when any row satisfies them; !=, !like, !in when no row satisfies the positive;
// empty when no row has a value.
func (c *Compiler) rows(n *Node, d Def, op, from, contactCol, base, col string) (string, error) {
	and := func(s string) string {
		if base == "" {
			return s
		}
		return base + " AND " + s
	}
	switch op {
	case OpEmpty:
		return "NOT (" + c.exists(from, contactCol, and("coalesce("+col+", '') <> ''")) + ")", nil
	case OpNotEmpty:
		return c.exists(from, contactCol, and("coalesce("+col+", '') <> ''")), nil
	}
	if pos, ok := negatives[op]; ok {
		s, err := c.scalar(n, d, col, pos)
		if err != nil {
			return "", err
		}
		return "NOT (" + c.exists(from, contactCol, and(s)) + ")", nil
	}
	s, err := c.scalar(n, d, col, op)
	if err != nil {
		return "", err
	}
	return c.exists(from, contactCol, and(s)), nil
}

// url is "visited URL": hits are read through the distinct-URL table. != and !like also
// exclude contacts with a hit without URL (Mautic's NULL rule); !regexp is any hit whose
// URL does not match.
func (c *Compiler) url(n *Node, d Def, op string) (string, error) {
	d.Storage = "text"
	pos, neg := negatives[op]
	if !neg {
		pos = op
	}
	mark := len(c.args)
	s, err := c.scalar(n, d, "u.url", pos)
	if err != nil {
		return "", err
	}
	cond := "x.url_id IN (SELECT u.id FROM urls u WHERE " + s + ")"
	if c.Mode == One { // a contact has few URLs: test them instead of scanning all URLs
		cond = "EXISTS (SELECT 1 FROM urls u WHERE u.id = x.url_id AND " + s + ")"
	}
	if c.Mode == Scan && !neg && c.URLShare != nil && c.URLShare(s, append([]any(nil), c.args[mark:]...)) > BroadURLShare {
		// Most URLs match: probing each contact's few URLs beats materialising millions of
		// (URL, contact) pairs.
		// The unary + keeps SQLite from probing the index once per matching URL: it walks the
		// contact's few rows and tests each against the (materialised) URL list.
		return "EXISTS (SELECT 1 FROM contact_urls x WHERE x.contact_id = c.id AND +" + cond + ")", nil
	}
	if neg {
		return "NOT (" + c.exists("contact_urls x", "x.contact_id", "(x.url_id = 0 OR "+cond+")") + ")", nil
	}
	return c.exists("contact_urls x", "x.contact_id", cond), nil
}

func (c *Compiler) eventDate(n *Node, d Def, op string) (string, error) {
	types := strings.Split(d.EvType, ",")
	ph := make([]string, len(types))
	for i, t := range types {
		ph[i] = c.arg(t)
	}
	base := "x.type IN (" + strings.Join(ph, ", ") + ")"
	pos, neg := negatives[op]
	if !neg {
		pos = op
	}
	s, err := c.date(n, d, "x.at", pos)
	if err != nil {
		return "", err
	}
	return not(c.exists("events x", "x.contact_id", base+" AND "+s), neg), nil
}

func (c *Compiler) eventObject(n *Node, d Def, op string) (string, error) {
	base := "x.type = " + c.arg(d.EvType)
	switch op {
	case OpEmpty:
		return "NOT (" + c.exists("events x", "x.contact_id", base) + ")", nil
	case OpNotEmpty:
		return c.exists("events x", "x.contact_id", base), nil
	}
	vals, err := n.Filter.Values(true)
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	if vals = nonEmpty(vals); len(vals) == 0 {
		return "", leafError(n, "choose at least one item")
	}
	ids := make([]string, len(vals))
	names := make([]string, len(vals))
	for i, v := range vals {
		ids[i] = c.arg(v)
	}
	for i, v := range vals {
		names[i] = c.arg(v)
	}
	cond := base + " AND (x.object_id IN (" + strings.Join(ids, ", ") + ") OR x.object_name IN (" + strings.Join(names, ", ") + "))"
	return not(c.exists("events x", "x.contact_id", cond), op == OpNotIn), nil
}

// count compares a per-contact counter where a missing row counts as 0.
func (c *Compiler) count(n *Node, d Def, op string) (string, error) {
	v, err := n.Filter.Value()
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	k, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || k < 0 {
		return "", leafError(n, "value %q must be a whole number ≥ 0", v)
	}
	sqlOp := map[string]string{OpEq: "=", OpGt: ">", OpGte: ">=", OpLt: "<", OpLte: "<="}[op]
	cond := "x." + d.Column + " " + sqlOp + " " + c.arg(k)
	if cmpInt(0, sqlOp, k) {
		return "NOT (" + c.exists("contact_stats x", "x.contact_id", "NOT ("+cond+")") + ")", nil
	}
	return c.exists("contact_stats x", "x.contact_id", cond), nil
}

func cmpInt(a int64, op string, b int64) bool {
	switch op {
	case "=":
		return a == b
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "<":
		return a < b
	}
	return a <= b
}

// company matches when any linked company satisfies the condition (Q13); a contact with
// no company is treated as linked to one company whose fields are all empty.
func (c *Compiler) company(n *Node, d Def, op string) (string, error) {
	s, err := c.scalar(n, d, "co."+db.Quote(d.Column), op)
	if err != nil {
		return "", err
	}
	from := "company_contacts x JOIN companies co ON co.id = x.company_id AND co.deleted = 0"
	any := c.exists(from, "x.contact_id", "x.deleted = 0 AND "+s)
	if !matchesNull(d, op) {
		return any, nil
	}
	return "(" + any + ") OR NOT (" + c.exists(from, "x.contact_id", "x.deleted = 0") + ")", nil
}

// matchesNull says whether op accepts an empty (NULL) value.
func matchesNull(d Def, op string) bool {
	switch op {
	case OpNeq, OpNotLike, OpNotIn, OpEmpty, OpNoneOf, OpNotAllOf, OpNotBetween:
		return true
	}
	return false
}

// likeValue builds a LIKE pattern: Mautic's like wraps in % unless the value has one;
// contains/startsWith/endsWith escape % and _ (quirk Q5, fixed).
func likeValue(op, v string) string {
	esc := func(s string) string {
		return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
	}
	switch op {
	case OpStartsWith:
		return esc(v) + "%"
	case OpEndsWith:
		return "%" + esc(v)
	case OpContains:
		return "%" + esc(v) + "%"
	}
	if strings.Contains(v, "%") {
		return v
	}
	return "%" + v + "%"
}

func foldPattern(s string) string { return fold.String(s) }
