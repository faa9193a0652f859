// Package bridge serves the app in a browser: the built frontend, one generic RPC endpoint
// over the very structs the desktop window binds, and server-sent events for the bus.
//
//	POST /rpc/app.Contacts.List   body: JSON array of arguments → {"result": …} | {"error": …}
//	GET  /events                  text/event-stream of {"name": …, "data": …}
//	POST /upload                  multipart "file" → {"path": …} (browser file pickers)
//	GET  /download?path=…         files the app exported into its data dir
//
// It listens on loopback only and requires a per-launch token: the printed URL carries
// ?token=…, which the server trades for an HttpOnly, SameSite=Strict cookie. Host and Origin
// are checked on every call, against DNS rebinding and other local pages.
package bridge

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"

	"magpie/app"
	"magpie/backend/ids"
)

const cookieName = "magpie_token"

// Options configure the bridge.
type Options struct {
	Bindings []any
	Assets   fs.FS // the built frontend (index.html at the root)
	Token    string
	// DataDir bounds uploads (DataDir/uploads) and downloads (anything inside DataDir).
	DataDir string
	// MaxUpload is the largest accepted upload (bytes).
	MaxUpload int64
	Log       *slog.Logger
}

// Server is the HTTP side of browser mode.
type Server struct {
	opt     Options
	methods map[string]reflect.Value
	static  http.Handler

	mu      sync.Mutex
	clients map[chan []byte]struct{}
}

// NewToken returns a random per-launch token.
func NewToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// New builds the server; it reflects over the bindings the way Wails does
// (window.go.<package>.<Type>.<Method>).
func New(opt Options) *Server {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.MaxUpload == 0 {
		opt.MaxUpload = 2 << 30
	}
	s := &Server{opt: opt, methods: map[string]reflect.Value{}, clients: map[chan []byte]struct{}{}}
	for _, b := range opt.Bindings {
		v := reflect.ValueOf(b)
		t := v.Type()
		pkg := t.Elem().PkgPath()
		pkg = pkg[strings.LastIndex(pkg, "/")+1:]
		for i := 0; i < t.NumMethod(); i++ {
			m := t.Method(i)
			s.methods[pkg+"."+t.Elem().Name()+"."+m.Name] = v.Method(i)
		}
	}
	if opt.Assets != nil {
		s.static = http.FileServer(http.FS(opt.Assets))
	}
	return s
}

// Methods lists the callable names (for tests and diagnostics).
func (s *Server) Methods() []string {
	out := make([]string, 0, len(s.methods))
	for k := range s.methods {
		out = append(out, k)
	}
	return out
}

// Emit sends an event to every connected browser.
func (s *Server) Emit(name string, data any) {
	b, err := json.Marshal(map[string]any{"name": name, "data": data})
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		select {
		case c <- b:
		default: // a slow browser misses events rather than stalling the backend
		}
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !loopbackHost(r.Host) {
		http.Error(w, "forbidden host", http.StatusForbidden)
		return
	}
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
		http.Error(w, "forbidden origin", http.StatusForbidden)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if t := r.URL.Query().Get("token"); t != "" && r.Method == http.MethodGet {
		if !s.tokenOK(t) {
			http.Error(w, "wrong token", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.opt.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		q := r.URL.Query()
		q.Del("token")
		u := *r.URL
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/rpc/"):
		if s.authorized(w, r) {
			s.rpc(w, r)
		}
	case r.URL.Path == "/events":
		if s.authorized(w, r) {
			s.events(w, r)
		}
	case r.URL.Path == "/upload":
		if s.authorized(w, r) {
			s.upload(w, r)
		}
	case r.URL.Path == "/download":
		if s.authorized(w, r) {
			s.download(w, r)
		}
	default:
		if s.static == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-src 'self' blob: data:; connect-src 'self'")
		s.static.ServeHTTP(w, r)
	}
}

func (s *Server) tokenOK(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.opt.Token)) == 1
}

func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	c, err := r.Cookie(cookieName)
	if err == nil && s.tokenOK(c.Value) {
		return true
	}
	if t := r.Header.Get("X-Magpie-Token"); t != "" && s.tokenOK(t) {
		return true
	}
	writeJSON(w, http.StatusUnauthorized, map[string]any{"error": app.ErrorView{Code: "forbidden", Key: "errors.token",
		Message: "this browser tab has no valid session; open the URL Magpie printed when it started"}})
	return false
}

func loopbackHost(hostport string) bool {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		h = hostport
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) rpc(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/rpc/")
	m, ok := s.methods[name]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": app.ErrorView{Code: "not_found", Key: "errors.noMethod",
			Message: "no such method " + name}})
		return
	}
	var raw []json.RawMessage
	body := http.MaxBytesReader(w, r.Body, 64<<20)
	if err := json.NewDecoder(body).Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": app.ErrorView{Code: "invalid", Key: "errors.badRequest",
			Message: "arguments must be a JSON array: " + err.Error()}})
		return
	}
	mt := m.Type()
	if len(raw) > mt.NumIn() {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": app.ErrorView{Code: "invalid", Key: "errors.badRequest",
			Message: fmt.Sprintf("%s takes %d arguments, got %d", name, mt.NumIn(), len(raw))}})
		return
	}
	args := make([]reflect.Value, mt.NumIn())
	for i := range args {
		p := reflect.New(mt.In(i))
		if i < len(raw) && len(raw[i]) > 0 && string(raw[i]) != "null" {
			if err := json.Unmarshal(raw[i], p.Interface()); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"error": app.ErrorView{Code: "invalid", Key: "errors.badRequest",
					Message: fmt.Sprintf("%s argument %d: %v", name, i+1, err)}})
				return
			}
		}
		args[i] = p.Elem()
	}
	out, panicErr := call(m, args)
	if panicErr != nil {
		ev := app.FormatError(panicErr)
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": ev})
		return
	}
	var result any
	for _, v := range out {
		if v.Type().Implements(errorType) {
			if !v.IsNil() {
				ev := app.FormatError(v.Interface().(error))
				writeJSON(w, statusOf(ev.Code), map[string]any{"error": ev})
				return
			}
			continue
		}
		result = v.Interface()
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": result})
}

func call(m reflect.Value, args []reflect.Value) (out []reflect.Value, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("bridge: panic in call: %v", v)
		}
	}()
	return m.Call(args), nil
}

func statusOf(code string) int {
	switch code {
	case "invalid":
		return http.StatusBadRequest
	case "not_found":
		return http.StatusNotFound
	case "conflict":
		return http.StatusConflict
	case "forbidden":
		return http.StatusForbidden
	case "unavailable":
		return http.StatusServiceUnavailable
	case "canceled":
		return 499
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	c := make(chan []byte, 256)
	s.mu.Lock()
	s.clients[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
	}()
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case b := <-c:
			fmt.Fprintf(w, "data: %s\n\n", b)
			fl.Flush()
		}
	}
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxUpload)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": app.ErrorView{Code: "invalid", Key: "errors.upload", Message: "upload failed: " + err.Error()}})
		return
	}
	defer f.Close()
	dir := filepath.Join(s.opt.DataDir, "uploads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": app.FormatError(err)})
		return
	}
	name := filepath.Base(hdr.Filename)
	dst := filepath.Join(dir, ids.New()+"-"+name)
	out, err := os.Create(dst)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": app.FormatError(err)})
		return
	}
	if _, err := io.Copy(out, f); err != nil {
		out.Close()
		os.Remove(dst)
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": app.ErrorView{Code: "invalid", Key: "errors.upload", Message: "upload failed: " + err.Error()}})
		return
	}
	if err := out.Close(); err != nil {
		os.Remove(dst)
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": app.FormatError(err)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": map[string]string{"path": dst, "name": name}})
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	p := filepath.Clean(r.URL.Query().Get("path"))
	root := filepath.Clean(s.opt.DataDir) + string(filepath.Separator)
	if !strings.HasPrefix(p, root) {
		http.Error(w, "not an exported file", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filepath.Base(p)))
	http.ServeFile(w, r, p)
}
