package fields

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // timezone validation must not depend on the OS zoneinfo

	"golang.org/x/text/language"

	"magpie/backend/fold"
)

// ValueError says why a value does not fit a field; Key is an i18n key.
type ValueError struct {
	Field string
	Key   string
	Msg   string
}

func (e *ValueError) Error() string { return e.Field + ": " + e.Msg }

// DateOrder resolves ambiguous numeric dates such as 03/04/2024.
type DateOrder int

// Date orders.
const (
	DayFirst   DateOrder = iota // 03/04/2024 = 3 April (Europe; the default)
	MonthFirst                  // 03/04/2024 = 4 March (US)
)

// ParseOptions tune Parse.
type ParseOptions struct {
	DateOrder DateOrder
}

// Parse turns user text into the stored value of f: nil for blank input, a string, a
// float64 or an int64. The error names the field and the problem.
func (f Field) Parse(raw string, opt ParseOptions) (any, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, nil
	}
	bad := func(key, format string, a ...any) error {
		return &ValueError{Field: f.Alias, Key: "fields.errors." + key, Msg: fmt.Sprintf(format, a...)}
	}
	switch f.Type {
	case Text, Lookup, Tel, Region:
		if len([]rune(s)) > 191 {
			return nil, bad("tooLong", "%d characters, at most 191 allowed", len([]rune(s)))
		}
		return s, nil
	case Textarea, HTML:
		if len(s) > 65535 {
			return nil, bad("tooLong", "%d bytes, at most 65535 allowed", len(s))
		}
		return s, nil
	case Email:
		if !ValidEmail(s) {
			return nil, bad("email", "%q is not an email address", s)
		}
		return s, nil
	case URL:
		u, ok := normalizeURL(s)
		if !ok {
			return nil, bad("url", "%q is not a web address", s)
		}
		return u, nil
	case Number:
		n, ok := parseNumber(s)
		if !ok {
			return nil, bad("number", "%q is not a number", s)
		}
		if sc, ok := f.Properties["scale"]; ok {
			if p, ok := toInt(sc); ok && p >= 0 && p < 10 {
				m := math.Pow(10, float64(p))
				n = math.Round(n*m) / m
			}
		}
		return n, nil
	case Boolean:
		b, ok := parseBool(s)
		if !ok {
			return nil, bad("boolean", "%q is not yes/no", s)
		}
		if b {
			return int64(1), nil
		}
		return int64(0), nil
	case Date:
		t, ok := parseDate(s, opt.DateOrder)
		if !ok {
			return nil, bad("date", "%q is not a date (use YYYY-MM-DD)", s)
		}
		return t.Format("2006-01-02"), nil
	case Datetime:
		t, ok := parseDatetime(s, opt.DateOrder)
		if !ok {
			return nil, bad("datetime", "%q is not a date and time (use YYYY-MM-DD HH:MM:SS)", s)
		}
		return t.UTC().Format("2006-01-02 15:04:05"), nil
	case Time:
		for _, l := range []string{"15:04:05", "15:04", "3:04 PM", "3:04PM"} {
			if t, err := time.Parse(l, strings.ToUpper(s)); err == nil {
				return t.Format("15:04:05"), nil
			}
		}
		return nil, bad("time", "%q is not a time (use HH:MM)", s)
	case Select:
		v, ok := f.matchOption(s)
		if !ok {
			return nil, bad("option", "%q is not one of the choices", s)
		}
		return v, nil
	case Multiselect:
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ',' })
		out := make([]string, 0, len(parts))
		seen := map[string]bool{}
		for _, p := range parts {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			v, ok := f.matchOption(p)
			if !ok {
				return nil, bad("option", "%q is not one of the choices", p)
			}
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return strings.Join(out, "|"), nil
	case Country:
		c, ok := CountryByName(s)
		if !ok {
			return nil, bad("country", "%q is not a country", s)
		}
		return c.Name, nil
	case Timezone:
		if strings.EqualFold(s, "utc") {
			return "UTC", nil
		}
		if !validZone(s) {
			return nil, bad("timezone", "%q is not a time zone (e.g. Europe/Paris)", s)
		}
		return s, nil
	case Locale:
		l, ok := parseLocale(s)
		if !ok {
			return nil, bad("locale", "%q is not a locale (e.g. fr_FR)", s)
		}
		return l, nil
	}
	return nil, bad("type", "unknown field type %q", f.Type)
}

func (f Field) matchOption(s string) (string, bool) {
	if f.Type == Select && len(f.Options) == 0 {
		return s, true
	}
	k := fold.String(s)
	for _, o := range f.Options {
		// (An exact match folds alike too: it saves folding the option, the usual case.)
		if o.Value == s || o.Label == s || fold.String(o.Value) == k || fold.String(o.Label) == k {
			return o.Value, true
		}
	}
	return "", false
}

// ValidEmail reports whether s is a plain address (no display name) with a dotted domain.
func ValidEmail(s string) bool {
	if len(s) > 191 || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	if !dotAtomAddress(s) {
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s {
			return false
		}
	}
	at := strings.LastIndexByte(s, '@')
	dom := s[at+1:]
	return at > 0 && strings.Contains(dom, ".") && !strings.HasSuffix(dom, ".") && !strings.HasPrefix(dom, ".")
}

// dotAtomAddress reports whether s is local@domain where both sides are dot-atoms of the
// plainest kind — ASCII letters, digits and '-' (plus '_', '%' and '+' before the '@'), dots
// neither first, last nor doubled — which mail.ParseAddress accepts and returns unchanged:
// almost every address of an import skips the parser (a quarter of the CSV parse's CPU).
func dotAtomAddress(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && dotAtom(s[:at], true) && dotAtom(s[at+1:], false)
}

func dotAtom(s string, local bool) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		case local && (c == '_' || c == '%' || c == '+'):
		default:
			return false
		}
	}
	return true
}

func normalizeURL(s string) (string, bool) {
	if strings.ContainsAny(s, " \t\r\n") {
		return "", false
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.Contains(u.Host, ".") {
		return "", false
	}
	return s, true
}

// numberSpaces are the thousands separators parseNumber drops.
var numberSpaces = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "")

func parseNumber(s string) (float64, bool) {
	s = numberSpaces.Replace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1) // French decimal comma
	} else if strings.Contains(s, ",") && strings.Contains(s, ".") {
		s = strings.ReplaceAll(s, ",", "") // 1,234.5
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}

func parseBool(s string) (bool, bool) {
	switch fold.String(s) {
	case "1", "true", "yes", "y", "on", "oui", "o", "vrai", "x":
		return true, true
	case "0", "false", "no", "n", "off", "non", "faux":
		return false, true
	}
	return false, false
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	}
	return 0, false
}

func parseDate(s string, order DateOrder) (time.Time, bool) {
	if t, ok := parseDatetime(s, order); ok {
		return t, true
	}
	return time.Time{}, false
}

var isoLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"2006-01-02T15:04", "2006-01-02",
}

func parseDatetime(s string, order DateOrder) (time.Time, bool) {
	if t, ok := plainISO(s); ok {
		return t, true
	}
	for _, l := range isoLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	// Numeric day/month/year with / . or - separators, optional time.
	datePart, timePart, _ := strings.Cut(s, " ")
	sep := "/"
	switch {
	case strings.Count(datePart, ".") == 2:
		sep = "."
	case strings.Count(datePart, "-") == 2:
		sep = "-"
	}
	p := strings.Split(datePart, sep)
	if len(p) != 3 {
		return time.Time{}, false
	}
	a, err1 := strconv.Atoi(p[0])
	b, err2 := strconv.Atoi(p[1])
	y, err3 := strconv.Atoi(p[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return time.Time{}, false
	}
	if y < 100 {
		y += 2000
		if y > time.Now().Year()+10 {
			y -= 100
		}
	}
	day, month := a, b
	if order == MonthFirst {
		day, month = b, a
	}
	if month > 12 && day <= 12 {
		day, month = month, day
	}
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31/02
	}
	if timePart != "" {
		var tt time.Time
		var err error
		for _, l := range []string{"15:04:05", "15:04"} {
			if tt, err = time.Parse(l, timePart); err == nil {
				break
			}
		}
		if err != nil {
			return time.Time{}, false
		}
		t = t.Add(time.Duration(tt.Hour())*time.Hour + time.Duration(tt.Minute())*time.Minute + time.Duration(tt.Second())*time.Second)
	}
	return t, true
}

// plainISO reads the two shapes most dates arrive in, YYYY-MM-DD and YYYY-MM-DD HH:MM:SS
// (or with a T), without trying time.Parse's layouts one by one (each miss builds an
// error). It answers only for a valid date and time of exactly those shapes — what the
// layouts "2006-01-02", "2006-01-02 15:04:05" and "2006-01-02T15:04:05" give, the earlier
// layouts needing a zone or fractional seconds — and leaves anything else to them.
func plainISO(s string) (time.Time, bool) {
	if (len(s) != 10 && len(s) != 19) || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	var h, mi, sec int
	if len(s) == 19 {
		var ok4, ok5, ok6 bool
		if (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
			return time.Time{}, false
		}
		h, ok4 = digits(s[11:13])
		mi, ok5 = digits(s[14:16])
		sec, ok6 = digits(s[17:19])
		if !ok4 || !ok5 || !ok6 || h > 23 || mi > 59 || sec > 59 {
			return time.Time{}, false
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 2024-02-30: left to the layouts, which refuse it too
	}
	return t, true
}

// digits reads s as a decimal number made only of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func foldLabel(s string) string { return fold.String(s) }

// localeOf caches parseLocale's answers for valid input (language.Parse was a fifth of a
// CSV import's parse): at most maxLocales names, so bad or endless input cannot grow it.
var (
	localeOf   sync.Map // input -> stored locale
	localeSeen atomic.Int64
)

const maxLocales = 4096

// parseLocale turns fr-FR, fr_FR or fr into the stored fr_FR / fr.
func parseLocale(s string) (string, bool) {
	if l, ok := localeOf.Load(s); ok {
		return l.(string), true
	}
	tag, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return "", false
	}
	base, _ := tag.Base()
	l := base.String()
	if r, conf := tag.Region(); conf == language.Exact {
		l += "_" + r.String()
	}
	if localeSeen.Add(1) <= maxLocales {
		localeOf.Store(s, l)
	}
	return l, true
}

// zoneOK caches time zone names already checked: time.LoadLocation reads the zone file
// from disk on every call (11 % of a CSV import's CPU with a timezone column).
// Only valid names are kept (a bounded set), so bad input cannot grow the cache.
var zoneOK sync.Map // name -> struct{}

func validZone(s string) bool {
	if _, ok := zoneOK.Load(s); ok {
		return true
	}
	if _, err := time.LoadLocation(s); err != nil || !strings.Contains(s, "/") {
		return false
	}
	zoneOK.Store(s, struct{}{})
	return true
}
