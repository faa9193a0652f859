package reports_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"magpie/backend/reports"
)

func TestNextRun(t *testing.T) {
	at := func(s string) time.Time { return ts(s) }
	cases := []struct {
		sc    reports.Schedule
		after string
		want  string
	}{
		{reports.Schedule{Every: "daily", Hour: 6}, "2026-03-02 05:00", "2026-03-02 06:00"},
		{reports.Schedule{Every: "daily", Hour: 6}, "2026-03-02 06:00", "2026-03-03 06:00"},
		{reports.Schedule{Every: "weekly", Weekday: 1, Hour: 8}, "2026-03-02 09:30", "2026-03-09 08:00"}, // Monday → next Monday
		{reports.Schedule{Every: "weekly", Weekday: 5}, "2026-03-02 09:30", "2026-03-06 00:00"},
		{reports.Schedule{Every: "monthly", Day: 1, Hour: 7}, "2026-03-02 09:30", "2026-04-01 07:00"},
		{reports.Schedule{Every: "monthly", Day: -1}, "2026-02-10 00:00", "2026-02-28 00:00"},
		{reports.Schedule{Every: "monthly", Day: -1}, "2026-02-28 00:00", "2026-03-31 00:00"},
	}
	for _, c := range cases {
		if got := reports.NextRun(c.sc, at(c.after), time.Time{}); !got.Equal(at(c.want)) {
			t.Errorf("%+v after %s = %s, want %s", c.sc, c.after, got.Format("2006-01-02 15:04"), c.want)
		}
	}
}

type fakeMailer struct {
	to   []string
	name string
	data []byte
}

func (m *fakeMailer) SendFile(_ context.Context, to []string, subject, text, name, ct string, data []byte) error {
	m.to, m.name, m.data = to, name, data
	return nil
}

// TestScheduledRuns: a daily report is not due before its slot; missed for three days it
// runs once on the next check, writes the file to its folder and emails it; then it waits
// for the next slot.
func TestScheduledRuns(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := &fakeMailer{}
	f.r.SetMailer(m)
	out := t.TempDir()
	f.clk.Set(ts("2026-03-02 05:00"))
	r, err := f.r.Save(ctx, reports.Report{Name: "Daily hits", Definition: reports.Definition{Source: "page.hits", Columns: []string{"at", "url"}},
		Schedule: reports.Schedule{Every: "daily", Hour: 6, Format: "csv", Folder: out, Emails: []string{"boss@x.io"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.NextRun == nil || !r.NextRun.Equal(ts("2026-03-02 06:00")) {
		t.Fatalf("next run = %v", r.NextRun)
	}
	if n, err := f.r.RunDue(ctx); err != nil || n != 0 {
		t.Fatalf("before the slot: ran %d, %v", n, err)
	}
	f.clk.Set(ts("2026-03-05 10:00")) // the app was closed for three slots
	if n, err := f.r.RunDue(ctx); err != nil || n != 1 {
		t.Fatalf("missed slots: ran %d, %v", n, err)
	}
	if n, err := f.r.RunDue(ctx); err != nil || n != 0 {
		t.Fatalf("ran again: %d, %v", n, err)
	}
	path := filepath.Join(out, "Daily-hits-2026-03-05.csv")
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "https://shop.io/blog") {
		t.Fatalf("file: %v %q", err, b)
	}
	if strings.Join(m.to, ",") != "boss@x.io" || m.name != "Daily-hits-2026-03-05.csv" || string(m.data) != string(b) {
		t.Errorf("mail = %v %s (%d bytes)", m.to, m.name, len(m.data))
	}
	got, _ := f.r.Get(ctx, r.ID)
	if got.LastRun == nil || got.LastRun.Status != "ok" || got.LastRun.Path != path || !got.NextRun.Equal(ts("2026-03-06 06:00")) {
		t.Errorf("after run: last %+v next %v", got.LastRun, got.NextRun)
	}
}

func TestScheduleValidation(t *testing.T) {
	f := newFixture(t)
	def := reports.Definition{Source: "page.hits", Columns: []string{"url"}}
	for _, c := range []struct {
		sc    reports.Schedule
		field string
	}{
		{reports.Schedule{Every: "hourly", Folder: f.dir}, "schedule.every"},
		{reports.Schedule{Every: "daily"}, "schedule.folder"},
		{reports.Schedule{Every: "daily", Folder: filepath.Join(f.dir, "missing")}, "schedule.folder"},
		{reports.Schedule{Every: "weekly", Weekday: 9, Folder: f.dir}, "schedule.weekday"},
		{reports.Schedule{Every: "monthly", Day: 31, Folder: f.dir}, "schedule.day"},
		{reports.Schedule{Every: "daily", Emails: []string{"boss"}}, "schedule.emails"},
		{reports.Schedule{Every: "daily", Folder: f.dir, Format: "pdf"}, "schedule.format"},
	} {
		_, err := f.r.Save(context.Background(), reports.Report{Name: "x", Definition: def, Schedule: c.sc})
		if err == nil || !strings.Contains(errFields(err), c.field) {
			t.Errorf("%+v: err = %v, want field %s", c.sc, err, c.field)
		}
	}
}

func errFields(err error) string {
	if e, ok := apperrAs(err); ok {
		var b strings.Builder
		for k := range e {
			b.WriteString(k + " ")
		}
		return b.String()
	}
	return ""
}

type fakeLease struct{ held bool }

func (l *fakeLease) Held(context.Context) bool { return l.held }

// TestScheduleLease: in a team only the lease holder runs due schedules; the others leave
// them due (nothing recorded), so the holder — or this device once it holds the lease — runs them.
func TestScheduleLease(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l := &fakeLease{}
	f.r.SetLease(l)
	f.clk.Set(ts("2026-03-02 05:00"))
	if _, err := f.r.Save(ctx, reports.Report{Name: "Daily hits", Definition: reports.Definition{Source: "page.hits", Columns: []string{"at", "url"}},
		Schedule: reports.Schedule{Every: "daily", Hour: 6, Format: "csv", Folder: t.TempDir()}}); err != nil {
		t.Fatal(err)
	}
	f.clk.Set(ts("2026-03-02 07:00"))
	for _, c := range []struct {
		held bool
		want int
	}{{false, 0}, {false, 0}, {true, 1}, {true, 0}} {
		l.held = c.held
		if n, err := f.r.RunDue(ctx); err != nil || n != c.want {
			t.Fatalf("held=%v: ran %d (want %d), %v", c.held, n, c.want, err)
		}
	}
}
