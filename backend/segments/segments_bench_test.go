package segments_test

// Benchmarks on a big store (issue 3 targets): MAGPIE_BENCH_CONTACTS contacts (default
// 1,000,000) with MAGPIE_BENCH_HITS hits per contact (default 10) on 2,000 URLs. The store
// is generated once with set-based SQL into MAGPIE_BENCH_DIR and reused. Run through
// tests/bench/segments.sh (make bench).

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"magpie/backend/clock"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/segments"
)

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}

var benchNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// benchStore opens (building on first use) the benchmark store.
// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds "cpu-ms/op" (user+system CPU of the whole process since start, per op):
// on a loaded shared machine it is steadier than wall time.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

func benchStore(b *testing.B) (*db.DB, *segments.Service) {
	b.Helper()
	n := envInt("MAGPIE_BENCH_CONTACTS", 1_000_000)
	hits := envInt("MAGPIE_BENCH_HITS", 10)
	dir := os.Getenv("MAGPIE_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("magpie-bench-seg-%d-%d", n, hits))
	}
	ctx := context.Background()
	d, err := db.OpenDir(dir, db.Options{Clock: clock.NewFake(benchNow)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	fs, err := fields.New(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	if v, _ := d.Meta(ctx, "bench.built"); v != "yes" {
		start := time.Now()
		if err := generate(ctx, d, n, hits); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d contacts, %d hits in %s", n, n*hits, time.Since(start).Round(time.Second))
	}
	return d, segments.New(d, fs)
}

// generate fills the store with set-based SQL (a benchmark fixture: it bypasses the sync
// recorder on purpose, like a bulk restore).
func generate(ctx context.Context, d *db.DB, n, hits int) error {
	base := benchNow.UnixMilli()
	day := int64(24 * 3600 * 1000)
	steps := []struct {
		q    string
		args []any
	}{
		{`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ? - 1)
		  INSERT INTO contacts(id, firstname, lastname, email, city, country, points, date_added, date_modified, last_active, firstname_key, lastname_key)
		  SELECT printf('c%08d', i), 'First' || (i % 500), 'Last' || (i % 900), printf('user%d@ex%d.com', i, i % 100),
		    CASE i % 10 WHEN 0 THEN 'Paris' ELSE 'City' || (i % 50) END, 'Country' || (i % 30), i % 100,
		    ? - (i % 730) * ?, ? - (i % 30) * ?, CASE WHEN i % 4 = 0 THEN NULL ELSE ? - (i % 60) * ? END,
		    'first' || (i % 500), 'last' || (i % 900) FROM s`, []any{n, base, day, base, day, base, day}},
		{`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 3 FROM s WHERE i < ? - 3)
		  INSERT INTO contact_tags(id, contact_id, tag_id, date_added)
		  SELECT 'ct' || i, printf('c%08d', i), (SELECT id FROM tags WHERE name = 'tag' || (i % 20)), ? FROM s`, []any{n, base}},
		{`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000)
		  INSERT INTO urls(id, url) SELECT i, CASE i WHEN 2000 THEN 'https://site.example/pricing' ELSE 'https://site.example/page/' || i END FROM s`, nil},
		{`WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < ? - 1)
		  INSERT INTO events(id, contact_id, type, at, url, source)
		  SELECT 'h' || k, printf('c%08d', k / ?), 'page.hit', ? - (k % 129600) * 60000,
		    CASE 1 + (k * 31) % 2000 WHEN 2000 THEN 'https://site.example/pricing' ELSE 'https://site.example/page/' || (1 + (k * 31) % 2000) END, 'bench'
		  FROM s`, []any{n * hits, hits, base}},
		{`INSERT INTO contact_urls(url_id, contact_id, n, first_at, last_at)
		  SELECT 1 + (k * 31) % 2000, printf('c%08d', k / ?), count(*), min(at), max(at)
		  FROM (WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < ? - 1)
		        SELECT k, ? - (k % 129600) * 60000 AS at FROM s) GROUP BY 1, 2`, []any{hits, n * hits, base}},
		{`INSERT INTO contact_stats(contact_id, hits, page_hits, sessions, first_hit_at, last_hit_at)
		  SELECT contact_id, sum(n), sum(n), max(1, sum(n) / 3), min(first_at), max(last_at) FROM contact_urls GROUP BY contact_id`, nil},
	}
	// Bulk load: big page cache, secondary indexes of the log dropped and rebuilt after (a
	// sort instead of 10M random index inserts). Contacts' hits are laid out contact by contact.
	indexes := []string{
		"CREATE INDEX events_type ON events(type, at)",
		"CREATE INDEX events_type_object ON events(type, object_id, contact_id) WHERE type <> 'page.hit' OR object_id IS NOT NULL",
		"CREATE INDEX events_contact_type ON events(contact_id, type, at)",
	}
	return d.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec("PRAGMA cache_size = -1000000"); err != nil {
			return err
		}
		for _, ix := range indexes {
			name := strings.Fields(ix)[2]
			if _, err := tx.Exec("DROP INDEX IF EXISTS " + name); err != nil {
				return err
			}
		}
		defer tx.Exec("PRAGMA cache_size = -65536")
		for i := 0; i < 20; i++ {
			name := fmt.Sprintf("tag%d", i)
			if _, err := tx.Exec("INSERT INTO tags(id, name, date_added) VALUES(?, ?, ?)", contacts.TagID(name), name, base); err != nil {
				return err
			}
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

func benchLeaf(glue, object, field, op string, v any) map[string]any {
	return map[string]any{"glue": glue, "object": object, "field": field, "operator": op, "properties": map[string]any{"filter": v}}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// threeFilters: (city = Paris AND visited the pricing page) OR (tag3 AND points > 50).
var threeFilters = mustJSON([]any{
	benchLeaf("and", "lead", "city", "=", "Paris"),
	benchLeaf("and", "behaviors", "hit_url", "=", "https://site.example/pricing"),
	benchLeaf("or", "lead", "tags", "in", []string{"tag3"}),
	benchLeaf("and", "lead", "points", "gt", "50"),
})

// broadURL: visited any URL containing "page/1" (over half of all hits) and points > 50.
var broadURL = mustJSON([]any{
	benchLeaf("and", "behaviors", "hit_url", "contains", "page/1"),
	benchLeaf("and", "lead", "points", "gt", "50"),
	benchLeaf("or", "lead", "city", "=", "City7"),
})

func putSegment(b *testing.B, d *db.DB, id, name string, filters []byte) {
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		tx.Exec("DELETE FROM segments WHERE id = ?", id)
		tx.Exec("DELETE FROM segment_members WHERE segment_id = ?", id)
		return tx.Insert("segments", id, db.Cols{"name": name, "alias": id, "filters": string(filters), "is_published": true,
			"version": 1, "date_added": benchNow.UnixMilli(), "date_modified": benchNow.UnixMilli()})
	})
	if err != nil {
		b.Fatal(err)
	}
}

func benchRebuild(b *testing.B, filters []byte, fresh bool) {
	d, s := benchStore(b)
	ctx := context.Background()
	putSegment(b, d, "bench-rebuild", "bench", filters)
	if !fresh {
		if _, err := s.Rebuild(ctx, "bench-rebuild", benchNow); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var r segments.BuildResult
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		if fresh {
			b.StopTimer()
			d.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec("DELETE FROM segment_members WHERE segment_id = 'bench-rebuild'")
				return err
			})
			b.StartTimer()
		}
		c0 := cpuTime()
		var err error
		if r, err = s.Rebuild(ctx, "bench-rebuild", benchNow); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
	}
	b.ReportMetric(float64(r.Members), "members")
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

func BenchmarkRebuildThreeFiltersFirst(b *testing.B)  { benchRebuild(b, threeFilters, true) }
func BenchmarkRebuildThreeFiltersSteady(b *testing.B) { benchRebuild(b, threeFilters, false) }
func BenchmarkRebuildBroadURLFirst(b *testing.B)      { benchRebuild(b, broadURL, true) }
func BenchmarkRebuildBroadURLSteady(b *testing.B)     { benchRebuild(b, broadURL, false) }

func BenchmarkPreviewCount(b *testing.B) {
	_, s := benchStore(b)
	ctx := context.Background()
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	var n int
	for i := 0; i < b.N; i++ {
		var err error
		if n, _, err = s.Preview(ctx, threeFilters, "", benchNow, 20); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "matches")
}

// fiftySegments stores 50 live segments of mixed filters.
func fiftySegments(b *testing.B, d *db.DB) {
	for i := 0; i < 50; i++ {
		var f []byte
		switch i % 5 {
		case 0:
			f = mustJSON([]any{benchLeaf("and", "lead", "city", "=", fmt.Sprintf("City%d", i)), benchLeaf("and", "lead", "points", "gt", i)})
		case 1:
			f = mustJSON([]any{benchLeaf("and", "lead", "tags", "in", []string{fmt.Sprintf("tag%d", i%20)}), benchLeaf("or", "lead", "email", "like", fmt.Sprintf("%%ex%d.com", i))})
		case 2:
			f = mustJSON([]any{benchLeaf("and", "behaviors", "hit_url", "contains", fmt.Sprintf("page/%d", i)), benchLeaf("and", "behaviors", "sessions", "gte", 2)})
		case 3:
			f = mustJSON([]any{benchLeaf("and", "lead", "date_added", "gt", "-30 days"), benchLeaf("and", "behaviors", "hit_url_count", "gt", 5)})
		default:
			f = mustJSON([]any{benchLeaf("and", "lead", "last_active", "lt", "-7 days"), benchLeaf("or", "lead", "firstname", "startsWith", "First4")})
		}
		putSegment(b, d, fmt.Sprintf("live-%02d", i), fmt.Sprintf("Live %d", i), f)
	}
}

func BenchmarkLiveOneContact50Segments(b *testing.B) {
	d, s := benchStore(b)
	ctx := context.Background()
	fiftySegments(b, d)
	b.Cleanup(func() {
		d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec("DELETE FROM segments WHERE id LIKE 'live-%'")
			return err
		})
	})
	if _, err := s.Evaluate(ctx, []string{"c00000001"}, benchNow, false); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for i := 0; i < b.N; i++ {
		id := fmt.Sprintf("c%08d", (i*104729)%envInt("MAGPIE_BENCH_CONTACTS", 1_000_000))
		if _, err := s.Evaluate(ctx, []string{id}, benchNow, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLiveNewHit50Segments(b *testing.B) {
	d, s := benchStore(b)
	ctx := context.Background()
	fiftySegments(b, d)
	b.Cleanup(func() {
		d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec("DELETE FROM segments WHERE id LIKE 'live-%'")
			return err
		})
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := fmt.Sprintf("c%08d", (i*7907)%envInt("MAGPIE_BENCH_CONTACTS", 1_000_000))
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := events.Append(tx, events.Event{ContactID: id, Type: events.PageHit, URL: "https://site.example/page/42"})
			return err
		}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Evaluate(ctx, []string{id}, benchNow, false); err != nil {
			b.Fatal(err)
		}
	}
}
