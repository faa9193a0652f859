package segments

import (
	"strconv"
	"strings"

	"magpie/backend/db"
	"magpie/backend/fold"
)

// scalar compiles op on one column expression with Mautic's NULL/empty rules (§3.4).
func (c *Compiler) scalar(n *Node, d Def, col, op string) (string, error) {
	if d.DateKind != "" {
		return c.date(n, d, col, op)
	}
	switch d.FType {
	case "multiselect":
		return c.multiColumn(n, col, op)
	case "boolean":
		return c.boolean(n, col, op)
	}
	if d.Storage == "real" || d.Storage == "int" {
		return c.number(n, col, op)
	}
	return c.text(n, col, op)
}

// eqText is Mautic's collation equality: case- and accent-insensitive. Only non-ASCII rows
// pay for fold().
func (c *Compiler) eqText(col, v string) string {
	fv := fold.String(v)
	if fold.IsASCII(fv) {
		return "(" + col + " = " + c.arg(fv) + " OR (" + slowPath(col) + " AND fold(" + col + ") = " + c.arg(fv) + "))"
	}
	return "fold(" + col + ") = " + c.arg(fv)
}

func (c *Compiler) inText(col string, vs []string) string {
	ph := make([]string, len(vs))
	ph2 := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = c.arg(fold.String(v))
	}
	for i, v := range vs {
		ph2[i] = c.arg(fold.String(v))
	}
	return "(" + col + " IN (" + strings.Join(ph, ", ") + ") OR (" + slowPath(col) + " AND fold(" + col + ") IN (" + strings.Join(ph2, ", ") + ")))"
}

// slowPath selects the values NOCASE cannot compare like Mautic's collation: non-ASCII
// text (accents) and trailing blanks ("Paris " = "paris", Q1).
func slowPath(col string) string {
	return "(" + col + " GLOB '*[^ -~]*' OR " + col + " GLOB '* ')"
}

func (c *Compiler) likeText(col, pattern string) string {
	fp := fold.String(pattern)
	if strings.HasSuffix(pattern, " ") {
		fp = strings.ToLower(pattern) // keep significant trailing blanks of a pattern
	}
	return "(" + col + " LIKE " + c.arg(fp) + ` ESCAPE '\' OR (` + col + " GLOB '*[^ -~]*' AND fold(" + col + ") LIKE " + c.arg(fp) + ` ESCAPE '\'))`
}

func (c *Compiler) regexpValue(n *Node) (string, error) {
	v, err := n.Filter.Value()
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	v = strings.ReplaceAll(v, `\\`, `\`)
	if _, err := db.CompileRegexp(v); err != nil {
		return "", leafError(n, "bad regular expression %q: %v", v, err)
	}
	return v, nil
}

func (c *Compiler) text(n *Node, col, op string) (string, error) {
	switch op {
	case OpEmpty:
		return "(" + col + " IS NULL OR " + col + " = '')", nil
	case OpNotEmpty:
		return "(" + col + " IS NOT NULL AND " + col + " <> '')", nil
	case OpRegexp, OpNotRegexp:
		v, err := c.regexpValue(n)
		if err != nil {
			return "", err
		}
		if op == OpRegexp {
			return col + " REGEXP " + c.arg(v), nil
		}
		return "(" + col + " IS NOT NULL AND NOT (" + col + " REGEXP " + c.arg(v) + "))", nil // Q4
	case OpIn, OpNotIn:
		vs, err := n.Filter.Values(true)
		if err != nil {
			return "", leafError(n, "%v", err)
		}
		if len(vs) == 0 {
			return "", leafError(n, "give at least one value (a|b|c)")
		}
		if op == OpIn {
			return c.inText(col, vs), nil
		}
		return "(" + col + " IS NULL OR NOT " + c.inText(col, vs) + ")", nil
	}
	v, err := n.Filter.Value()
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	switch op {
	case OpEq:
		return c.eqText(col, v), nil
	case OpNeq:
		return "(" + col + " IS NULL OR NOT " + c.eqText(col, v) + ")", nil
	case OpGt, OpGte, OpLt, OpLte:
		return col + " " + sqlCmp[op] + " " + c.arg(v), nil
	case OpLike, OpContains, OpStartsWith, OpEndsWith:
		return c.likeText(col, likeValue(op, v)), nil
	case OpNotLike:
		return "(" + col + " IS NULL OR NOT " + c.likeText(col, likeValue(OpLike, v)) + ")", nil
	}
	return "", leafError(n, "operator %q is not supported here", op)
}

var sqlCmp = map[string]string{OpGt: ">", OpGte: ">=", OpLt: "<", OpLte: "<=", OpEq: "=", OpNeq: "<>"}

func (c *Compiler) number(n *Node, col, op string) (string, error) {
	switch op {
	case OpEmpty: // Q2: MySQL's c = '' is true for 0
		return "(" + col + " IS NULL OR " + col + " = 0)", nil
	case OpNotEmpty:
		return "(" + col + " IS NOT NULL AND " + col + " <> 0)", nil
	case OpLike, OpNotLike, OpContains, OpStartsWith, OpEndsWith, OpRegexp, OpNotRegexp:
		return c.text(n, "(CASE WHEN "+col+" = CAST("+col+" AS INTEGER) THEN CAST(CAST("+col+" AS INTEGER) AS TEXT) ELSE CAST("+col+" AS TEXT) END)", op)
	}
	v, err := n.Filter.Value()
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return "", leafError(n, "value %q is not a number", v)
	}
	switch op {
	case OpEq:
		return col + " = " + c.arg(f), nil
	case OpNeq:
		return "(" + col + " IS NULL OR " + col + " <> " + c.arg(f) + ")", nil
	case OpGt, OpGte, OpLt, OpLte:
		return col + " " + sqlCmp[op] + " " + c.arg(f), nil
	}
	return "", leafError(n, "operator %q is not supported for numbers", op)
}

func (c *Compiler) boolean(n *Node, col, op string) (string, error) {
	yes, err := c.yesNo(n, OpEq)
	if err != nil {
		return "", err
	}
	b := 0
	if yes {
		b = 1
	}
	if op == OpNeq {
		return "(" + col + " IS NULL OR " + col + " <> " + c.arg(b) + ")", nil
	}
	return col + " = " + c.arg(b), nil
}

// multiColumn is a multiselect field stored "a|b|c": Mautic's in = all of the values,
// !in = none of them (or empty); anyOf/allOf/noneOf/notAllOf are explicit (Q3).
func (c *Compiler) multiColumn(n *Node, col, op string) (string, error) {
	switch op {
	case OpEmpty:
		return "(" + col + " IS NULL OR " + col + " = '')", nil
	case OpNotEmpty:
		return "(" + col + " IS NOT NULL AND " + col + " <> '')", nil
	}
	vs, err := n.Filter.Values(true)
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	if vs = nonEmpty(vs); len(vs) == 0 {
		return "", leafError(n, "choose at least one value")
	}
	has := func(v string) string {
		return "('|' || " + col + " || '|') LIKE " + c.arg("%|"+likeEscape(v)+"|%") + ` ESCAPE '\'`
	}
	anyOf := func(vs []string) string {
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = has(v)
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	switch op {
	case OpIn:
		op = OpAllOf // Mautic 5: "including" means all of them
	case OpNotIn, OpNoneOf:
		return "(" + col + " IS NULL OR NOT " + anyOf(vs) + ")", nil
	case OpNotAllOf:
		s := c.multi(OpAllOf, vs, anyOf)
		return "(" + col + " IS NULL OR NOT (" + s + "))", nil
	}
	return c.multi(op, vs, anyOf), nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
