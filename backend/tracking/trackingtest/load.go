// Package trackingtest is the tracker's bounded load generator: keep-alive clients posting
// mtc.js page hits to a tracker on loopback for a fixed time, recording every latency.
// Used by tests/bench/trackload (the `make bench` figures) and the rqlite benchmark test.
package trackingtest

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
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
	Max       time.Duration `json:"max_ns"`
	FirstErr  string        `json:"first_error,omitempty"`
}

func (r Result) String() string {
	return fmt.Sprintf("%d requests (%d ok, %d errors) in %.2fs = %.0f req/s; latency p50 %.2fms p90 %.2fms p99 %.2fms max %.2fms",
		r.Requests, r.OK, r.Errors, r.Elapsed.Seconds(), r.PerSecond, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max))
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

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
	devices := make([]string, o.Devices)
	for i := range devices {
		devices[i] = uuid.Must(uuid.NewV7()).String()
	}
	tr := &http.Transport{MaxIdleConns: o.Concurrency, MaxIdleConnsPerHost: o.Concurrency, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var mu sync.Mutex
	var lats []time.Duration
	var res Result
	var sent int
	var wg sync.WaitGroup
	start := time.Now()
	target := strings.TrimRight(o.URL, "/") + "/mtc/event"
	for w := 0; w < o.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rnd := rand.New(rand.NewSource(int64(w)))
			local := make([]time.Duration, 0, 1<<14)
			var ok, bad int
			var firstErr string
			for i := 0; ctx.Err() == nil; i++ {
				if o.Max > 0 {
					mu.Lock()
					if sent >= o.Max {
						mu.Unlock()
						break
					}
					sent++
					mu.Unlock()
				}
				body := url.Values{"page_url": {fmt.Sprintf("https://www.example.com/p/%d?utm_source=bench&utm_medium=w%d", rnd.Intn(500), w%8)},
					"page_title": {"Bench page"}, "page_referrer": {"https://search.example.org/"},
					"mautic_device_id": {devices[rnd.Intn(len(devices))]}, "resolution": {"1920x1080"}}.Encode()
				req, _ := http.NewRequestWithContext(context.Background(), "POST", target, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", o.Origin)
				req.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				local = append(local, time.Since(t0))
				switch {
				case err != nil:
					bad++
					if firstErr == "" {
						firstErr = err.Error()
					}
				case resp.StatusCode != 200:
					bad++
					if firstErr == "" {
						firstErr = resp.Status
					}
				default:
					ok++
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
	res.Elapsed = time.Since(start)
	res.Requests = len(lats)
	if len(lats) == 0 {
		return res, fmt.Errorf("trackingtest: no request completed")
	}
	slices.Sort(lats)
	q := func(p float64) time.Duration { return lats[min(len(lats)-1, int(float64(len(lats))*p))] }
	res.P50, res.P90, res.P99, res.Max = q(0.50), q(0.90), q(0.99), lats[len(lats)-1]
	res.PerSecond = float64(res.OK) / res.Elapsed.Seconds()
	return res, nil
}
