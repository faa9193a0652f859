package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"magpie/backend/assets"
	"magpie/backend/forms"
	"magpie/backend/ids"
	"magpie/backend/signing"
)

// Config is the tracker's settings.
type Config struct {
	PublicURL      string   // base URL the public reaches this tracker at (snippet, links)
	AllowedOrigins []string // CORS origins allowed to post events; empty = any origin
	IPMode         IPMode
	IPKey          []byte  // key of IPHash
	RatePerIP      float64 // requests/s per IP; 0 = no limit
	Burst          int
	TrustProxy     bool // take the client IP from X-Forwarded-For
	MaxEventBody   int64
	MaxFormBody    int64
	MaxQuery       int
	Signer         *signing.Signer
	// Webview renders the message a send delivered ("view in your browser" links); nil on a
	// tracker without the local store (the link then answers 404).
	Webview func(ctx context.Context, msgID string) (string, error)
	// Web serves landing pages, the preference center, dynamic web content and focus items
	// (web_content.go); nil on a tracker without a local store.
	Web *Web
	// Forms and Assets serve form definitions and asset files (webforms.go); nil = 404.
	Forms         forms.Reader
	Assets        assets.Reader
	FormRatePerIP float64 // form posts/s per IP (0 = default, <0 = no limit)
	FormBurst     int
	Log           *slog.Logger
	Now           func() time.Time
	// NetHTTP serves with net/http instead of fasthttp (fast.go); for comparisons.
	NetHTTP bool
}

// Defaults of the limits.
const (
	DefaultEventBody = 64 << 10
	DefaultFormBody  = 256 << 10
	DefaultMaxQuery  = 8 << 10
	maxFieldValue    = 4096
	maxFields        = 64
	maxURL           = 4096
)

// Cookie names (Mautic's, so existing snippets and sites keep working).
const (
	cookieDevice  = "mautic_device_id"
	cookieContact = "mtc_id"
	cookieSigned  = "magpie_ct" // signed contact id; mtc_id alone is never trusted
)

// Server is the tracker's HTTP edge.
type Server struct {
	cfg     Config
	spool   *Spool
	pump    *Pump
	metrics *Metrics
	limiter *Limiter
	log     *slog.Logger
	origins map[string]bool
	base    *url.URL
	mux     *http.ServeMux
	web     *web
}

// NewServer builds the handlers around an open spool; pump (optional) reports store health.
func NewServer(cfg Config, sp *Spool, pump *Pump, m *Metrics) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Signer == nil {
		return nil, errors.New("tracking: a signing secret is required")
	}
	if cfg.MaxEventBody <= 0 {
		cfg.MaxEventBody = DefaultEventBody
	}
	if cfg.MaxFormBody <= 0 {
		cfg.MaxFormBody = DefaultFormBody
	}
	if cfg.MaxQuery <= 0 {
		cfg.MaxQuery = DefaultMaxQuery
	}
	if cfg.IPMode == "" {
		cfg.IPMode = IPTruncate
	}
	base, err := ParsePublicURL(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = NewMetrics()
	}
	s := &Server{cfg: cfg, spool: sp, pump: pump, metrics: m, log: cfg.Log, base: base,
		limiter: NewLimiter(cfg.RatePerIP, cfg.Burst), origins: map[string]bool{}}
	for _, o := range cfg.AllowedOrigins {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			s.origins[strings.ToLower(o)] = true
		}
	}
	s.routes()
	return s, nil
}

// ParsePublicURL checks a tracker base URL (http or https, no query or fragment).
func ParsePublicURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("tracking: public URL %q must be an absolute http(s) URL without query, like https://t.example.com", raw)
	}
	return u, nil
}

// Metrics returns the server's counters.
func (s *Server) Metrics() *Metrics { return s.metrics }

func (s *Server) routes() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /mtc.js", s.mtcJS)
	mux.HandleFunc("POST /mtc/event", s.hit(s.mtcEvent))
	mux.HandleFunc("OPTIONS /mtc/event", s.preflight)
	mux.HandleFunc("GET /mtc", s.hit(s.mtcLookup))
	mux.HandleFunc("GET /mtracking.gif", s.hit(s.trackingGIF))
	mux.HandleFunc("GET /e/o/{token}", s.hit(s.openPixel))
	mux.HandleFunc("GET /email/{token}", s.hit(s.openPixel))
	mux.HandleFunc("GET /r/{token}", s.hit(s.click))
	mux.HandleFunc("GET /redirect/{token}", s.hit(s.click))
	mux.HandleFunc("GET /e/v/{token}", s.hit(s.webview))
	mux.HandleFunc("GET /e/u/{token}", s.hit(s.unsubPage))
	mux.HandleFunc("POST /e/u/{token}", s.hit(s.unsubPost))
	mux.HandleFunc("GET /email/unsubscribe/{token}", s.hit(s.unsubPage))
	mux.HandleFunc("POST /email/unsubscribe/{token}", s.hit(s.unsubPost))
	mux.HandleFunc("POST /form/submit", s.hit(s.formSubmit))
	mux.HandleFunc("POST /form/submit/ajax", s.hit(s.formSubmit))
	mux.HandleFunc("OPTIONS /form/submit/ajax", s.preflight)
	mux.HandleFunc("GET /health", s.health)
	mux.HandleFunc("GET /metrics", s.metricsText)
	s.webRoutes(mux)
	s.formRoutes(mux)
	s.mux = mux
}

// Handler is the tracker's root handler.
func (s *Server) Handler() http.Handler { return s.mux }

// HTTPServer wraps the handler with the tracker's timeouts and header limits.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{Addr: addr, Handler: s.mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 32 << 10,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
}

// reqErr is a refusal with an HTTP status and a message naming the bad part.
type reqErr struct {
	status int
	msg    string
}

func (e *reqErr) Error() string { return e.msg }

func bad(status int, format string, a ...any) error {
	return &reqErr{status: status, msg: fmt.Sprintf(format, a...)}
}

// hit wraps a hit handler: rate limit, query bound, latency, error answers and logs.
func (s *Server) hit(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ip := clientIP(r, s.cfg.TrustProxy)
		if !s.limiter.Allow(ip, start) {
			s.metrics.RateLimited.Add(1)
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		var err error
		if len(r.URL.RawQuery) > s.cfg.MaxQuery {
			err = bad(http.StatusRequestURITooLong, "query string is %d bytes (limit %d)", len(r.URL.RawQuery), s.cfg.MaxQuery)
		} else {
			err = h(w, r)
		}
		s.metrics.Observe(time.Since(start))
		if err == nil {
			return
		}
		var re *reqErr
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			re = &reqErr{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("body larger than %d bytes", mbe.Limit)}
		case errors.Is(err, ErrSpoolFull):
			s.metrics.SpoolFull.Add(1)
			re = &reqErr{status: http.StatusServiceUnavailable, msg: "tracker busy, try again later"}
			w.Header().Set("Retry-After", "5")
		case errors.As(err, &re):
		default:
			s.log.Error("tracking: request failed", "path", r.URL.Path, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if re.status < 500 {
			s.metrics.Rejected.Add(1)
		}
		s.log.Info("tracking: request refused", "path", r.URL.Path, "status", re.status, "reason", re.msg, "ip", privacyIP(ip, IPTruncate, nil))
		http.Error(w, re.msg, re.status)
	}
}

var recPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// accept spools a hit (fsynced) before the caller answers.
func (s *Server) accept(h *Hit) error {
	h.ID = ids.New()
	h.At = s.cfg.Now().UnixMilli()
	if h.UA != "" && ParseUA(h.UA).Bot {
		h.Bot = true
		s.metrics.Bots.Add(1)
	}
	// Encoded into a pooled buffer: Append copies the record into the spool's batch.
	bp := recPool.Get().(*[]byte)
	*bp = appendHit((*bp)[:0], h)
	err := s.spool.Append(*bp)
	if cap(*bp) <= 4096 {
		recPool.Put(bp)
	}
	if err != nil {
		return err
	}
	s.metrics.Accepted.Add(1)
	return nil
}

// baseHit fills what every hit carries: device, user agent, IP, language.
func (s *Server) baseHit(r *http.Request, kind Kind, device string) Hit {
	return s.baseHitV(netReq{r}, kind, device)
}

func (s *Server) baseHitV(r reqView, kind Kind, device string) Hit {
	ua := r.header("User-Agent")
	if len(ua) > 512 {
		ua = ua[:512]
	}
	lang := r.header("Accept-Language")
	if i := strings.IndexAny(lang, ",;"); i >= 0 {
		lang = lang[:i]
	}
	if len(lang) > 35 || hasControl(lang) {
		lang = ""
	}
	return Hit{Kind: kind, Device: device, UA: ua, Lang: lang,
		IP: privacyAddr(clientAddr(r, s.cfg.TrustProxy), s.cfg.IPMode, s.cfg.IPKey)}
}

// device returns the visitor's device id (cookie, then parameter), or a fresh one.
func (s *Server) device(r *http.Request, param string) (string, bool) {
	return s.deviceV(netReq{r}, param)
}

func (s *Server) deviceV(r reqView, param string) (string, bool) {
	if c := r.cookie(cookieDevice); ids.Valid(c) {
		return c, false
	}
	if ids.Valid(param) {
		return param, false
	}
	return ids.New(), true
}

// signedContact returns the contact id proven by the signed cookie, if any.
func (s *Server) signedContact(r *http.Request) string { return s.signedContactV(netReq{r}) }

func (s *Server) signedContactV(r reqView) string {
	c := r.cookie(cookieSigned)
	if c == "" {
		return ""
	}
	f, err := s.cfg.Signer.Verify("ct", c)
	if err != nil || len(f) != 1 || !ids.Valid(f[0]) {
		return ""
	}
	return f[0]
}

func (s *Server) setCookies(w http.ResponseWriter, device, contact string) {
	secure := s.base.Scheme == "https"
	h := w.Header()
	// Built by hand (same text as http.SetCookie): the values are checked UUIDs and signed
	// tokens (base64url and '.'), which need no sanitising, and this runs on every hit.
	h["Set-Cookie"] = append(h["Set-Cookie"], cookieLine(cookieDevice, device, 365*24*3600, false, secure))
	if contact != "" {
		h["Set-Cookie"] = append(h["Set-Cookie"], cookieLine(cookieContact, contact, 0, false, secure),
			cookieLine(cookieSigned, s.cfg.Signer.Sign("ct", 0, contact), 365*24*3600, true, secure))
	}
}

// cookieLine is a Set-Cookie value with path /, SameSite=None on https (Lax otherwise).
func cookieLine(name, value string, maxAge int, httpOnly, secure bool) string {
	b := appendCookie(make([]byte, 0, 48+len(name)+len(value)), name, value, maxAge, httpOnly, secure)
	return unsafe.String(&b[0], len(b)) // b is never written again: no copy
}

func appendCookie(b []byte, name, value string, maxAge int, httpOnly, secure bool) []byte {
	b = append(b, name...)
	b = append(b, '=')
	b = append(b, value...)
	b = append(b, "; Path=/"...)
	if maxAge > 0 {
		b = append(b, "; Max-Age="...)
		b = strconv.AppendInt(b, int64(maxAge), 10)
	}
	if httpOnly {
		b = append(b, "; HttpOnly"...)
	}
	if secure {
		b = append(b, "; Secure; SameSite=None"...)
	} else {
		b = append(b, "; SameSite=Lax"...)
	}
	return b
}

// cors checks the Origin header and sets the CORS answer headers; false = refused.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if !s.originAllowed(origin) {
		return false
	}
	h := w.Header()
	h["Access-Control-Allow-Origin"] = []string{origin}
	h["Access-Control-Allow-Credentials"] = hvTrue
	if v := h["Vary"]; v == nil {
		h["Vary"] = hvOrigin
	} else {
		h["Vary"] = append(slices.Clip(v), "Origin")
	}
	return true
}

// originAllowed says whether a (non-empty) Origin may call the tracker from a browser.
func (s *Server) originAllowed(origin string) bool {
	o := strings.ToLower(strings.TrimRight(origin, "/"))
	return len(s.origins) == 0 || s.origins[o] || o == strings.ToLower(s.base.Scheme+"://"+s.base.Host)
}

// Header values every hit answer carries, shared instead of allocated per request (net/http
// only reads header values; Header.Set and Add replace or extend the slice, never write into
// it, and each one has no spare capacity, so an append copies).
var (
	hvTrue    = []string{"true"}
	hvOrigin  = []string{"Origin"}
	hvJSON    = []string{"application/json"}
	hvNoStore = []string{"no-store"}
)

func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	if !s.cors(w, r) {
		s.metrics.Rejected.Add(1)
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type, X-Requested-With")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	failing := s.pump != nil && s.pump.Failing()
	snap := s.metrics.Snap(s.spool.Pending(), failing)
	status := "ok"
	code := http.StatusOK
	if failing {
		status = "degraded"
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"status": status, "metrics": snap})
}

func (s *Server) metricsText(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	s.metrics.Write(w, s.spool.Pending(), s.pump != nil && s.pump.Failing())
}

// Serve answers on ln until ctx ends, then shuts down gracefully (in-flight hits finish).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if !s.cfg.NetHTTP {
		return s.serveFast(ctx, ln)
	}
	srv := s.HTTPServer(ln.Addr().String())
	return serveUntil(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown)
}

// serveUntil runs serve until it fails or ctx ends; then shutdown gets 5 s to let in-flight
// requests finish (both HTTP fronts).
func serveUntil(ctx context.Context, serve func() error, shutdown func(context.Context) error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return shutdown(sctx)
	}
}
