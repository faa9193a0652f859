package reldate

import (
	"testing"
	"time"
)

func TestResolve(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata")
	}
	// Wednesday 2026-03-04 23:30 UTC = Thursday 00:30 in Paris.
	now := time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC)
	d := func(s string) string { return s }
	tests := []struct {
		in         string
		loc        *time.Location
		kind       Kind
		start, end string // YYYY-MM-DD in loc ("" = not checked)
	}{
		{"today", time.UTC, Day, d("2026-03-04"), "2026-03-05"},
		{"Today", paris, Day, "2026-03-05", "2026-03-06"},
		{"tomorrow", time.UTC, Day, "2026-03-05", "2026-03-06"},
		{"yesterday", time.UTC, Day, "2026-03-03", "2026-03-04"},
		{"this week", time.UTC, Week, "2026-03-02", "2026-03-09"},
		{"last week", time.UTC, Week, "2026-02-23", "2026-03-02"},
		{"next week", time.UTC, Week, "2026-03-09", "2026-03-16"},
		{"this month", time.UTC, Month, "2026-03-01", "2026-04-01"},
		{"last month", time.UTC, Month, "2026-02-01", "2026-03-01"},
		{"next month", time.UTC, Month, "2026-04-01", "2026-05-01"},
		{"this year", time.UTC, Year, "2026-01-01", "2027-01-01"},
		{"last year", time.UTC, Year, "2025-01-01", "2026-01-01"},
		{"next year", time.UTC, Year, "2027-01-01", "2028-01-01"},
		{"-7 days", time.UTC, Relative, "2026-02-25", ""},
		{"+1 week", time.UTC, Relative, "2026-03-11", ""},
		{"3 days ago", time.UTC, Relative, "2026-03-01", ""},
		{"-1 month", time.UTC, Relative, "2026-02-04", ""},
		{"first day of next month", time.UTC, Relative, "2026-04-01", ""},
		{"last day of last month", time.UTC, Relative, "2026-02-28", ""},
		{"first day of this year", time.UTC, Relative, "2026-01-01", ""},
		{"birthday", time.UTC, Anniversary, "2026-03-04", ""},
		{"anniversary +7 days", time.UTC, Anniversary, "2026-03-11", ""},
		{"birthday -7 days", paris, Anniversary, "2026-02-26", ""},
		{"2024-01-15", time.UTC, Absolute, "2024-01-15", ""},
		{"2024-01-15 10:20:30", time.UTC, Absolute, "2024-01-15", ""},
	}
	for _, tc := range tests {
		v, err := Resolve(tc.in, now, tc.loc)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if v.Kind != tc.kind {
			t.Errorf("%q: kind %d, want %d", tc.in, v.Kind, tc.kind)
		}
		if got := v.Start.In(tc.loc).Format("2006-01-02"); got != tc.start {
			t.Errorf("%q: start %s, want %s", tc.in, got, tc.start)
		}
		if tc.end != "" {
			if got := v.End.In(tc.loc).Format("2006-01-02"); got != tc.end {
				t.Errorf("%q: end %s, want %s", tc.in, got, tc.end)
			}
		}
	}
}

func TestResolve_Errors(t *testing.T) {
	for _, in := range []string{"", "soon", "-7 parsecs", "2024-13-01", "today +x", "this decade"} {
		if _, err := Resolve(in, time.Now(), time.UTC); err == nil {
			t.Errorf("%q: want an error", in)
		}
	}
}
