package campaigns

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
)

// benchContacts is MAGPIE_BENCH_CONTACTS (default 20,000; make bench uses 1,000,000).
func benchContacts() int {
	if n, err := strconv.Atoi(os.Getenv("MAGPIE_BENCH_CONTACTS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// benchContactID is the SQL (over seq.k) of the k-th benchmark contact's id: shaped like
// the UUIDv7 ids.New gives real contacts (36 bytes, one contact per millisecond from
// 2026-01-01, so ids sort by creation), so keys are as long as in the app and the links
// derived near a contact (ids.DerivedNear) cluster as they do there.
const benchContactID = `printf('%08x-%04x-7000-8000-%012x', (1767225600000 + k) >> 16, (1767225600000 + k) & 65535, k)`

// benchID is benchContactID in Go.
func benchID(k int) string {
	ms := int64(1767225600000) + int64(k)
	return fmt.Sprintf("%08x-%04x-7000-8000-%012x", ms>>16, ms&65535, k)
}

// benchBatch is MAGPIE_BENCH_BATCH (0 = the runner's default).
func benchBatch() int {
	n, _ := strconv.Atoi(os.Getenv("MAGPIE_BENCH_BATCH"))
	return n
}

// benchIDs gives the events UUID-shaped ids, as the builder does (crypto.randomUUID), when
// MAGPIE_BENCH_LONGIDS=1, as in the app, not 3–5 byte ones (campaign_log names a step by its
// local integer key since migration 0090: only campaign_step_keys and campaign_steps carry
// the ids).
func benchIDs(evs []Event) []Event {
	if os.Getenv("MAGPIE_BENCH_LONGIDS") != "1" {
		return evs
	}
	long := map[string]string{}
	for i, e := range evs {
		long[e.ID] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i+1, i+1)
	}
	for i := range evs {
		evs[i].ID = long[evs[i].ID]
		if evs[i].Parent != nil {
			p := long[*evs[i].Parent]
			evs[i].Parent = &p
		}
	}
	return evs
}

// BenchmarkFiveSteps: N contacts enter a campaign of five steps — condition (valid
// email), tag, points, send email (queued for the sender; no SMTP), decision (opens email;
// nobody opens, so the no path fires after a day) — and run to the end with a virtual
// clock. Reported: contact-steps per second over entry + every run, entry time, and the
// Go heap after the run (memory stays flat: batches of 5,000 rows).
func BenchmarkFiveSteps(b *testing.B) {
	n := benchContacts()
	if v := os.Getenv("MAGPIE_BENCH_BULKCACHE"); v != "" {
		was := runBulkCache
		runBulkCache = v == "1"
		defer func() { runBulkCache = was }()
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFixture(b)
		all := f.benchSegment(n)
		mail := f.email("Welcome")
		c, err := f.s.Save(f.ctx, Input{Name: "Bench", Graph: Graph{Sources: segSource(all), Events: benchIDs(fiveSteps(mail))}})
		if err != nil {
			b.Fatal(err)
		}
		// MAGPIE_BENCH_PRAGMAS ("a=1;b=2") tunes the writer connection for experiments.
		for _, p := range strings.Split(os.Getenv("MAGPIE_BENCH_PRAGMAS"), ";") {
			if p = strings.TrimSpace(p); p != "" {
				if _, err := f.d.W.Exec("PRAGMA " + p); err != nil {
					b.Fatal(err)
				}
			}
		}
		// MAGPIE_BENCH_PAGESIZE rebuilds the store with that page size (default 4096) before
		// the timing: the readers' idle connections are closed so the writer may leave WAL
		// mode, VACUUM, and come back.
		if ps := os.Getenv("MAGPIE_BENCH_PAGESIZE"); ps != "" {
			f.d.R.SetMaxIdleConns(0)
			f.d.M.SetMaxIdleConns(0)
			for _, q := range []string{"PRAGMA journal_mode=DELETE", "PRAGMA page_size=" + ps, "VACUUM", "PRAGMA journal_mode=WAL"} {
				if _, err := f.d.W.Exec(q); err != nil {
					b.Fatalf("%s: %v", q, err)
				}
			}
			var got string
			if err := f.d.W.QueryRow("PRAGMA page_size").Scan(&got); err != nil || got != ps {
				b.Fatalf("page_size = %s (%v), want %s", got, err, ps)
			}
			f.d.R.SetMaxIdleConns(max(runtime.NumCPU()*2, 4)) // as db.Open
			f.d.M.SetMaxIdleConns(2)
		}
		// MAGPIE_BENCH_SQL ("stmt;stmt") runs on the writer before the timing: ablations
		// (e.g. dropping an index or trigger to measure what it costs), never in make bench.
		for _, q := range strings.Split(os.Getenv("MAGPIE_BENCH_SQL"), ";") {
			if q = strings.TrimSpace(q); q != "" {
				if _, err := f.d.W.Exec(q); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StartTimer()
		cpu0 := cpuTime()
		start := time.Now()
		if _, err := f.s.Publish(f.ctx, c.ID); err != nil {
			b.Fatal(err)
		}
		entry := time.Since(start)
		st1 := f.run()
		st2 := f.advance(25 * time.Hour)
		elapsed := time.Since(start)
		cpu := cpuTime() - cpu0
		b.StopTimer()
		steps := st1.Steps + st2.Steps
		if want := 6 * n; steps != want {
			b.Fatalf("steps = %d, want %d", steps, want)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(steps)/elapsed.Seconds(), "steps/s")
		// The machine is shared: steps per second of this process's CPU time (user + system)
		// is the figure that does not depend on the other processes' load.
		b.ReportMetric(float64(steps)/cpu.Seconds(), "steps/cpu-s")
		b.ReportMetric(float64(entry.Milliseconds()), "entry-ms")
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
		f.d.Close()
	}
}

// cpuTime is the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecisionLatency: contacts wait on "opens email"; each op stores one open (its
// own transaction, as tracking ingest does per batch) and the decision fires inside it.
// ns/op is the time from the open's append to the committed yes path.
func BenchmarkDecisionLatency(b *testing.B) {
	n := 20000
	f := newFixture(b)
	all := f.benchSegment(n)
	mail := f.email("Welcome")
	f.publish("Latency", false, Graph{Sources: segSource(all), Events: []Event{
		root("send", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		child("yes", "open", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"opened"}}),
	}})
	f.run()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cid := benchID(i%n + 1)
		if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
			_, err := events.Append(tx, events.Event{ContactID: cid, Type: events.EmailRead, ObjectID: mail})
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var fired int
	f.d.R.QueryRow("SELECT count(*) FROM campaign_log_ids WHERE event_id = 'open' AND path = 'yes'").Scan(&fired)
	if want := min(b.N, n); fired != want {
		b.Fatalf("fired %d decisions, want %d", fired, want)
	}
}

// benchSegment inserts n contacts with the benchmark's ids and an email each, and returns
// the id of a segment "All" of every contact with an email.
func (f *fixture) benchSegment(n int) string {
	f.t.Helper()
	if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`WITH RECURSIVE seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < ?)
			INSERT INTO contacts(id, email, firstname, date_added, date_modified)
			SELECT `+benchContactID+`, 'user' || k || '@example.com', 'User' || k, ?, ? FROM seq`, n, tx.NowMs(), tx.NowMs())
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return f.segment("All", `[{"glue":"and","field":"email","object":"lead","type":"email","operator":"!empty"}]`)
}
