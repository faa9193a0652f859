package tracking

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/ids"
	"magpie/backend/internal/testenv"
	"magpie/backend/rqlite/rqlitetest"
	"magpie/backend/signing"
	"magpie/backend/teamsync"
	"magpie/backend/tracking/trackingtest"
)

// These are the `make bench` measurements (tests/bench/tracking.sh); they only run with
// MAGPIE_BENCH=1 and print their figures. No timing is asserted in unit tests.

func benchOnly(t *testing.T) {
	if os.Getenv("MAGPIE_BENCH") == "" {
		t.Skip("set MAGPIE_BENCH=1 to run the tracking benchmarks")
	}
}

// TestBenchRqliteStore: page hits over HTTP into a tracker whose store is the rqlite
// stand-in; every accepted hit must be in the cluster exactly once.
func TestBenchRqliteStore(t *testing.T) {
	benchOnly(t)
	rq := rqlitetest.New(t, rqlitetest.Options{})
	store := newRqliteStore(t, rq)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	sg, _ := signing.New([]byte(strings.Repeat("b", 32)))
	ctx, cancel := context.WithCancel(context.Background())
	var metrics *Metrics
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Addr: addr, SpoolDir: t.TempDir(), Spool: SpoolOptions{Preallocate: true}, Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Config: Config{PublicURL: "http://" + addr, Signer: sg},
			Ready:  func(_ string, m *Metrics) { metrics = m; close(ready) }})
	}()
	<-ready
	dur := time.Duration(envInt("MAGPIE_BENCH_SECONDS", 10)) * time.Second
	start := time.Now()
	res, err := trackingtest.Run(context.Background(), trackingtest.Options{URL: "http://" + addr,
		Concurrency: envInt("MAGPIE_BENCH_CONC", 32), Duration: dur, Engine: os.Getenv("MAGPIE_BENCH_ENGINE")})
	if err != nil {
		t.Fatal(err)
	}
	for metrics.Stored.Load() < metrics.Accepted.Load() && time.Since(start) < dur+60*time.Second {
		time.Sleep(5 * time.Millisecond)
	}
	drained := time.Since(start)
	cancel()
	<-done
	var rows, distinct int
	rq.DB().QueryRow("SELECT count(*), count(DISTINCT id) FROM hits").Scan(&rows, &distinct)
	batches := metrics.StoreBatches.Load()
	fmt.Printf("BENCH tracking.rqlite %s\n", res)
	fmt.Printf("BENCH tracking.rqlite stored %d of %d accepted into the rqlite stand-in in %.2fs = %.0f hits/s sustained; %d batches (mean %.0f hits), rows %d distinct %d\n",
		metrics.Stored.Load(), metrics.Accepted.Load(), drained.Seconds(), float64(rows)/drained.Seconds(), batches,
		float64(metrics.Stored.Load())/float64(max(batches, 1)), rows, distinct)
	if int64(rows) != metrics.Accepted.Load() || rows != distinct || rows < res.OK {
		t.Fatalf("hits lost or duplicated: accepted %d, answered ok %d, in cluster %d (%d distinct)", metrics.Accepted.Load(), res.OK, rows, distinct)
	}
}

// TestBenchIngest: N queued hits (default 1M: page views from 100k devices, 2% form
// submissions identifying the visitor, 3% email opens) turned into contacts and events.
func TestBenchIngest(t *testing.T) {
	benchOnly(t)
	n := envInt("MAGPIE_BENCH_HITS", 1_000_000)
	devices := max(n/10, 1)
	d, _ := testenv.NewDB(t)
	ctx := context.Background()
	t0 := time.Now()
	// Ids as the tracker makes them: UUIDv7 stamped with the hit's time, and each device
	// (cookie) stamped with the time of its first hit. By default hit i goes to device
	// (i·7919) mod devices, whose first hit is (device·7919⁻¹) mod devices (or devices for
	// device 0).
	//
	// MAGPIE_BENCH_STREAM=sessions: the same devices, kinds and URLs, but hits arrive as
	// real traffic does — each visit is 4 page views 20 s apart (2,000 visits interleaved, so
	// a visit's views mostly fall in one batch; visit v = block·2000 + slot gets hits
	// block·8000 + slot + 1 + k·2000, k < 4), visit v comes from device (v·7919) mod devices,
	// so a device comes back for 2–3 visits spread over the stream. The default stream sends
	// every device one hit per 10,000 (the worst case for per-batch aggregation: no contact
	// twice in a batch). Both are generated without materializing anything (the seeding
	// once took the process's peak RSS to 566 MB with a GROUP BY).
	inv := int64(0)
	if m := new(big.Int).ModInverse(big.NewInt(7919), big.NewInt(int64(devices))); m != nil {
		inv = m.Int64()
	}
	sessions := os.Getenv("MAGPIE_BENCH_STREAM") == "sessions"
	err := d.Write(ctx, func(tx *db.Tx) error {
		dev, first := `(i * 7919) % ?2`, `CASE WHEN dev = 0 THEN ?2 ELSE dev * ?3 % ?2 END`
		if sessions {
			dev = `((((i - 1) / 8000) * 2000 + (i - 1) % 2000) * 7919) % ?2`
			first = `((dev * ?3 % ?2) / 2000) * 8000 + (dev * ?3 % ?2) % 2000 + 1`
		}
		_, err := tx.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?1),
			h0(i, at, dev) AS (SELECT i, 1767225600000 + i * 10, `+dev+` FROM s),
			h(i, at, dev, first) AS (SELECT i, at, dev, 1767225600000 + 10 * (`+first+`) FROM h0)
			INSERT INTO hits(id, kind, at, device_id, url, title, referrer, user_agent, ip, data)
			SELECT printf('%08x-%04x-7000-8000-%012d', at >> 16, at & 65535, i),
			  CASE WHEN i % 50 = 7 THEN 'form' ELSE 'page' END,
			  at,
			  printf('%08x-%04x-7000-9000-%012d', first >> 16, first & 65535, dev),
			  printf('https://www.example.com/p/%d?utm_source=s%d&utm_medium=email', i % 300, i % 5),
			  'Page', 'https://search.example.org/',
			  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
			  '203.0.113.0',
			  CASE WHEN i % 50 = 7 THEN printf('{"field.email":"v%d@example.com","field.firstname":"V%d"}', dev, i)
			       ELSE '{"utm_source":"s","utm_medium":"email"}' END
			FROM h`, n, devices, inv)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if sessions {
		// Each device's id must carry the time of its first hit: check the formula.
		var bad int
		if err := d.R.QueryRow(`SELECT count(*) FROM (SELECT device_id, min(at) AS first FROM hits GROUP BY device_id)
			WHERE printf('%08x-%04x', first >> 16, first & 65535) <> substr(device_id, 1, 13)`).Scan(&bad); err != nil || bad != 0 {
			t.Fatalf("%d devices whose id does not carry their first hit (%v)", bad, err)
		}
	}
	seeded := time.Since(t0)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("MAGPIE_BENCH_SYNC") != "" {
		// As in the app (core.Open): the sync recorder installed, so every recorded write of
		// a synced table also writes its clocks and outbox row (sync itself stays off).
		if _, err := teamsync.Open(ctx, d, teamsync.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	g := &Ingester{Contacts: contacts.New(d, fs), Batch: envInt("MAGPIE_BENCH_BATCH", 5000), NoCatchUp: os.Getenv("MAGPIE_BENCH_NOCATCHUP") != "",
		CarryMax: envInt("MAGPIE_BENCH_CARRYMAX", 0)}
	start, cpu0 := time.Now(), cpuTime()
	var total, merges, created int
	for {
		st, err := g.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Hits == 0 {
			break
		}
		total += st.Hits
		merges += st.Merges
		created += st.Contacts
	}
	el, cpu := time.Since(start), cpuTime()-cpu0
	var evs int
	d.R.QueryRow("SELECT count(*) FROM events WHERE type IN ('page.hit', 'form.submitted')").Scan(&evs)
	fmt.Printf("BENCH tracking.ingest catch-up end: carried aggregates written in %.2fs, indexes rebuilt in %.2fs\n",
		g.LastCatchUp.Carry.Seconds(), g.LastCatchUp.Rebuild.Seconds())
	fmt.Printf("BENCH tracking.ingest seeded %d hits in %.1fs; ingested %d hits in %.2fs = %.0f hits/s (CPU %.2fs = %.0f hits per CPU-second); %d contacts created, %d merges, %d hit events; peak RSS %s\n",
		n, seeded.Seconds(), total, el.Seconds(), float64(total)/el.Seconds(), cpu.Seconds(), float64(total)/cpu.Seconds(), created, merges, evs, peakRSS())
	if total != n || evs != n {
		t.Fatalf("ingested %d hits into %d events, want %d", total, evs, n)
	}
}

// cpuTime is the process's user+system CPU time (figures stay meaningful on a busy machine).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS reads the process's peak resident set (VmHWM) on Linux.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "n/a"
}

// BenchmarkPageHitHandler: one mtc.js page hit through the handler and the spool (fsync per
// group commit), requests in parallel.
func BenchmarkPageHitHandler(b *testing.B) {
	for _, nosync := range []bool{false, true} {
		b.Run(fmt.Sprintf("nosync=%v", nosync), func(b *testing.B) {
			sp, err := OpenSpool(b.TempDir(), SpoolOptions{NoSync: nosync})
			if err != nil {
				b.Fatal(err)
			}
			defer sp.Close()
			sg, _ := signing.New([]byte(strings.Repeat("k", 32)))
			s, _ := NewServer(Config{PublicURL: testBase, Signer: sg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, sp, nil, nil)
			body := url.Values{"page_url": {"https://www.example.com/p/1?utm_source=x"}, "page_title": {"T"}}.Encode()
			stop, consumed := make(chan struct{}), make(chan struct{})
			go func() { // consume like the pump, so the spool bound is never hit
				defer close(consumed)
				for {
					recs, _ := sp.Read(500, stop)
					if len(recs) == 0 {
						return
					}
					sp.Commit(recs[len(recs)-1].End)
				}
			}()
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := httptest.NewRequest("POST", "/mtc/event", strings.NewReader(body))
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					r.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
					w := httptest.NewRecorder()
					s.Handler().ServeHTTP(w, r)
					if w.Code != 200 {
						b.Fatalf("status %d", w.Code)
					}
				}
			})
			b.StopTimer()
			close(stop)
			<-consumed
		})
	}
}

// BenchmarkPageHitFast: the same page hit through the fasthttp front's native handler (the
// request parsed once per goroutine; the handler, the spool and the answer per iteration).
func BenchmarkPageHitFast(b *testing.B) {
	sp, err := OpenSpool(b.TempDir(), SpoolOptions{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	sg, _ := signing.New([]byte(strings.Repeat("k", 32)))
	s, _ := NewServer(Config{PublicURL: testBase, Signer: sg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, sp, nil, nil)
	body := url.Values{"page_url": {"https://www.example.com/p/1?utm_source=x"}, "page_title": {"T"}}.Encode()
	stop, consumed := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(consumed)
		for {
			recs, _ := sp.Read(500, stop)
			if len(recs) == 0 {
				return
			}
			sp.Commit(recs[len(recs)-1].End)
		}
	}()
	h := s.FastHandler()
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var req fasthttp.Request
		req.Header.SetMethod("POST")
		req.SetRequestURI("/mtc/event")
		req.Header.SetContentType("application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
		req.Header.SetCookie(cookieDevice, ids.New())
		req.SetBodyString(body)
		var c fasthttp.RequestCtx
		c.Init(&req, &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 5555}, nil)
		for pb.Next() {
			c.Response.Reset()
			h(&c)
			if c.Response.StatusCode() != 200 {
				b.Fatalf("status %d: %s", c.Response.StatusCode(), c.Response.Body())
			}
		}
	})
	b.StopTimer()
	close(stop)
	<-consumed
}

// BenchmarkOpenPixel: a signed open pixel, natively on fasthttp
// in-process, through the fasthttp front and through net/http directly: allocations and CPU
// without the connection loops.
func BenchmarkOpenPixel(b *testing.B) {
	sp, err := OpenSpool(b.TempDir(), SpoolOptions{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	sg, _ := signing.New([]byte(strings.Repeat("k", 32)))
	s, _ := NewServer(Config{PublicURL: testBase, Signer: sg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, sp, nil, nil)
	stop, consumed := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(consumed)
		for {
			recs, _ := sp.Read(500, stop)
			if len(recs) == 0 {
				return
			}
			sp.Commit(recs[len(recs)-1].End)
		}
	}()
	defer func() { close(stop); <-consumed }()
	path := strings.TrimPrefix(Links{Base: testBase, Signer: sg}.Open("m1", "e1", ids.New()), testBase)
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	b.Run("fasthttp", func(b *testing.B) {
		h := s.FastHandler()
		b.ReportAllocs()
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			var req fasthttp.Request
			req.SetRequestURI(path)
			req.Header.Set("User-Agent", ua)
			var c fasthttp.RequestCtx
			c.Init(&req, &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 5555}, nil)
			for pb.Next() {
				c.Response.Reset()
				h(&c)
				if c.Response.StatusCode() != 200 {
					b.Fatalf("status %d", c.Response.StatusCode())
				}
			}
		})
	})
	b.Run("net-http", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r := httptest.NewRequest("GET", path, nil)
				r.Header.Set("User-Agent", ua)
				w := httptest.NewRecorder()
				s.Handler().ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	})
}
