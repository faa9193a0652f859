package trackingtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseAnswer(t *testing.T) {
	tests := []struct {
		name          string
		in            string
		status, n     int
		closing       bool
		short, broken bool
	}{
		{name: "content-length", in: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", status: 200, n: 41},
		{name: "next answer after it", in: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\nHTTP/1.1", status: 404, n: 45},
		{name: "close", in: "HTTP/1.1 503 x\r\nconnection: close\r\nContent-Length: 1\r\n\r\nz", status: 503, n: 57, closing: true},
		{name: "chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", status: 200, n: 60},
		{name: "headers cut", in: "HTTP/1.1 200 OK\r\nContent-Len", short: true},
		{name: "body cut", in: "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", short: true},
		{name: "chunk cut", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab", short: true},
		{name: "no length", in: "HTTP/1.1 200 OK\r\nX: y\r\n\r\n", broken: true},
		{name: "not http", in: "SSH-2.0-OpenSSH\r\n\r\n", broken: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, n, closing, err := parseAnswer([]byte(tc.in))
			switch {
			case tc.short:
				if err != errShort {
					t.Fatalf("err = %v, want incomplete", err)
				}
			case tc.broken:
				if err != errProto {
					t.Fatalf("err = %v, want malformed", err)
				}
			case err != nil || status != tc.status || n != tc.n || closing != tc.closing:
				t.Fatalf("= %d, %d, %v, %v; want %d, %d, %v", status, n, closing, err, tc.status, tc.n, tc.closing)
			}
		})
	}
}

// TestEngines: both clients count every answer of a server that mixes short answers, chunked
// ones and connection closes, and stop at the request bound.
func TestEngines(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch n := hits.Add(1); {
		case n%7 == 0:
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		case n%5 == 0:
			io.WriteString(w, strings.Repeat("x", 9000)) // chunked: larger than the buffer
		default:
			io.WriteString(w, `{"success":1}`)
		}
	}))
	defer srv.Close()
	type run struct {
		engine string
		rate   float64
	}
	runs := []run{{engine: ""}}
	if runtime.GOOS == "linux" {
		// Open loop at 3,000/s: 300 requests are due over 100 ms, so the run cannot end sooner.
		runs = append(runs, run{engine: "epoll"}, run{engine: "epoll", rate: 3000})
	}
	for _, r := range runs {
		t.Run(fmt.Sprintf("engine=%s,rate=%g", r.engine, r.rate), func(t *testing.T) {
			before := hits.Load()
			res, err := Run(context.Background(), Options{URL: srv.URL, Concurrency: 8, Duration: 20 * time.Second, Max: 300, Devices: 10,
				Engine: r.engine, Rate: r.rate})
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != 300 || res.Errors != 0 || res.Requests != 300 || hits.Load()-before != 300 {
				t.Fatalf("ok %d errors %d (%s) requests %d, server saw %d; want 300 ok", res.OK, res.Errors, res.FirstErr, res.Requests, hits.Load()-before)
			}
			if r.rate > 0 && res.Elapsed < 99*time.Millisecond {
				t.Fatalf("300 requests at %g/s took %v: sent faster than the rate", r.rate, res.Elapsed)
			}
		})
	}
	if _, err := Run(context.Background(), Options{URL: srv.URL, Rate: 10}); err == nil {
		t.Fatal("a fixed rate was accepted without the epoll engine")
	}
}
