// Package trackingtest is the tracker's bounded load generator: keep-alive clients posting
// mtc.js page hits to a tracker on loopback for a fixed time, recording every latency.
// Used by tests/bench/trackload (the `make bench` figures) and the rqlite benchmark test.
//
// The generator shares the machine's cores with the tracker it measures, so it is kept cheap:
// each client is one raw keep-alive TCP connection that writes a hand-built HTTP/1.1 request
// and reads the answer with a small parser (status line, Content-Length or chunked body),
// instead of net/http's client (which costs several times the tracker's own handler).
package trackingtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
)

// Options bound a load run.
type Options struct {
	URL         string        // tracker base URL (loopback only)
	Concurrency int           // parallel keep-alive clients (default 32)
	Duration    time.Duration // how long to send (default 10 s)
	Max         int           // stop after this many requests (0 = no bound besides Duration)
	Devices     int           // distinct visitor devices (default 10,000)
	Origin      string        // Origin header (default https://www.example.com)
	// Request, when set, builds each whole HTTP/1.1 request (appended to req) instead of an
	// mtc.js page hit: other public routes (landing pages, DWC, focus, form posts).
	Request func(rnd *rand.Rand, device string, req []byte) []byte
	// Status is the answer that counts as success (default 200).
	Status int
	// Engine picks the client: "" = one goroutine per keep-alive connection; "epoll" = one
	// OS thread driving every connection through epoll (Linux; like wrk: a write and a read
	// per request, no goroutine wake-ups), the cheapest for the shared cores.
	Engine string
	// Rate, when > 0, makes the run open-loop (epoll engine only; like wrk2): request k is due
	// at start + k/Rate and is sent then on an idle connection, and its latency is counted
	// from that due time — a request that waited for a free connection counts its wait
	// (no coordinated omission). 0 = closed loop: each connection sends again on its answer.
	Rate float64
}

// Head is the start of a request to path on the tracker at base (method, host, browser
// headers, Origin), ready for more headers and the blank line.
func Head(method, base, path, origin string) string {
	u, _ := url.Parse(base)
	return method + " " + strings.TrimRight(u.Path, "/") + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nOrigin: " + origin +
		"\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36" +
		"\r\nAccept-Language: en-US,en;q=0.9\r\n"
}

// Result is what a run measured.
type Result struct {
	Requests  int           `json:"requests"`
	OK        int           `json:"ok"`
	Errors    int           `json:"errors"`
	Elapsed   time.Duration `json:"elapsed_ns"`
	PerSecond float64       `json:"per_second"`
	P50       time.Duration `json:"p50_ns"`
	P90       time.Duration `json:"p90_ns"`
	P99       time.Duration `json:"p99_ns"`
	P999      time.Duration `json:"p999_ns"`
	Max       time.Duration `json:"max_ns"`
	// CPU is the user+system CPU time this process used during the run (for the standalone
	// trackload command: the load generator's own cost).
	CPU      time.Duration `json:"cpu_ns"`
	FirstErr string        `json:"first_error,omitempty"`
}

func (r Result) String() string {
	return fmt.Sprintf("%d requests (%d ok, %d errors) in %.2fs = %.0f req/s; latency p50 %.2fms p90 %.2fms p99 %.2fms p99.9 %.2fms max %.2fms; process CPU %.2fs",
		r.Requests, r.OK, r.Errors, r.Elapsed.Seconds(), r.PerSecond, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.P999), ms(r.Max), r.CPU.Seconds())
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// CPUTime is this process's user+system CPU time.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Run sends page hits until the duration or the request bound is reached.
func Run(ctx context.Context, o Options) (Result, error) {
	u, err := url.Parse(o.URL)
	if err != nil {
		return Result{}, err
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return Result{}, fmt.Errorf("trackingtest: load only goes to loopback, not %s", u.Host)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Devices <= 0 {
		o.Devices = 10000
	}
	if o.Origin == "" {
		o.Origin = "https://www.example.com"
	}
	if o.Status == 0 {
		o.Status = 200
	}
	devices := make([]string, o.Devices)
	for i := range devices {
		devices[i] = uuid.Must(uuid.NewV7()).String()
	}
	// 500 pages × 8 mediums, form-encoded once.
	pages := make([]string, 500*8)
	for i := range pages {
		pages[i] = url.QueryEscape(fmt.Sprintf("https://www.example.com/p/%d?utm_source=bench&utm_medium=w%d", i/8, i%8))
	}
	head := "POST " + strings.TrimRight(u.Path, "/") + "/mtc/event HTTP/1.1\r\nHost: " + u.Host +
		"\r\nContent-Type: application/x-www-form-urlencoded\r\nOrigin: " + o.Origin +
		"\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36" +
		"\r\nAccept-Language: en-US,en;q=0.9\r\nContent-Length: "
	// build appends one whole request to req.
	build := func(rnd *rand.Rand, body, req []byte) ([]byte, []byte) {
		if o.Request != nil {
			return body, o.Request(rnd, devices[rnd.Intn(len(devices))], req)
		}
		body = append(body[:0], "page_url="...)
		body = append(body, pages[rnd.Intn(len(pages))]...)
		body = append(body, "&page_title=Bench+page&page_referrer=https%3A%2F%2Fsearch.example.org%2F&mautic_device_id="...)
		body = append(body, devices[rnd.Intn(len(devices))]...)
		body = append(body, "&resolution=1920x1080"...)
		req = append(req, head...)
		req = strconv.AppendInt(req, int64(len(body)), 10)
		req = append(req, "\r\n\r\n"...)
		return body, append(req, body...)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	if o.Rate > 0 && o.Engine != "epoll" {
		return Result{}, fmt.Errorf("trackingtest: a fixed rate needs the epoll engine")
	}
	if o.Engine == "epoll" {
		return runEpoll(ctx, u.Host, o, build)
	}
	var mu sync.Mutex
	var lats []time.Duration
	var res Result
	var sent atomic.Int64
	var wg sync.WaitGroup
	cpu0 := CPUTime()
	start := time.Now()
	for w := 0; w < o.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rnd := rand.New(rand.NewSource(int64(w)))
			local := make([]time.Duration, 0, 1<<14)
			var ok, bad int
			var firstErr string
			fail := func(err string) {
				bad++
				if firstErr == "" {
					firstErr = err
				}
			}
			var c *conn
			defer func() {
				if c != nil {
					c.Close()
				}
			}()
			var body, req []byte
			for ctx.Err() == nil {
				if o.Max > 0 && sent.Add(1) > int64(o.Max) {
					break
				}
				if c == nil {
					nc, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
					if err != nil {
						fail(err.Error())
						time.Sleep(10 * time.Millisecond)
						continue
					}
					c = &conn{Conn: nc, r: bufio.NewReaderSize(nc, 4096)}
				}
				body, req = build(rnd, body, req[:0])
				t0 := time.Now()
				c.SetDeadline(t0.Add(10 * time.Second))
				status, err := c.roundTrip(req)
				local = append(local, time.Since(t0))
				switch {
				case err != nil:
					fail(err.Error())
					c.Close()
					c = nil
				case status != o.Status:
					fail("HTTP " + strconv.Itoa(status))
				default:
					ok++
				}
				if c != nil && c.closing {
					c.Close()
					c = nil
				}
			}
			mu.Lock()
			lats = append(lats, local...)
			res.OK += ok
			res.Errors += bad
			if res.FirstErr == "" {
				res.FirstErr = firstErr
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	return finish(res, lats, start, cpu0)
}

// finish computes the rates and latency quantiles of a run.
func finish(res Result, lats []time.Duration, start time.Time, cpu0 time.Duration) (Result, error) {
	res.Elapsed = time.Since(start)
	res.CPU = CPUTime() - cpu0
	res.Requests = len(lats)
	if len(lats) == 0 {
		return res, fmt.Errorf("trackingtest: no request completed")
	}
	slices.Sort(lats)
	q := func(p float64) time.Duration { return lats[min(len(lats)-1, int(float64(len(lats))*p))] }
	res.P50, res.P90, res.P99, res.P999, res.Max = q(0.50), q(0.90), q(0.99), q(0.999), lats[len(lats)-1]
	res.PerSecond = float64(res.OK) / res.Elapsed.Seconds()
	return res, nil
}

// conn is one keep-alive HTTP/1.1 client connection.
type conn struct {
	net.Conn
	r       *bufio.Reader
	closing bool // the server said Connection: close
}

var errProto = errors.New("trackingtest: malformed HTTP answer")

// roundTrip writes one request and reads its answer (status and body, discarded).
func (c *conn) roundTrip(req []byte) (int, error) {
	if _, err := c.Write(req); err != nil {
		return 0, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, errProto
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, errProto
	}
	length, chunked, closing := -1, false, false
	for {
		line, err = c.r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(line) <= 2 {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, errProto
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(v)); err != nil {
				return 0, errProto
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			closing = bytes.EqualFold(v, []byte("close"))
		}
	}
	switch {
	case chunked:
		for {
			line, err = c.r.ReadSlice('\n')
			if err != nil {
				return 0, err
			}
			n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 32)
			if err != nil {
				return 0, errProto
			}
			if _, err := c.r.Discard(int(n) + 2); err != nil {
				return 0, err
			}
			if n == 0 {
				break
			}
		}
	case length >= 0:
		if _, err := c.r.Discard(length); err != nil {
			return 0, err
		}
	default:
		return 0, errProto
	}
	c.closing = closing
	return status, nil
}
