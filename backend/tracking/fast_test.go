package tracking

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"

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
	var req fasthttp.Request
	if err := req.Read(bufio.NewReaderSize(&wire, maxHeaderBytes+4<<10)); err != nil { // the server's ReadBufferSize
		panic(err)
	}
	var addr net.Addr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1234}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		addr = net.TCPAddrFromAddrPort(ap)
	}
	var c fasthttp.RequestCtx
	c.Init(&req, addr, nil)
	s.FastHandler()(&c)
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
