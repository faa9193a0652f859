// Package reldate resolves Mautic's date filter values — keywords ("today", "last week",
// "next year", "birthday -7 days") and relative expressions ("-7 days", "+1 week",
// "3 days ago", "first day of next month") — against an injectable now in a time zone.
// Weeks start on Monday, as in Mautic.
package reldate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is what a value denotes.
type Kind int

// The kinds of date values.
const (
	Absolute    Kind = iota // a fixed date or date-time
	Day                     // today, tomorrow, yesterday
	Week                    // this/last/next week: Monday..Sunday
	Month                   // this/last/next month
	Year                    // this/last/next year
	Relative                // now ± interval, as a date (Mautic renders it without time)
	Anniversary             // any year, same month and day
)

// Value is a resolved date value. Start is the first instant (midnight in the zone for
// periods and relative values); End is the first instant after the period (periods only).
type Value struct {
	Kind    Kind
	Start   time.Time
	End     time.Time
	HasTime bool   // Absolute values written with a time of day
	Text    string // Absolute values as written, normalised (YYYY-MM-DD[ HH:MM:SS])
}

// Keywords lists the keyword values in UI order.
var Keywords = []string{"today", "tomorrow", "yesterday", "this week", "last week", "next week",
	"this month", "last month", "next month", "this year", "last year", "next year", "anniversary", "birthday"}

var (
	signedRe = regexp.MustCompile(`^([+-])\s*(\d+)\s*([a-z]+)$`)
	agoRe    = regexp.MustCompile(`^(\d+)\s*([a-z]+)\s+ago$`)
	dayOfRe  = regexp.MustCompile(`^(first|last) day of (this|last|next|previous) (month|year)$`)
)

// Resolve reads s relative to now in loc. Errors say what is accepted.
func Resolve(s string, now time.Time, loc *time.Location) (Value, error) {
	if loc == nil {
		loc = time.UTC
	}
	raw := s
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	if s == "" {
		return Value{}, fmt.Errorf("empty date")
	}
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	day := func(t time.Time) Value { return Value{Kind: Day, Start: t, End: t.AddDate(0, 0, 1)} }

	// keyword [modifier]
	for _, kw := range []string{"anniversary", "birthday", "today", "tomorrow", "yesterday"} {
		if s == kw || strings.HasPrefix(s, kw+" ") {
			base := today
			switch kw {
			case "tomorrow":
				base = today.AddDate(0, 0, 1)
			case "yesterday":
				base = today.AddDate(0, 0, -1)
			}
			if rest := strings.TrimSpace(strings.TrimPrefix(s, kw)); rest != "" {
				var err error
				if base, err = shift(base, rest); err != nil {
					return Value{}, fmt.Errorf("%q: %v", raw, err)
				}
			}
			if kw == "anniversary" || kw == "birthday" {
				return Value{Kind: Anniversary, Start: base, End: base.AddDate(0, 0, 1)}, nil
			}
			return day(base), nil
		}
	}
	if p, rel, ok := period(s); ok {
		switch p {
		case "week":
			wd := (int(today.Weekday()) + 6) % 7 // Monday = 0
			mon := today.AddDate(0, 0, -wd+7*rel)
			return Value{Kind: Week, Start: mon, End: mon.AddDate(0, 0, 7)}, nil
		case "month":
			first := time.Date(today.Year(), today.Month()+time.Month(rel), 1, 0, 0, 0, 0, loc)
			return Value{Kind: Month, Start: first, End: first.AddDate(0, 1, 0)}, nil
		case "year":
			first := time.Date(today.Year()+rel, 1, 1, 0, 0, 0, 0, loc)
			return Value{Kind: Year, Start: first, End: first.AddDate(1, 0, 0)}, nil
		}
	}
	if m := dayOfRe.FindStringSubmatch(s); m != nil {
		rel := map[string]int{"this": 0, "last": -1, "previous": -1, "next": 1}[m[2]]
		var t time.Time
		if m[3] == "month" {
			t = time.Date(today.Year(), today.Month()+time.Month(rel), 1, 0, 0, 0, 0, loc)
			if m[1] == "last" {
				t = t.AddDate(0, 1, -1)
			}
		} else {
			t = time.Date(today.Year()+rel, 1, 1, 0, 0, 0, 0, loc)
			if m[1] == "last" {
				t = time.Date(today.Year()+rel, 12, 31, 0, 0, 0, 0, loc)
			}
		}
		return Value{Kind: Relative, Start: t}, nil
	}
	if signedRe.MatchString(s) || agoRe.MatchString(s) {
		t, err := shift(now, s)
		if err != nil {
			return Value{}, fmt.Errorf("%q: %v", raw, err)
		}
		return Value{Kind: Relative, Start: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)}, nil
	}
	for _, l := range []struct {
		layout  string
		hasTime bool
	}{{"2006-01-02", false}, {"2006-01-02 15:04:05", true}, {"2006-01-02 15:04", true}, {"2006-01-02T15:04:05", true}, {time.RFC3339, true}} {
		if t, err := time.ParseInLocation(l.layout, strings.TrimSpace(raw), loc); err == nil {
			v := Value{Kind: Absolute, Start: t, HasTime: l.hasTime, Text: t.Format("2006-01-02")}
			if l.hasTime {
				v.Text = t.Format("2006-01-02 15:04:05")
			}
			return v, nil
		}
	}
	return Value{}, fmt.Errorf("%q is not a date: use YYYY-MM-DD, a keyword (today, last week, this month, birthday…) or a relative date (-7 days, +1 week, 3 days ago, first day of next month)", raw)
}

// period parses "this|last|next week|month|year".
func period(s string) (string, int, bool) {
	a, b, ok := strings.Cut(s, " ")
	if !ok || (b != "week" && b != "month" && b != "year") {
		return "", 0, false
	}
	rel, ok := map[string]int{"this": 0, "last": -1, "next": 1}[a]
	return b, rel, ok
}

var units = map[string]string{
	"second": "second", "seconds": "second", "sec": "second", "secs": "second",
	"minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute",
	"hour": "hour", "hours": "hour",
	"day": "day", "days": "day",
	"week": "week", "weeks": "week",
	"fortnight": "fortnight", "fortnights": "fortnight",
	"month": "month", "months": "month",
	"year": "year", "years": "year",
}

// shift applies "+N unit", "-N unit" or "N unit ago" to t (PHP strtotime style: months and
// years by calendar).
func shift(t time.Time, s string) (time.Time, error) {
	var sign, n int
	var unit string
	if m := signedRe.FindStringSubmatch(s); m != nil {
		sign = 1
		if m[1] == "-" {
			sign = -1
		}
		n, _ = strconv.Atoi(m[2])
		unit = m[3]
	} else if m := agoRe.FindStringSubmatch(s); m != nil {
		sign = -1
		n, _ = strconv.Atoi(m[1])
		unit = m[2]
	} else {
		return t, fmt.Errorf("modifier %q: want +N or -N followed by days, weeks, months or years", s)
	}
	u, ok := units[unit]
	if !ok {
		return t, fmt.Errorf("unknown unit %q (use days, weeks, months or years)", unit)
	}
	n *= sign
	switch u {
	case "second":
		return t.Add(time.Duration(n) * time.Second), nil
	case "minute":
		return t.Add(time.Duration(n) * time.Minute), nil
	case "hour":
		return t.Add(time.Duration(n) * time.Hour), nil
	case "day":
		return t.AddDate(0, 0, n), nil
	case "week":
		return t.AddDate(0, 0, 7*n), nil
	case "fortnight":
		return t.AddDate(0, 0, 14*n), nil
	case "month":
		return t.AddDate(0, n, 0), nil
	}
	return t.AddDate(n, 0, 0), nil
}
