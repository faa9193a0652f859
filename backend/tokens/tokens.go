package tokens

import (
	"html"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Mode says what the rendered text is.
type Mode int

// Output modes.
const (
	HTML Mode = iota // values are HTML-escaped
	Text             // values are inserted as they are
)

// Token is one token found in a template.
type Token struct {
	Raw     string // as written, e.g. "{contactfield=firstname|friend}" or "%7Bunsubscribe_url%7D"
	Name    string // contactfield, ownerfield, unsubscribe_url …
	Arg     string // firstname
	Default string // friend (after the |)
	HasPipe bool
	Offset  int
	Encoded bool // written with %7B…%7D
}

// Data is what a template is rendered with.
type Data struct {
	Contact map[string]string // field alias → display text
	Company map[string]string // the primary company's fields (companyname, companycity, …)
	Owner   map[string]string // the owner's fields (firstname, lastname, email, …)
	// Specials are the other tokens by name (unsubscribe_url, webview_url, subject,
	// signature, tracking_pixel…). Values of names listed in Markup are inserted unescaped.
	Specials map[string]string
	Markup   map[string]bool
	// Date formats for |date, |time, |datetime and {today} (Go layouts); Location is the
	// time zone dates are shown in.
	DateFormat     string
	TimeFormat     string
	DateTimeFormat string
	Location       *time.Location
	Now            time.Time
}

// Issue is a problem found in a template.
type Issue struct {
	Token  string `json:"token"`
	Offset int    `json:"offset"`
	Reason string `json:"reason"` // unknown_token | unknown_field | empty_field_name | unclosed
}

// fieldTokens are the token names whose argument is a field alias.
var fieldTokens = map[string]bool{"contactfield": true, "leadfield": true, "ownerfield": true}

// Scan finds every token in s, in order. A token is {name} or {name=arg[|default]} where
// name is [a-z_]+; anything else between braces (CSS, JSON, MJML attributes) is not a token.
func Scan(s string) []Token {
	var out []Token
	for i := 0; i < len(s); {
		open, closeLen, encoded := -1, 0, false
		switch {
		case s[i] == '{':
			open, closeLen = i+1, 1
		case hasFoldPrefix(s[i:], "%7b"):
			open, closeLen, encoded = i+3, 3, true
		}
		if open < 0 {
			i++
			continue
		}
		end := -1
		if encoded {
			if j := indexFold(s[open:], "%7d"); j >= 0 {
				end = open + j
			}
		} else if j := strings.IndexByte(s[open:], '}'); j >= 0 {
			end = open + j
		}
		if end < 0 {
			i++
			continue
		}
		body := s[open:end]
		if encoded {
			if dec, err := url.PathUnescape(body); err == nil {
				body = dec
			}
		}
		if t, ok := parse(body); ok {
			t.Raw = s[i : end+closeLen]
			t.Offset = i
			t.Encoded = encoded
			out = append(out, t)
			i = end + closeLen
			continue
		}
		i++
	}
	return out
}

func parse(body string) (Token, bool) {
	name, rest, hasArg := strings.Cut(body, "=")
	if name == "" || len(name) > 64 {
		return Token{}, false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r == '_' || r >= '0' && r <= '9') {
			return Token{}, false
		}
	}
	t := Token{Name: name}
	if hasArg {
		if strings.ContainsAny(rest, "{}\n<>") {
			return Token{}, false
		}
		arg, def, pipe := strings.Cut(rest, "|")
		t.Arg, t.Default, t.HasPipe = strings.TrimSpace(arg), def, pipe
		t.Arg = strings.Trim(t.Arg, `"'`)
	}
	return t, true
}

func hasFoldPrefix(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// Render replaces every known token; unknown ones stay as written and are returned as
// issues.
func Render(s string, d Data, mode Mode) (string, []Issue) {
	toks := Scan(s)
	if len(toks) == 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	var issues []Issue
	last := 0
	for _, t := range toks {
		b.WriteString(s[last:t.Offset])
		last = t.Offset + len(t.Raw)
		v, markup, ok := d.value(t)
		if !ok {
			b.WriteString(t.Raw)
			issues = append(issues, Issue{Token: t.Raw, Offset: t.Offset, Reason: "unknown_token"})
			continue
		}
		switch {
		case markup:
		case t.Encoded || (t.HasPipe && t.Default == "true"):
			// Inside an href the value must stay a URL component.
			if !(t.HasPipe && t.Default == "true") {
				v = url.QueryEscape(v)
			}
			if mode == HTML {
				v = html.EscapeString(v)
			}
		case mode == HTML:
			v = html.EscapeString(v)
		}
		b.WriteString(v)
	}
	b.WriteString(s[last:])
	return b.String(), issues
}

// value resolves a token; markup reports a value that must not be escaped.
func (d Data) value(t Token) (v string, markup, ok bool) {
	switch t.Name {
	case "contactfield", "leadfield":
		if t.Arg == "" {
			return "", false, false
		}
		v, found := d.Contact[t.Arg]
		if !found || v == "" {
			if cv, ok := d.Company[t.Arg]; ok && cv != "" {
				v, found = cv, true
			}
		}
		return d.withDefault(t, v), false, true
	case "ownerfield":
		if t.Arg == "" {
			return "", false, false
		}
		return d.withDefault(t, d.Owner[t.Arg]), false, true
	case "today":
		now := d.Now
		if now.IsZero() {
			now = time.Now()
		}
		layout := d.DateFormat
		switch t.Arg {
		case "datetime":
			layout = d.DateTimeFormat
		case "time":
			layout = d.TimeFormat
		}
		return d.in(now).Format(orDefault(layout, "2006-01-02")), false, true
	}
	if v, found := d.Specials[t.Name]; found && t.Arg == "" {
		return v, d.Markup[t.Name], true
	}
	return "", false, false
}

func (d Data) withDefault(t Token, v string) string {
	if !t.HasPipe {
		return v
	}
	switch t.Default {
	case "true":
		return url.QueryEscape(v)
	case "date", "time", "datetime":
		tm, ok := parseTime(v)
		if !ok {
			return v
		}
		layout := map[string]string{"date": orDefault(d.DateFormat, "2006-01-02"),
			"time": orDefault(d.TimeFormat, "15:04"), "datetime": orDefault(d.DateTimeFormat, "2006-01-02 15:04")}[t.Default]
		if len(v) == len("2006-01-02") {
			return tm.Format(layout) // a calendar date has no zone to convert
		}
		return d.in(tm).Format(layout)
	}
	if v == "" {
		return t.Default
	}
	return v
}

func (d Data) in(t time.Time) time.Time {
	if d.Location != nil {
		return t.In(d.Location)
	}
	return t
}

func parseTime(v string) (time.Time, bool) {
	for _, l := range []string{"2006-01-02 15:04:05", time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Known is what a template may reference: field aliases and special token names.
type Known struct {
	ContactFields map[string]bool
	CompanyFields map[string]bool
	OwnerFields   map[string]bool
	Specials      map[string]bool
}

// Lint reports unknown tokens and unknown fields, in order of appearance.
func Lint(s string, k Known) []Issue {
	var out []Issue
	for _, t := range Scan(s) {
		switch t.Name {
		case "contactfield", "leadfield":
			if t.Arg == "" {
				out = append(out, Issue{Token: t.Raw, Offset: t.Offset, Reason: "empty_field_name"})
			} else if !k.ContactFields[t.Arg] && !k.CompanyFields[t.Arg] {
				out = append(out, Issue{Token: t.Raw, Offset: t.Offset, Reason: "unknown_field"})
			}
		case "ownerfield":
			if !k.OwnerFields[t.Arg] {
				out = append(out, Issue{Token: t.Raw, Offset: t.Offset, Reason: "unknown_field"})
			}
		case "today":
		default:
			if !k.Specials[t.Name] {
				out = append(out, Issue{Token: t.Raw, Offset: t.Offset, Reason: "unknown_token"})
			}
		}
	}
	return out
}

// Names lists the distinct token names used in s (for "does this email have an
// unsubscribe link" checks), sorted.
func Names(s string) []string {
	seen := map[string]bool{}
	for _, t := range Scan(s) {
		seen[t.Name] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
