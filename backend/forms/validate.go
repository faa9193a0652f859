package forms

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"magpie/backend/fields"
)

// Issue is one field's validation failure (Key for translation, Msg in English).
type Issue struct {
	Key string `json:"key"`
	Msg string `json:"msg"`
}

// Submission is a cleaned, validated post: values by field alias (checkbox groups joined with
// "|", Mautic's multiselect separator), only for visible, stored fields.
type Submission struct {
	Values map[string]string
	Issues map[string]Issue
}

// Visible says whether field fd is shown given the known contact's values (progressive
// profiling) and the other submitted values (conditional display).
func Visible(fd Field, known map[string]string, vals map[string][]string) bool {
	if fd.HideIfKnown && fd.Contact() != "" && strings.TrimSpace(known[fd.Contact()]) != "" {
		return false
	}
	if c := fd.ShowIf; c != nil {
		got := vals[c.Field]
		if len(c.Values) == 0 {
			return len(got) > 0 && strings.TrimSpace(strings.Join(got, "")) != ""
		}
		for _, g := range got {
			for _, w := range c.Values {
				if strings.EqualFold(strings.TrimSpace(g), w) {
					return true
				}
			}
		}
		return false
	}
	return true
}

var (
	patMu    sync.Mutex
	patCache = map[string]*regexp.Regexp{}
	telRe    = regexp.MustCompile(`^\+?[0-9 ().\-]{3,30}$`)
)

func pattern(p string) *regexp.Regexp {
	patMu.Lock()
	defer patMu.Unlock()
	if re, ok := patCache[p]; ok {
		return re
	}
	re, err := regexp.Compile("^(?:" + p + ")$")
	if err != nil {
		re = nil
	}
	patCache[p] = re
	return re
}

// Validate checks posted values (by alias) against the form: required fields, types, options,
// patterns, lengths and the honeypot. known holds the visitor's contact values (for
// progressive profiling: a field hidden because it is known is not required).
func (f *Form) Validate(vals map[string][]string, known map[string]string) Submission {
	sub := Submission{Values: map[string]string{}, Issues: map[string]Issue{}}
	bad := func(alias, key, format string, a ...any) {
		sub.Issues[alias] = Issue{Key: "forms.validation." + key, Msg: fmt.Sprintf(format, a...)}
	}
	for _, fd := range f.Fields {
		raw := vals[fd.Alias]
		if fd.Type == Honeypot {
			if strings.TrimSpace(strings.Join(raw, "")) != "" {
				bad(fd.Alias, "spam", "this submission looks automated")
			}
			continue
		}
		if !stored(fd.Type) || !Visible(fd, known, vals) {
			continue
		}
		var clean []string
		for _, v := range raw {
			if v = strings.TrimSpace(v); v != "" {
				clean = append(clean, v)
			}
		}
		label := fd.Label
		if label == "" {
			label = fd.Alias
		}
		if len(clean) == 0 {
			if fd.Required && !(fd.HideIfKnown && raw == nil) {
				bad(fd.Alias, "required", "%s is required", label)
			}
			continue
		}
		if fd.Type != Checkbox && len(clean) > 1 {
			clean = clean[:1]
		}
		v := clean[0]
		limit := fd.MaxLength
		if limit <= 0 {
			limit = 191
			if fd.Type == Textarea {
				limit = 4000
			}
		}
		if n := len([]rune(strings.Join(clean, "|"))); n > limit {
			bad(fd.Alias, "tooLong", "%s is %d characters long, at most %d allowed", label, n, limit)
			continue
		}
		switch fd.Type {
		case Email:
			if !fields.ValidEmail(v) {
				bad(fd.Alias, "email", "%q is not a valid email address", v)
				continue
			}
		case Tel:
			if !telRe.MatchString(v) {
				bad(fd.Alias, "tel", "%q is not a valid phone number", v)
				continue
			}
		case URL:
			if !okURL(v) {
				bad(fd.Alias, "url", "%q is not a valid http(s) URL", v)
				continue
			}
		case Number:
			if _, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64); err != nil {
				bad(fd.Alias, "number", "%q is not a number", v)
				continue
			}
		case Date:
			if _, err := time.Parse("2006-01-02", v); err != nil {
				bad(fd.Alias, "date", "%q is not a date (YYYY-MM-DD)", v)
				continue
			}
		case Select, Radio, Checkbox:
			ok := true
			for _, c := range clean {
				if !hasOption(fd.Options, c) {
					bad(fd.Alias, "option", "%q is not one of the choices of %s", c, label)
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
		case Country:
			if _, ok := fields.CountryByName(v); !ok {
				bad(fd.Alias, "country", "%q is not a known country", v)
				continue
			}
		}
		if fd.Pattern != "" {
			if re := pattern(fd.Pattern); re == nil || !re.MatchString(v) {
				msg := fd.ErrorMessage
				if msg == "" {
					msg = fmt.Sprintf("%s has the wrong format", label)
				}
				sub.Issues[fd.Alias] = Issue{Key: "forms.validation.pattern", Msg: msg}
				continue
			}
		}
		sub.Values[fd.Alias] = strings.Join(clean, "|")
	}
	return sub
}

func hasOption(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}
