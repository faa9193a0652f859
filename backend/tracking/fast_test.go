package tracking

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// The unit tests drive the server through its production front, fasthttp (native page-hit
// handler, the rest through the adaptor): a request is written out as net/http would send
// it, parsed by fasthttp, served, and the answer parsed back by net/http into a recorder.
// MAGPIE_TRACKER_NETHTTP=1 runs them against the net/http handler instead.
var viaNetHTTP = os.Getenv("MAGPIE_TRACKER_NETHTTP") != ""

func serveTest(s *Server, w *httptest.ResponseRecorder, r *http.Request) {
	if viaNetHTTP {
		s.Handler().ServeHTTP(w, r)
		return
	}
	var wire bytes.Buffer
	if err := r.Write(&wire); err != nil {
		panic(err)
	}
	var addr net.Addr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1234}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		addr = net.TCPAddrFromAddrPort(ap)
	}
	var req fasthttp.Request
	var c fasthttp.RequestCtx
	// The server's ReadBufferSize bounds the header block; its body limit is the route's.
	br := bufio.NewReaderSize(&wire, maxHeaderBytes+4<<10)
	err := req.Header.Read(br)
	if err == nil {
		err = req.ContinueReadBody(br, s.bodyLimit(&req.Header).MaxRequestBodySize, false)
	}
	c.Init(&req, addr, nil)
	if err != nil {
		s.fastParseError(&c, err)
	} else {
		s.FastHandler()(&c)
	}
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	if err := c.Response.Write(bw); err != nil {
		panic(err)
	}
	bw.Flush()
	res, err := http.ReadResponse(bufio.NewReader(&out), r)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	for k, vv := range res.Header {
		w.Header()[k] = vv
	}
	w.WriteHeader(res.StatusCode)
	if _, err := w.Body.ReadFrom(res.Body); err != nil {
		panic(err)
	}
}

// utmParams must read a page URL's query as u.Query().Get did.
func TestUTMParamsMatchQuery(t *testing.T) {
	queries := []string{
		"utm_source=news&utm_campaign=spring",
		"utm_source=a&utm_source=b",
		"utm_source=&utm_source=b",
		"utm%5Fsource=esc&utm_medium=m%20x+y",
		"utm_source=a;b&utm_term=t",
		"utm_source=%zz&utm_source=ok",
		"x=1&utm_content=" + strings.Repeat("é", 200),
		"utm_term",
		"utm_campaign=a&&utm_medium=%E2%82%AC",
		"UTM_SOURCE=upper&utm_sourcex=no",
	}
	for _, q := range queries {
		want := map[string]string{}
		vals, _ := url.ParseQuery(q)
		for _, k := range []string{"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"} {
			if v := vals.Get(k); v != "" {
				want[k] = truncate(v, 255)
			}
		}
		got := map[string]string{}
		utmParams(q, got)
		if !maps.Equal(got, want) {
			t.Errorf("utmParams(%q) = %v, want %v", q, got, want)
		}
	}
}

// The real fasthttp server keeps net/http's limits: the route's body bound is applied before
// the body is read into memory, oversized header blocks are refused, and a page hit works
// over a keep-alive connection.
func TestFastServerLimits(t *testing.T) {
	f := newFixture(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.serveFast(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	base := "http://" + ln.Addr().String()
	ok := url.Values{"page_url": {"https://www.example.com/"}}.Encode()
	tests := []struct {
		name, method, path, ct string
		body                   string
		length                 int    // only announce a body this long (refused before it is sent)
		header                 string // a header value of this size
		want                   int
	}{
		{"page hit", "POST", "/mtc/event", formCT, ok, 0, "", 200},
		{"page hit over the event body limit", "POST", "/mtc/event", formCT, "", DefaultEventBody + 1, "", 413},
		{"form post over the form body limit", "POST", "/form/submit", formCT, "a=" + strings.Repeat("a", DefaultFormBody), 0, "", 413},
		{"form post under the upload limit reaches the handler", "POST", "/form/submit", "multipart/form-data; boundary=x", strings.Repeat("a", DefaultFormBody+1), 0, "", 400},
		{"form post over the upload limit", "POST", "/form/submit", "multipart/form-data; boundary=x", "", maxUploadBody + 1, "", 413},
		{"other post over the form body limit", "POST", "/focus/x/view", formCT, "", DefaultFormBody + 1, "", 413},
		{"header block over 32 KiB", "GET", "/health", "", "", 0, strings.Repeat("h", 40<<10), 431},
		{"health", "GET", "/health", "", "", 0, "", 200},
		{"unknown path", "GET", "/nope/nope", "", "", 0, "", 404},
	}
	for _, tc := range tests {
		if tc.length > 0 {
			t.Run(tc.name, func(t *testing.T) {
				conn, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: t\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", tc.method, tc.path, tc.ct, tc.length)
				res, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != tc.want {
					t.Fatalf("status %d, want %d", res.StatusCode, tc.want)
				}
			})
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
			if tc.ct != "" {
				r.Header.Set("Content-Type", tc.ct)
			}
			if tc.header != "" {
				r.Header.Set("X-Big", tc.header)
			}
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.want, msg)
			}
		})
	}
}
