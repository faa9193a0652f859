package tracking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"magpie/backend/forms"
)

// The tracker's HTTP front is fasthttp (net/http's per-request connection loop was about a
// quarter of a hit's CPU). The page-hit routes of mtc.js (POST /mtc/event, its image fallback
// GET /mtracking.gif) and the email open pixel (GET /e/o/{token}.gif, /email/{token}.gif) are
// served by native handlers below;
// every other route goes through fasthttpadaptor to the same net/http ServeMux, so the
// checks are shared. The limits of the
// net/http server are kept: header block ≤ 32 KiB, read 15 s, write 15 s, idle 120 s, no
// request body larger than the biggest route accepts (form uploads); each route still
// applies its own body limit. Config.NetHTTP serves everything with net/http instead.

// reqView is what the hit handlers read from a request, whichever server parsed it.
type reqView interface {
	header(name string) string // canonical name, "" when absent
	cookie(name string) string // "" when absent
	remoteAddr() string        // "host:port"
	remoteIP() netip.Addr      // the remote address's IP (invalid when it has none)
}

type netReq struct{ r *http.Request }

func (n netReq) header(k string) string { return n.r.Header.Get(k) }
func (n netReq) remoteAddr() string     { return n.r.RemoteAddr }
func (n netReq) remoteIP() netip.Addr {
	if ap, err := netip.ParseAddrPort(n.r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(n.r.RemoteAddr)
	return a.Unmap()
}
func (n netReq) cookie(k string) string {
	c, err := n.r.Cookie(k)
	if err != nil {
		return ""
	}
	return c.Value
}

// fastReq returns views of the request's bytes, valid until the handler returns: a hit is
// encoded into the spool before that, the answer copies what it writes, and what outlives
// the request is made anew or copied by its keeper (limiter keys and logged addresses are
// formatted from a netip.Addr, the user-agent cache clones its keys).
type fastReq struct{ c *fasthttp.RequestCtx }

func (f fastReq) header(k string) string { return b2s(f.c.Request.Header.Peek(k)) }
func (f fastReq) cookie(k string) string { return b2s(f.c.Request.Header.Cookie(k)) }
func (f fastReq) remoteAddr() string {
	if a := f.remoteIP(); a.IsValid() {
		return a.String() // the bare address: one string instead of host:port and a split
	}
	return f.c.RemoteAddr().String()
}
func (f fastReq) remoteIP() netip.Addr {
	a, _ := netip.AddrFromSlice(f.c.RemoteIP())
	return a.Unmap()
}

const (
	maxHeaderBytes = 32 << 10
	readTimeout    = 15 * time.Second
	writeTimeout   = 15 * time.Second
	idleTimeout    = 120 * time.Second
)

// FastHandler is the tracker's root handler for fasthttp.
func (s *Server) FastHandler() fasthttp.RequestHandler {
	slow := fasthttpadaptor.NewFastHTTPHandler(s.mux)
	return func(c *fasthttp.RequestCtx) {
		if c.IsPost() && string(c.Path()) == "/mtc/event" && fastEventType(c) {
			s.fastHit(c, s.fastEvent)
			return
		}
		if c.IsGet() {
			if string(c.Path()) == "/mtracking.gif" {
				s.fastHit(c, s.fastGIF)
				return
			}
			if tok := openToken(b2s(c.Path())); tok != "" {
				s.fastHit(c, func(c *fasthttp.RequestCtx, v reqView) error { return s.fastOpen(c, v, tok) })
				return
			}
		}
		slow(c)
	}
}

// openToken is the {token} of an email open pixel path (GET /e/o/{token} or /email/{token},
// one non-empty segment, as the mux matches them), or "".
func openToken(path string) string {
	tok, ok := strings.CutPrefix(path, "/e/o/")
	if !ok {
		if tok, ok = strings.CutPrefix(path, "/email/"); !ok {
			return ""
		}
	}
	if strings.IndexByte(tok, '/') >= 0 || tok == "." || tok == ".." {
		return ""
	}
	return tok
}

// fastOpen is openPixel on fasthttp (same checks, same answer).
func (s *Server) fastOpen(c *fasthttp.RequestCtx, v reqView, token string) error {
	tok, ok := strings.CutSuffix(token, ".gif")
	if !ok {
		return bad(http.StatusNotFound, "not found")
	}
	f, err := s.verify(PurposeOpen, tok, 3)
	if err != nil {
		return err
	}
	dev, _ := s.deviceV(v, "")
	h := s.baseHitV(v, KindOpen, dev)
	h.Send, h.Email, h.Contact = f[0], f[1], f[2]
	if err := s.accept(&h); err != nil {
		return err
	}
	fastGIFAnswer(c)
	return nil
}

// fastEventType: the native handler decodes form-urlencoded and JSON bodies; anything else
// (multipart, no type) keeps net/http's ParseForm semantics through the adaptor.
func fastEventType(c *fasthttp.RequestCtx) bool {
	switch mediaType(b2s(c.Request.Header.ContentType())) {
	case "application/x-www-form-urlencoded", "application/json", "text/plain":
		return true
	}
	return false
}

// b2s views b as a string without a copy; only for values not kept after the request.
func b2s(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// FastServer is the fasthttp server with the tracker's limits and timeouts.
func (s *Server) FastServer() *fasthttp.Server {
	return &fasthttp.Server{
		Handler:                      s.FastHandler(),
		ReadBufferSize:               maxHeaderBytes + 4<<10, // the request line and headers must fit: same bound as net/http's MaxHeaderBytes
		ReadTimeout:                  readTimeout,
		WriteTimeout:                 writeTimeout,
		IdleTimeout:                  idleTimeout,
		MaxRequestBodySize:           int(max(s.cfg.MaxFormBody, s.cfg.MaxEventBody, maxUploadBody)),
		HeaderReceived:               s.bodyLimit,
		ErrorHandler:                 s.fastParseError,
		DisablePreParseMultipartForm: true, // the handlers parse (and bound) multipart themselves
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		CloseOnShutdown:              true,
		Logger:                       fastLog{s.log},
	}
}

// bodyLimit bounds what fasthttp reads into memory before a handler runs (net/http's
// handlers stop reading at their MaxBytesReader instead): the page-hit body limit for
// /mtc/event, the upload limit for form posts, the form body limit for anything else.
func (s *Server) bodyLimit(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	path, _, _ := strings.Cut(b2s(h.RequestURI()), "?")
	switch {
	case path == "/mtc/event":
		return fasthttp.RequestConfig{MaxRequestBodySize: int(s.cfg.MaxEventBody)}
	case strings.HasPrefix(path, "/form/submit"):
		return fasthttp.RequestConfig{MaxRequestBodySize: int(max(s.cfg.MaxFormBody, maxUploadBody))}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: int(max(s.cfg.MaxFormBody, s.cfg.MaxEventBody))}
}

// fastParseError answers a request fasthttp could not read, as net/http would: 413 for a
// body over the route's limit (fasthttp's default says 400), 431 for a header block over
// 32 KiB, 408 on a read timeout, else 400; counted and logged like other refusals.
func (s *Server) fastParseError(c *fasthttp.RequestCtx, err error) {
	status, msg := http.StatusBadRequest, "malformed request"
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		status, msg = http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", s.bodyLimit(&c.Request.Header).MaxRequestBodySize)
	case errors.As(err, &small):
		status, msg = http.StatusRequestHeaderFieldsTooLarge, "request header fields too large"
	case errors.As(err, &ne) && ne.Timeout():
		status, msg = http.StatusRequestTimeout, "request timeout"
	}
	s.metrics.Rejected.Add(1)
	s.log.Info("tracking: request refused", "path", string(c.Path()), "status", status, "reason", msg, "err", err.Error(),
		"ip", privacyAddr(clientAddr(fastReq{c}, false), IPTruncate, nil))
	fastError(c, msg, status)
}

type fastLog struct{ l *slog.Logger }

func (f fastLog) Printf(format string, args ...any) {
	f.l.Warn("tracking: http server", "msg", fmt.Sprintf(format, args...))
}

// fastHit is hit() for native handlers: rate limit, query bound, latency, error answers, logs.
func (s *Server) fastHit(c *fasthttp.RequestCtx, h func(*fasthttp.RequestCtx, reqView) error) {
	start := time.Now()
	v := fastReq{c}
	if s.limiter != nil && !s.limiter.Allow(clientIPv(v, s.cfg.TrustProxy), start) { // the key string only when limiting
		s.metrics.RateLimited.Add(1)
		c.Response.Header.Set("Retry-After", "1")
		fastError(c, "too many requests", http.StatusTooManyRequests)
		return
	}
	var err error
	if q := c.URI().QueryString(); len(q) > s.cfg.MaxQuery {
		err = bad(http.StatusRequestURITooLong, "query string is %d bytes (limit %d)", len(q), s.cfg.MaxQuery)
	} else {
		err = h(c, v)
	}
	s.metrics.Observe(time.Since(start))
	diag.add(&diag.handler, time.Since(start))
	if err == nil {
		return
	}
	var re *reqErr
	switch {
	case errors.Is(err, ErrSpoolFull):
		s.metrics.SpoolFull.Add(1)
		re = &reqErr{status: http.StatusServiceUnavailable, msg: "tracker busy, try again later"}
		c.Response.Header.Set("Retry-After", "5")
	case errors.As(err, &re):
	default:
		s.log.Error("tracking: request failed", "path", string(c.Path()), "err", err)
		fastError(c, "internal error", http.StatusInternalServerError)
		return
	}
	if re.status < 500 {
		s.metrics.Rejected.Add(1)
	}
	s.log.Info("tracking: request refused", "path", string(c.Path()), "status", re.status, "reason", re.msg, "ip", privacyAddr(clientAddr(v, s.cfg.TrustProxy), IPTruncate, nil))
	fastError(c, re.msg, re.status)
}

// fastError answers like http.Error.
func fastError(c *fasthttp.RequestCtx, msg string, status int) {
	c.Response.ResetBody()
	c.Response.Header.Del("Content-Length")
	c.SetStatusCode(status)
	c.Response.Header.Set("Content-Type", "text/plain; charset=utf-8")
	c.Response.Header.Set("X-Content-Type-Options", "nosniff")
	c.Response.AppendBodyString(msg)
	c.Response.AppendBodyString("\n")
}

// fastEvent is mtcEvent on fasthttp (same checks, same answer).
func (s *Server) fastEvent(c *fasthttp.RequestCtx, v reqView) error {
	if origin := c.Request.Header.Peek("Origin"); len(origin) > 0 {
		if !s.originAllowed(b2s(origin)) {
			return bad(http.StatusForbidden, "origin %.80q is not allowed", origin)
		}
		c.Response.Header.SetBytesV("Access-Control-Allow-Origin", origin)
		c.Response.Header.Set("Access-Control-Allow-Credentials", "true")
		c.Response.Header.Set("Vary", "Origin")
	}
	body := c.PostBody()
	if int64(len(body)) > s.cfg.MaxEventBody {
		return &reqErr{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("body larger than %d bytes", s.cfg.MaxEventBody)}
	}
	// The parameters are views of the body; the hit is encoded into the spool before return.
	m := hitMaps.Get().(*pageMaps)
	defer m.put()
	if err := bodyParams(mediaType(b2s(c.Request.Header.ContentType())), b2s(body), m.p); err != nil {
		return err
	}
	h, err := s.acceptPageHit(v, m.p, m.data)
	if err != nil {
		return err
	}
	contact := h.Contact
	if contact == "" {
		contact = VisitorID(h.Device)
	}
	rh := &c.Response.Header
	s.fastCookies(rh, &h)
	rh.SetContentType("application/json")
	rh.Set("Cache-Control", "no-store")
	// Ids are UUIDs (checked), so the answer needs no JSON escaping.
	for _, part := range [...]string{`{"success":1,"id":"`, contact, `","sid":"`, h.Device, `","device_id":"`, h.Device, `","events":{}}` + "\n"} {
		c.Response.AppendBodyString(part)
	}
	return nil
}

// hitMaps holds the maps of finished page hits for the next ones: a hit's parameters and
// its data are views or copies that live only until its answer is written (the hit is
// encoded into the spool before), and at ≈ 300 bytes each the two maps were a fifth of the
// bytes a hit allocated.
var hitMaps = sync.Pool{New: func() any {
	return &pageMaps{p: make(map[string]string, 8), data: make(map[string]string, 8)}
}}

type pageMaps struct{ p, data map[string]string }

// put clears the maps and keeps them for another hit, unless a request made them large.
func (m *pageMaps) put() {
	if len(m.p) > 16 || len(m.data) > 16 {
		return
	}
	clear(m.p)
	clear(m.data)
	hitMaps.Put(m)
}

// fastCookies is setCookies on fasthttp.
func (s *Server) fastCookies(rh *fasthttp.ResponseHeader, h *Hit) {
	secure := s.base.Scheme == "https"
	var buf [256]byte // fasthttp copies header values: the lines are built on the stack
	rh.AddBytesV("Set-Cookie", appendCookie(buf[:0], cookieDevice, h.Device, 365*24*3600, false, secure))
	if h.Contact != "" {
		rh.AddBytesV("Set-Cookie", appendCookie(buf[:0], cookieContact, h.Contact, 0, false, secure))
		rh.AddBytesV("Set-Cookie", appendCookie(buf[:0], cookieSigned, s.cfg.Signer.Sign("ct", 0, h.Contact), 365*24*3600, true, secure))
	}
}

// fastGIF is trackingGIF on fasthttp (the query parsed as url.Query does).
func (s *Server) fastGIF(c *fasthttp.RequestCtx, v reqView) error {
	q, _ := url.ParseQuery(string(c.URI().QueryString()))
	p, err := gifParams(q)
	if err != nil {
		return err
	}
	h, err := s.acceptPageHit(v, p, nil)
	if err != nil {
		return err
	}
	s.fastCookies(&c.Response.Header, &h)
	fastGIFAnswer(c)
	return nil
}

func fastGIFAnswer(c *fasthttp.RequestCtx) {
	rh := &c.Response.Header
	rh.SetContentType("image/gif")
	rh.Set("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")
	rh.Set("Pragma", "no-cache")
	c.Response.SetBody(gif1x1)
}

// serveFast answers on ln with fasthttp until ctx ends, then shuts down gracefully.
func (s *Server) serveFast(ctx context.Context, ln net.Listener) error {
	srv := s.FastServer()
	return serveUntil(ctx, func() error { return srv.Serve(ln) }, srv.ShutdownWithContext)
}

// maxUploadBody is the largest body any route reads (form posts with files, as formSubmit).
const maxUploadBody = forms.MaxUploadTotal + 64<<10
