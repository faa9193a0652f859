//go:build unix

package emails

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/internal/smtptest"
	"magpie/backend/sending"
)

// cpuTime is the process's user+system CPU time: on a shared, overloaded machine it says
// what the work costs when wall time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchN reads a size from the environment (tests/bench/emails.sh sets the full sizes).
func benchN(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// bulkContacts inserts n contacts and their membership of segment "s" set-based (a benchmark
// fixture: real imports go through contacts.Ops).
func bulkContacts(b testing.TB, d *db.DB, n int) {
	b.Helper()
	now := time.Now().UnixMilli()
	stmts := []string{
		fmt.Sprintf(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %d)
		INSERT INTO contacts(id, firstname, lastname, email, date_added, date_modified)
		SELECT printf('c%%08d', i), 'Name' || i, 'Last' || i, 'user' || i || '@example.com', %d, %d FROM seq`, n, now, now),
		`INSERT INTO test_members(segment_id, contact_id) SELECT 's', id FROM contacts`,
		`CREATE INDEX test_members_seg ON test_members(segment_id, manually_removed, contact_id)`,
	}
	for _, q := range stmts {
		if _, err := d.W.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueueSegment: queueing a segment email for N recipients (one INSERT … SELECT).
func BenchmarkQueueSegment(b *testing.B) {
	n := benchN("EMAILS_BENCH_QUEUE", 100_000)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFixture(b)
		bulkContacts(b, f.db, n)
		f.s.SaveSettings(f.ctx, Settings{DefaultFrom: "news@magpie.test"})
		e := f.segmentEmail(sampleHTML, "s")
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		res, err := f.s.QueueSegment(f.ctx, e.ID)
		el, cpu := time.Since(start), cpuTime()-cpu0
		if err != nil || res.Queued != int64(n) {
			b.Fatalf("%+v %v", res, err)
		}
		b.ReportMetric(el.Seconds(), "s/queue")
		b.ReportMetric(cpu.Seconds(), "cpu-s/queue")
		b.ReportMetric(float64(n)/el.Seconds(), "recipients/s")
		b.ReportMetric(float64(n), "recipients")
	}
}

// BenchmarkDrainSMTP: render + send N messages to a loopback SMTP server (go-smtp, in
// process, sharing the CPUs) over pooled connections, committing state per batch.
func BenchmarkDrainSMTP(b *testing.B) {
	n := benchN("EMAILS_BENCH_SEND", 5_000)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFixture(b)
		srv := smtptest.Start(b)
		srv.Discard = true
		bulkContacts(b, f.db, n)
		if err := f.s.SaveSettings(f.ctx, Settings{SMTP: sending.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", Connections: 4},
			DefaultFrom: "news@magpie.test"}); err != nil {
			b.Fatal(err)
		}
		e := f.segmentEmail(sampleHTML, "s")
		if _, err := f.s.QueueSegment(f.ctx, e.ID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		st, err := f.s.Drain(f.ctx, DrainOptions{})
		el, cpu := time.Since(start), cpuTime()-cpu0
		if err != nil || st.Sent != int64(n) || srv.Count() != n {
			b.Fatalf("%+v %v (server got %d)", st, err, srv.Count())
		}
		b.ReportMetric(float64(n)/el.Seconds(), "msgs/s")
		// Sender and SMTP server share this process: messages per CPU-second of both.
		b.ReportMetric(float64(n)/cpu.Seconds(), "msgs/cpu-s")
	}
}

// BenchmarkDrainMemory: render and "send" N messages (Null mailer) while sampling the heap:
// memory stays flat because the queue is read and committed in batches.
func BenchmarkDrainMemory(b *testing.B) {
	n := benchN("EMAILS_BENCH_MEM", 50_000)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFixture(b)
		bulkContacts(b, f.db, n)
		f.s.SaveSettings(f.ctx, Settings{DefaultFrom: "news@magpie.test"})
		f.s.SetMailer(func(Settings) (sending.Mailer, error) { return sending.Null{}, nil })
		e := f.segmentEmail(sampleHTML, "s")
		f.s.QueueSegment(f.ctx, e.ID)
		runtime.GC()
		var mu sync.Mutex
		var samples []uint64
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					mu.Lock()
					samples = append(samples, ms.HeapInuse)
					mu.Unlock()
				}
			}
		}()
		b.StartTimer()
		start := time.Now()
		st, err := f.s.Drain(f.ctx, DrainOptions{Workers: 2})
		el := time.Since(start)
		cancel()
		if err != nil || st.Sent != int64(n) {
			b.Fatalf("%+v %v", st, err)
		}
		mu.Lock()
		var lo, hi uint64 = ^uint64(0), 0
		q := len(samples) / 4 // ignore warm-up
		for _, s := range samples[q:] {
			lo, hi = min(lo, s), max(hi, s)
		}
		mu.Unlock()
		b.ReportMetric(float64(n)/el.Seconds(), "msgs/s")
		b.ReportMetric(float64(hi)/(1<<20), "MiB-heap-max")
		b.ReportMetric(float64(lo)/(1<<20), "MiB-heap-min")
	}
}
