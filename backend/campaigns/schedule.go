package campaigns

import (
	"fmt"
	"sync"
	"time"
)

var (
	locMu      sync.RWMutex
	defaultLoc = time.UTC
	locCache   = map[string]*time.Location{}
)

// SetDefaultZone is the zone of contacts without one (Mautic's default_timezone).
func SetDefaultZone(loc *time.Location) {
	if loc == nil {
		loc = time.UTC
	}
	locMu.Lock()
	defaultLoc = loc
	locMu.Unlock()
}

// zone returns the contact's location (the default when empty or unknown).
func zone(name string) *time.Location {
	locMu.RLock()
	l, ok := locCache[name]
	def := defaultLoc
	locMu.RUnlock()
	if name == "" {
		return def
	}
	if ok {
		return l
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = nil
	}
	locMu.Lock()
	locCache[name] = l
	locMu.Unlock()
	if l == nil {
		return def
	}
	return l
}

// restricted reports whether a trigger's moment depends on the contact (hour, window,
// weekdays): those are computed per contact in Go, the rest in SQL.
func restricted(t Trigger) bool {
	return t.Mode == "interval" && (t.Hour != "" || t.StartHour != "" || len(t.Weekdays) > 0)
}

// addInterval is ref + n units (months and years by the calendar, in UTC).
func addInterval(ref time.Time, n int, unit string) time.Time {
	switch unit {
	case "i":
		return ref.Add(time.Duration(n) * time.Minute)
	case "h":
		return ref.Add(time.Duration(n) * time.Hour)
	case "d":
		return ref.Add(time.Duration(n) * 24 * time.Hour)
	case "m":
		return ref.UTC().AddDate(0, n, 0)
	case "y":
		return ref.UTC().AddDate(n, 0, 0)
	}
	return ref
}

// Schedule is when an event with trigger t runs once reached at ref, for a contact in loc
// (§4.3).
func Schedule(ref time.Time, t Trigger, loc *time.Location) time.Time {
	switch t.Mode {
	case "date":
		if at, err := time.Parse(time.RFC3339, t.Date); err == nil {
			return at
		}
		return ref
	case "interval":
		return restrict(addInterval(ref, t.Interval, t.Unit), t, loc)
	}
	return ref
}

func hm(s string) (int, int) {
	var h, m int
	fmt.Sscanf(s, "%d:%d", &h, &m)
	return h, m
}

// restrict applies the hour, window and weekday rules to a computed moment.
func restrict(at time.Time, t Trigger, loc *time.Location) time.Time {
	if !restricted(t) {
		return at
	}
	if loc == nil {
		loc = time.UTC
	}
	useLoc := time.UTC
	if t.Hour != "" || t.StartHour != "" {
		useLoc = loc
	}
	l := at.In(useLoc)
	minute := l.Hour()*60 + l.Minute() // seconds ignored
	day := func(d time.Time, h, m int) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, useLoc)
	}
	switch {
	case t.Hour != "":
		h, m := hm(t.Hour)
		if minute <= h*60+m {
			l = day(l, h, m)
		} else {
			l = day(l.AddDate(0, 0, 1), h, m)
		}
	case t.StartHour != "" && t.EndHour != "":
		sh, sm := hm(t.StartHour)
		eh, em := hm(t.EndHour)
		switch {
		case minute < sh*60+sm:
			l = day(l, sh, sm)
		case minute >= eh*60+em:
			l = day(l.AddDate(0, 0, 1), sh, sm)
		}
	}
	if len(t.Weekdays) > 0 {
		ok := map[time.Weekday]bool{}
		for _, d := range t.Weekdays {
			ok[time.Weekday(d%7)] = true // 7 = Sunday = 0
		}
		for i := 0; i < 7 && !ok[l.Weekday()]; i++ {
			l = l.AddDate(0, 0, 1)
		}
	}
	return l
}

// triggerSQL is the SQL expression of an unrestricted trigger's moment from the reference
// column ref (restricted ones are computed from this base per contact afterwards).
func triggerSQL(t Trigger, ref string) string {
	switch t.Mode {
	case "date":
		if at, err := time.Parse(time.RFC3339, t.Date); err == nil {
			return fmt.Sprint(at.UnixMilli())
		}
		return ref
	case "interval":
		n := t.Interval
		switch t.Unit {
		case "i":
			return fmt.Sprintf("(%s + %d)", ref, int64(n)*60000)
		case "h":
			return fmt.Sprintf("(%s + %d)", ref, int64(n)*3600000)
		case "d":
			return fmt.Sprintf("(%s + %d)", ref, int64(n)*86400000)
		case "m", "y":
			unit := "months"
			if t.Unit == "y" {
				unit = "years"
			}
			return fmt.Sprintf("(CAST(strftime('%%s', %s / 1000, 'unixepoch', '%+d %s') AS INTEGER) * 1000 + %s %% 1000)", ref, n, unit, ref)
		}
	}
	return ref
}

// approxDelay orders waits to find the shortest no path of a decision.
func approxDelay(t Trigger, now time.Time) time.Duration {
	switch t.Mode {
	case "interval":
		return addInterval(now, t.Interval, t.Unit).Sub(now)
	case "date":
		if at, err := time.Parse(time.RFC3339, t.Date); err == nil {
			return at.Sub(now)
		}
	}
	return 0
}
