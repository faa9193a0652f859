// Package smtptest is a real SMTP server for tests (emersion/go-smtp on 127.0.0.1:0) that
// records every accepted message and can be told to refuse recipients or fail temporarily.
package smtptest

import (
	"errors"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From   string
	To     []string
	Raw    []byte
	Header mail.Header
	Body   string
}

// Server is a running test SMTP server.
type Server struct {
	Addr string
	Host string
	Port int
	// Discard counts accepted messages without keeping them (benchmarks).
	Discard bool

	count    int
	mu       sync.Mutex
	msgs     []Message
	reject   map[string]*smtp.SMTPError // recipient -> error
	failNext int                        // temporary failures to return on DATA
	srv      *smtp.Server
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{reject: map[string]*smtp.SMTPError{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 32 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.srv = srv
	s.Addr = ln.Addr().String()
	s.Host = "127.0.0.1"
	s.Port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// Reject makes RCPT TO for addr fail with code (e.g. 550 permanent, 451 temporary).
func (s *Server) Reject(addr string, code int, msg string) {
	s.mu.Lock()
	s.reject[strings.ToLower(addr)] = &smtp.SMTPError{Code: code, Message: msg}
	s.mu.Unlock()
}

// FailNext makes the next n DATA commands fail with a temporary 451.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

// Count is the number of accepted messages.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Messages returns a copy of the accepted messages.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.from = from; return nil }

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	e := x.s.reject[strings.ToLower(to)]
	x.s.mu.Unlock()
	if e != nil {
		return e
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.failNext > 0 {
		x.s.failNext--
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	x.s.count++
	if x.s.Discard {
		return nil
	}
	m := Message{From: x.from, To: append([]string(nil), x.to...), Raw: raw}
	if pm, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		m.Header = pm.Header
		b, _ := io.ReadAll(pm.Body)
		m.Body = string(b)
	} else {
		return errors.New("smtptest: unparsable message: " + err.Error())
	}
	x.s.msgs = append(x.s.msgs, m)
	return nil
}
