package reports_test

// Benchmarks on a big store (issue 8 targets: a grouped report over 10M events ≤ 2 s, an
// XLSX export of 1M rows × 10 columns ≤ 20 s). MAGPIE_REPORTS_EVENTS events (default
// 10,000,000) over MAGPIE_REPORTS_CONTACTS contacts (default 100,000) and 1,000 days are
// generated once with set-based SQL into MAGPIE_REPORTS_DIR and reused:
// 50% page hits on 50 URLs, 20% emails sent, 15% read, 5% clicked, 5% forms, 5% downloads.
// Run through tests/bench/reports.sh (make bench).

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"magpie/backend/bus"
	"magpie/backend/charts"
	"magpie/backend/dashboard"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/jobs"
	"magpie/backend/reports"
	"magpie/backend/segments"
)

// cpu is the process's user+sys CPU time (the machine is shared: wall time overstates).
func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchEpoch is day 0 of the generated events (they span 1,000 days from it).
var benchEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func benchStore(b *testing.B) *reports.Service {
	b.Helper()
	nEv := envInt("MAGPIE_REPORTS_EVENTS", 10_000_000)
	nC := envInt("MAGPIE_REPORTS_CONTACTS", 100_000)
	dir := os.Getenv("MAGPIE_REPORTS_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("magpie-bench-reports-%d-%d", nC, nEv))
	}
	ctx := context.Background()
	fresh := false
	if _, err := os.Stat(filepath.Join(dir, db.FileName)); err != nil {
		fresh = true
		if err := os.MkdirAll(dir, 0o700); err != nil {
			b.Fatal(err)
		}
	}
	d, err := db.OpenDir(dir, db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if fresh {
		start := time.Now()
		if err := generate(ctx, d, nC, nEv); err != nil {
			os.RemoveAll(dir)
			b.Fatal(err)
		}
		b.Logf("generated %d contacts and %d events in %s", nC, nEv, time.Since(start).Round(time.Second))
	}
	fs, err := fields.New(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	r := reports.New(d, fs, segments.New(d, fs), jobs.New(d, bus.New()), dir)
	if os.Getenv("MAGPIE_REPORTS_NO_ROLLUP") != "1" {
		// As in the app: plain counts by date read the dashboard's daily rollup, kept
		// current by its catch-up (the first one folds the whole log).
		dash := dashboard.New(d)
		start, c0 := time.Now(), cpu()
		if _, err := dash.CatchUp(ctx, 0); err != nil {
			b.Fatal(err)
		}
		if el := time.Since(start); el > time.Second {
			b.Logf("dashboard catch-up: %s wall, %s CPU", el.Round(time.Millisecond), (cpu() - c0).Round(time.Millisecond))
		}
		r.SetDayCounts(dash)
	}
	return r
}

func generate(ctx context.Context, d *db.DB, nC, nEv int) error {
	restore, err := d.DeferIndexes(ctx, []string{"events", "contacts"}, nil)
	if err != nil {
		return err
	}
	epoch := benchEpoch.UnixMilli()
	err = d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO contacts(id, email, firstname, city, country, points, date_added, date_modified)
			SELECT printf('c%08d', i), printf('user%d@example.com', i), printf('User %d', i),
				CASE i % 5 WHEN 0 THEN 'Paris' WHEN 1 THEN 'Lyon' WHEN 2 THEN 'Berlin' WHEN 3 THEN 'Madrid' ELSE 'Rome' END,
				CASE i % 4 WHEN 0 THEN 'France' WHEN 1 THEN 'Germany' WHEN 2 THEN 'Spain' ELSE 'Italy' END,
				i % 100, ? + (i % 1000) * 86400000, ? FROM n`, nC, epoch, epoch)
		return err
	})
	if err != nil {
		return err
	}
	const chunk = 1_000_000
	for from := 0; from < nEv; from += chunk {
		to := min(from+chunk, nEv)
		err := d.Write(ctx, func(tx *db.Tx) error {
			// x = a scrambled copy of i, so types, contacts, URLs and times are not correlated
			_, err := tx.Exec(`WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?),
				r(i, x) AS (SELECT i, (i * 2654435761) % 4294967296 FROM n)
				INSERT INTO events(id, contact_id, type, at, object_id, object_name, url, title, referrer, source,
					device_type, device_os, utm_source, utm_campaign)
				SELECT printf('ev%010d', i), printf('c%08d', 1 + x % ?),
					CASE WHEN x % 100 < 50 THEN 'page.hit' WHEN x % 100 < 70 THEN 'email.sent' WHEN x % 100 < 85 THEN 'email.read'
						WHEN x % 100 < 90 THEN 'email.clicked' WHEN x % 100 < 95 THEN 'form.submitted' ELSE 'asset.downloaded' END,
					? + i * ? + (x % 1000),
					CASE WHEN x % 100 >= 50 THEN printf('o%d', x / 100 % 20) END,
					CASE WHEN x % 100 >= 50 THEN printf('Newsletter %d', x / 100 % 20) END,
					CASE WHEN x % 100 < 50 OR (x % 100 BETWEEN 85 AND 89) THEN printf('https://shop.example.com/page-%d', x / 7 % 50) END,
					CASE WHEN x % 100 < 50 THEN printf('Page %d', x / 7 % 50) END,
					CASE WHEN x % 100 < 50 AND x % 3 = 0 THEN 'https://www.google.com/' END,
					'bench',
					CASE x % 3 WHEN 0 THEN 'desktop' WHEN 1 THEN 'mobile' ELSE 'tablet' END,
					CASE x % 4 WHEN 0 THEN 'Windows' WHEN 1 THEN 'macOS' WHEN 2 THEN 'Android' ELSE 'iOS' END,
					CASE WHEN x % 5 = 0 THEN 'newsletter' END,
					CASE WHEN x % 10 = 0 THEN 'spring' END
				FROM r`, from+1, to, nC, epoch, int64(1000*86400000)/int64(nEv))
			return err
		})
		if err != nil {
			return err
		}
	}
	if err := restore(ctx); err != nil {
		return err
	}
	_, err = d.W.ExecContext(ctx, "ANALYZE")
	return err
}

// BenchmarkGroupedReport times summaries over the whole log (the reports issue's "grouped
// report over 10M events").
func BenchmarkGroupedReport(b *testing.B) {
	r := benchStore(b)
	ctx := context.Background()
	last90 := benchEpoch.AddDate(0, 0, 910).Format("2006-01-02")
	cases := []struct {
		name string
		def  reports.Definition
	}{
		{"page-hits-by-month", reports.Definition{Source: "page.hits", GroupBy: []string{"at:month"}, Graph: charts.Line}},
		{"email-events-by-week-and-type", reports.Definition{Source: "email.events", GroupBy: []string{"at:week", "type"}, Graph: charts.Bar}},
		{"email-events-by-day-and-type-90-days", reports.Definition{Source: "email.events", GroupBy: []string{"at:day", "type"},
			DateFrom: last90, Graph: charts.Line}},
		{"all-events-by-type", reports.Definition{Source: "email.events", GroupBy: []string{"type"}, Graph: charts.Pie}},
		{"top-10-urls", reports.Definition{Source: "page.hits", GroupBy: []string{"url"}, SummarySort: "value", SummaryLimit: 10, Graph: charts.Bar}},
		{"emails-by-name", reports.Definition{Source: "email.events", GroupBy: []string{"email"}, Aggregates: []reports.Agg{{Fn: "count"}}, Graph: charts.Funnel}},
		{"hits-by-contact-country-30-days", reports.Definition{Source: "page.hits", GroupBy: []string{"contact.country"},
			DateFrom: benchEpoch.AddDate(0, 0, 970).Format("2006-01-02"), Graph: charts.Pie}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			c0 := cpu()
			defer func() { b.ReportMetric(float64((cpu()-c0).Milliseconds())/float64(b.N), "cpu-ms/op") }()
			for i := 0; i < b.N; i++ {
				s, err := r.Summarize(ctx, c.def)
				if err != nil {
					b.Fatal(err)
				}
				if s.Total == 0 {
					b.Fatal("no rows")
				}
			}
		})
	}
}

// BenchmarkXLSX1M exports 1M page hits × 10 columns (the 200 days that hold them).
func BenchmarkXLSX1M(b *testing.B) {
	r := benchStore(b)
	ctx := context.Background()
	nEv := envInt("MAGPIE_REPORTS_EVENTS", 10_000_000)
	days := 1000 * 1_000_000 / (nEv / 2) // page hits are half the log, spread evenly
	def := reports.Definition{Source: "page.hits", Columns: []string{"at", "type", "contact_id", "url", "title", "referrer",
		"device_type", "device_os", "utm_source", "utm_campaign"},
		DateFrom: benchEpoch.Format("2006-01-02"), DateTo: benchEpoch.AddDate(0, 0, days-1).Format("2006-01-02"),
		GroupBy: []string{"at:month"}, Graph: charts.Bar}
	out := b.TempDir()
	c0 := cpu()
	defer func() { b.ReportMetric(float64((cpu()-c0).Milliseconds())/float64(b.N), "cpu-ms/op") }()
	for i := 0; i < b.N; i++ {
		res, err := r.Export(ctx, reports.ExportRequest{Definition: &def, Name: "bench", Format: "xlsx",
			Path: filepath.Join(out, fmt.Sprintf("r%d.xlsx", i))}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Rows), "rows")
		b.ReportMetric(float64(res.Bytes)/1e6, "MB")
	}
}
