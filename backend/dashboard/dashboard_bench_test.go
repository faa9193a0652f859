package dashboard

// Dashboard benchmarks (issue 8: each widget ≤ 100 ms, the default board ≤ 500 ms on 1M
// contacts and 10M events). The store is generated once with set-based SQL into
// MAGPIE_BENCH_DIR (default /tmp/magpie-bench-dash-<contacts>-<events per contact>) and
// reused; the first run also times the initial statistics catch-up over the whole log.
// Run through tests/bench/dashboard.sh.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"magpie/backend/clock"
	"magpie/backend/db"
)

var benchNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func benchInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func benchService(b *testing.B) *Service {
	b.Helper()
	n := benchInt("MAGPIE_BENCH_CONTACTS", 1_000_000)
	per := benchInt("MAGPIE_BENCH_EVENTS", 10)
	dir := os.Getenv("MAGPIE_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("magpie-bench-dash-%d-%d", n, per))
	}
	ctx := context.Background()
	// MAGPIE_BENCH_READONLY=1 measures the queries on the store as it is (no generation, no
	// catch-up; boards then fold nothing inline).
	ro := os.Getenv("MAGPIE_BENCH_READONLY") == "1"
	d, err := db.OpenDir(dir, db.Options{Clock: clock.NewFake(benchNow), ReadOnly: ro})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if ro {
		return New(d)
	}
	if v, _ := d.Meta(ctx, "bench.built"); v != "yes" {
		start := time.Now()
		if err := generate(ctx, d, n, per); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d contacts, %d events in %s", n, n*per, time.Since(start).Round(time.Second))
	}
	s := New(d)
	if os.Getenv("MAGPIE_BENCH_REFOLD") == "1" {
		// Fold everything again from scratch (the first fold of a big log).
		if err := d.Write(ctx, func(tx *db.Tx) error {
			for _, q := range []string{"DELETE FROM dash_daily", "DELETE FROM dash_top", "DELETE FROM dash_cdaily", "DELETE FROM dash_cdirty",
				"DELETE FROM dash_state WHERE k IN ('seq', 'refold', 'contacts')"} {
				if _, err := tx.Exec(q); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	if lag, _ := s.Lag(ctx); lag > 0 {
		start, cpu0 := time.Now(), cpuTime()
		if _, err := s.CatchUp(ctx, 0); err != nil {
			b.Fatal(err)
		}
		b.Logf("initial statistics catch-up over %d events and contacts: %s wall, %s CPU", lag,
			time.Since(start).Round(time.Millisecond), (cpuTime() - cpu0).Round(time.Millisecond))
	}
	return s
}

// cpuTime is the process's user+sys CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// generate fills the store with set-based SQL (a fixture: it bypasses the sync recorder on
// purpose, like a bulk restore): contacts over two years in 30 countries, 5 % anonymous;
// per contact `per` events: 60 % page hits (2,000 URLs, 3 referrers), 20 % sends, 12 %
// reads, 8 % clicks of 20 emails; 10 segments with member counts.
func generate(ctx context.Context, d *db.DB, n, per int) error {
	base := benchNow.UnixMilli()
	day := int64(24 * 3600 * 1000)
	indexes := []string{
		"CREATE INDEX events_type ON events(type, at)",
		"CREATE INDEX events_type_object ON events(type, object_id, contact_id) WHERE type <> 'page.hit' OR object_id IS NOT NULL",
		"CREATE INDEX events_contact_type ON events(contact_id, type, at)",
	}
	return d.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec("PRAGMA cache_size = -1000000"); err != nil {
			return err
		}
		defer tx.Exec("PRAGMA cache_size = -65536")
		for _, ix := range indexes {
			if _, err := tx.Exec("DROP INDEX IF EXISTS " + strings.Fields(ix)[2]); err != nil {
				return err
			}
		}
		steps := []struct {
			q    string
			args []any
		}{
			{`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ? - 1)
			  INSERT INTO contacts(id, firstname, lastname, email, country, points, date_added, date_modified, date_identified)
			  SELECT printf('c%08d', i), 'First' || (i % 500), 'Last' || (i % 900),
			    CASE WHEN i % 20 = 0 THEN NULL ELSE printf('user%d@ex%d.com', i, i % 100) END,
			    'Country' || (i % 30), (i * 7) % 200, ? - (i % 730) * ? - (i % 86400) * 1000, ?,
			    CASE WHEN i % 20 = 0 THEN NULL ELSE ? - (i % 730) * ? END FROM s`, []any{n, base, day, base, base, day}},
			{`WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < ? - 1)
			  INSERT INTO events(id, contact_id, type, at, object_id, object_name, url, referrer, source)
			  SELECT 'e' || k, printf('c%08d', k / ?),
			    CASE WHEN (k * 7) % 100 < 60 THEN 'page.hit' WHEN (k * 7) % 100 < 80 THEN 'email.sent'
			         WHEN (k * 7) % 100 < 92 THEN 'email.read' ELSE 'email.clicked' END,
			    ? - ((k * 131) % 1051200) * 60000,
			    CASE WHEN (k * 7) % 100 >= 60 THEN 'em' || (k % 20) END,
			    CASE WHEN (k * 7) % 100 >= 60 THEN 'Email ' || (k % 20) END,
			    CASE WHEN (k * 7) % 100 < 60 OR (k * 7) % 100 >= 92 THEN 'https://site.example/page/' || (1 + (k * 31) % 2000) END,
			    CASE WHEN (k * 7) % 100 < 60 THEN CASE k % 5 WHEN 0 THEN 'https://www.google.com/' WHEN 1 THEN 'https://www.linkedin.com/feed' WHEN 2 THEN 'https://duckduckgo.com/' END END,
			    'bench'
			  FROM s`, []any{n * per, per, base}},
			{`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 9)
			  INSERT INTO segments(id, name, alias, date_added, date_modified) SELECT 'seg' || i, 'Segment ' || i, 'segment-' || i, ?, ? FROM s`, []any{base, base}},
			{`INSERT INTO segment_builds(segment_id, members) SELECT id, ? / (1 + substr(id, 4)) FROM segments`, []any{n}},
		}
		for i, st := range steps {
			if _, err := tx.Exec(st.q, st.args...); err != nil {
				return fmt.Errorf("bench data step %d: %w", i, err)
			}
		}
		for _, ix := range indexes {
			if _, err := tx.Exec(ix); err != nil {
				return err
			}
		}
		if _, err := tx.Exec("ANALYZE"); err != nil {
			return err
		}
		return tx.SetMeta("bench.built", "yes")
	})
}

// BenchmarkWidget runs each widget alone over the default range (the last 30 days) and
// over the last 12 months.
func BenchmarkWidget(b *testing.B) {
	s := benchService(b)
	ctx := context.Background()
	ranges := map[string]Range{"30d": {From: "2026-02-01", To: "2026-03-02"}, "12m": {From: "2025-03-03", To: "2026-03-02"}}
	for _, typ := range Types() {
		if typ == TWelcome {
			continue
		}
		for _, rn := range []string{"30d", "12m"} {
			b.Run(typ+"/"+rn, func(b *testing.B) {
				ws := []Widget{{ID: "w", Type: typ, W: 6, H: 1}}
				for i := 0; i < b.N; i++ {
					bd, err := s.Run(ctx, ws, Query{Range: ranges[rn]})
					if err != nil {
						b.Fatal(err)
					}
					if bd.Results[0].Err != nil {
						b.Fatal(bd.Results[0].Err)
					}
				}
			})
		}
	}
}

// BenchmarkBoard runs the default board (12 widgets, 2 at a time) over the last 30 days.
func BenchmarkBoard(b *testing.B) {
	s := benchService(b)
	ctx := context.Background()
	ws := DefaultWidgets(false)
	for _, rn := range []Range{{From: "2026-02-01", To: "2026-03-02"}, {From: "2025-03-03", To: "2026-03-02"}} {
		b.Run(rn.From, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.Run(ctx, ws, Query{Range: rn}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFoldAppend: folding one newly appended event (the steady state after a hit).
func BenchmarkFoldAppend(b *testing.B) {
	s := benchService(b)
	if s.db.W == nil {
		b.Skip("read-only store")
	}
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(`INSERT INTO events(id, contact_id, type, at, url) VALUES(?, 'c00000042', 'page.hit', ?, 'https://site.example/page/7')`,
				fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i), benchNow.UnixMilli())
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.CatchUp(ctx, 0); err != nil {
			b.Fatal(err)
		}
	}
}
