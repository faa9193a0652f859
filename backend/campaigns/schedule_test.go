package campaigns

import (
	"testing"
	"time"
)

func TestSchedule(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	// Monday 2026-03-02 09:30 UTC (10:30 in Paris).
	ref := time.Date(2026, 3, 2, 9, 30, 20, 0, time.UTC)
	iv := func(n int, unit string) Trigger { return Trigger{Mode: "interval", Interval: n, Unit: unit} }
	with := func(tr Trigger, f func(*Trigger)) Trigger { f(&tr); return tr }
	cases := []struct {
		name string
		tr   Trigger
		loc  *time.Location
		want string
	}{
		{"immediate", Trigger{Mode: "immediate"}, nil, "2026-03-02T09:30:20Z"},
		{"empty mode is immediate", Trigger{}, nil, "2026-03-02T09:30:20Z"},
		{"minutes", iv(90, "i"), nil, "2026-03-02T11:00:20Z"},
		{"hours", iv(5, "h"), nil, "2026-03-02T14:30:20Z"},
		{"days", iv(3, "d"), nil, "2026-03-05T09:30:20Z"},
		{"months by the calendar", iv(1, "m"), nil, "2026-04-02T09:30:20Z"},
		{"years", iv(1, "y"), nil, "2027-03-02T09:30:20Z"},
		{"date", Trigger{Mode: "date", Date: "2026-04-01T08:00:00Z"}, nil, "2026-04-01T08:00:00Z"},
		{"date in the past runs when reached", Trigger{Mode: "date", Date: "2026-01-01T00:00:00Z"}, nil, "2026-01-01T00:00:00Z"},
		{"at hour later the same day", with(iv(0, "d"), func(t *Trigger) { t.Hour = "15:00" }), nil, "2026-03-02T15:00:00Z"},
		{"at hour already passed: next day", with(iv(0, "d"), func(t *Trigger) { t.Hour = "08:00" }), nil, "2026-03-03T08:00:00Z"},
		{"at hour in the contact's zone", with(iv(1, "d"), func(t *Trigger) { t.Hour = "09:00" }), paris, "2026-03-04T08:00:00Z"},
		{"window: too early waits for the start", with(iv(0, "i"), func(t *Trigger) { t.StartHour, t.EndHour = "11:00", "17:00" }), nil, "2026-03-02T11:00:00Z"},
		{"window: inside runs", with(iv(0, "i"), func(t *Trigger) { t.StartHour, t.EndHour = "09:00", "17:00" }), nil, "2026-03-02T09:30:20Z"},
		{"window: at/after the end waits for the next start", with(iv(0, "i"), func(t *Trigger) { t.StartHour, t.EndHour = "06:00", "09:30" }), nil, "2026-03-03T06:00:00Z"},
		{"window in the contact's zone", with(iv(0, "i"), func(t *Trigger) { t.StartHour, t.EndHour = "11:00", "12:00" }), paris, "2026-03-02T10:00:00Z"},
		{"weekdays: Saturday moves to Monday", with(iv(5, "d"), func(t *Trigger) { t.Weekdays = []int{1, 2, 3, 4, 5} }), nil, "2026-03-09T09:30:20Z"},
		{"weekdays: allowed day stays", with(iv(1, "d"), func(t *Trigger) { t.Weekdays = []int{2} }), nil, "2026-03-03T09:30:20Z"},
		{"weekdays: Sunday is 7", with(iv(0, "d"), func(t *Trigger) { t.Weekdays = []int{7} }), nil, "2026-03-08T09:30:20Z"},
		{"hour + weekdays", with(iv(4, "d"), func(t *Trigger) { t.Hour = "08:00"; t.Weekdays = []int{1} }), nil, "2026-03-09T08:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Schedule(ref, c.tr, c.loc).UTC().Format(time.RFC3339)
			if got != c.want {
				t.Errorf("Schedule = %s, want %s", got, c.want)
			}
		})
	}
}

// The SQL expression and the Go computation agree for unrestricted triggers.
func TestTriggerSQLMatchesSchedule(t *testing.T) {
	f := newFixture(t)
	ref := time.Date(2026, 1, 31, 23, 59, 1, 0, time.UTC)
	for _, tr := range []Trigger{{Mode: "immediate"}, {Mode: "interval", Interval: 7, Unit: "i"}, {Mode: "interval", Interval: 30, Unit: "h"},
		{Mode: "interval", Interval: 2, Unit: "d"}, {Mode: "interval", Interval: 1, Unit: "m"}, {Mode: "interval", Interval: 2, Unit: "y"},
		{Mode: "date", Date: "2026-05-01T10:00:00Z"}} {
		var got int64
		if err := f.d.R.QueryRow("SELECT "+triggerSQL(tr, "?"), ref.UnixMilli(), ref.UnixMilli()).Scan(&got); err != nil {
			// the expression may name ref twice (months/years)
			if err2 := f.d.R.QueryRow("SELECT "+triggerSQL(tr, "?"), ref.UnixMilli()).Scan(&got); err2 != nil {
				t.Fatalf("%+v: %v / %v", tr, err, err2)
			}
		}
		if want := Schedule(ref, tr, time.UTC).UnixMilli(); got != want {
			t.Errorf("%+v: SQL %s, Go %s", tr, time.UnixMilli(got).UTC(), time.UnixMilli(want).UTC())
		}
	}
}
