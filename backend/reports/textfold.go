package reports

import (
	"strings"

	"magpie/backend/fold"
)

// Text filters compare like segments (Mautic's utf8mb4_unicode_ci): case- and
// accent-insensitive, trailing blanks ignored. ASCII values compare with NOCASE; only
// rows holding non-ASCII text (or a trailing blank) pay for the Go fold() function.

func slowPath(e string) string {
	return "(" + e + " GLOB '*[^ -~]*' OR " + e + " GLOB '* ')"
}

// foldEq is e equal to v under folding.
func foldEq(e, v string) (string, []any) {
	fv := fold.String(v)
	if fold.IsASCII(fv) {
		return "(" + e + " = ? COLLATE NOCASE OR (" + slowPath(e) + " AND fold(" + e + ") = ?))", []any{fv, fv}
	}
	return "fold(" + e + ") = ?", []any{fv}
}

// foldIn is e equal to one of vs under folding.
func foldIn(e string, vs []string) (string, []any) {
	ph := "(?" + strings.Repeat(", ?", len(vs)-1) + ")"
	args := make([]any, 0, 2*len(vs))
	for _, v := range vs {
		args = append(args, fold.String(v))
	}
	args = append(args, args...)
	return "(" + e + " COLLATE NOCASE IN " + ph + " OR (" + slowPath(e) + " AND fold(" + e + ") IN " + ph + "))", args
}

// foldLike is e LIKE pattern under folding (escape: whether the pattern escapes with \).
func foldLike(e, pattern string, escape bool) (string, []any) {
	fp := fold.String(pattern)
	if strings.HasSuffix(pattern, " ") {
		fp = strings.ToLower(pattern) // a pattern's trailing blanks are significant
	}
	esc := ""
	if escape {
		esc = ` ESCAPE '\'`
	}
	return "(" + e + " LIKE ?" + esc + " OR (" + e + " GLOB '*[^ -~]*' AND fold(" + e + ") LIKE ?" + esc + "))", []any{fp, fp}
}

// textCond compiles the text operators of a Text column; ok is false for other operators.
func textCond(e string, f Filter) (cond string, args []any, ok bool) {
	switch f.Op {
	case "eq", "neq":
		c, a := foldEq(e, strings.TrimSpace(f.Value))
		if f.Op == "neq" {
			c = "(" + e + " IS NULL OR NOT " + c + ")"
		}
		return c, a, true
	case "in", "notIn":
		var vs []string
		for _, p := range strings.Split(f.Value, ",") {
			if p = strings.TrimSpace(p); p != "" {
				vs = append(vs, p)
			}
		}
		if len(vs) == 0 {
			return "", nil, false
		}
		c, a := foldIn(e, vs)
		if f.Op == "notIn" {
			c = "(" + e + " IS NULL OR NOT " + c + ")"
		}
		return c, a, true
	case "like", "notLike":
		v := f.Value
		if !strings.Contains(v, "%") {
			v = "%" + v + "%"
		}
		c, a := foldLike(e, v, false)
		if f.Op == "notLike" {
			c = "(" + e + " IS NULL OR NOT " + c + ")"
		}
		return c, a, true
	case "contains":
		c, a := foldLike(e, "%"+likeEscaper.Replace(f.Value)+"%", true)
		return c, a, true
	case "startsWith":
		c, a := foldLike(e, likeEscaper.Replace(f.Value)+"%", true)
		return c, a, true
	case "endsWith":
		c, a := foldLike(e, "%"+likeEscaper.Replace(f.Value), true)
		return c, a, true
	}
	return "", nil, false
}
