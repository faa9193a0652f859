package sending

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Mailer sends messages. Implementations must be safe for concurrent use.
type Mailer interface {
	Send(ctx context.Context, m *Message) error
	Close() error
}

// SMTPConfig is what the SMTP settings screen edits.
type SMTPConfig struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	TLS      string `json:"tls"`  // "starttls" (required), "opportunistic", "tls" (implicit, port 465), "none"
	Auth     string `json:"auth"` // "", "plain", "login", "cram-md5", "xoauth2"
	Username string `json:"username"`
	Password string `json:"-"` // kept outside the database file by the caller
	// Connections is the pool size (parallel SMTP sessions), default 2.
	Connections int `json:"connections"`
	// PerSecond and PerHour cap the send rate (0 = unlimited).
	PerSecond int    `json:"perSecond"`
	PerHour   int    `json:"perHour"`
	HELO      string `json:"helo"`
	// InsecureSkipVerify accepts any certificate (self-signed relays on a LAN).
	InsecureSkipVerify bool          `json:"insecureSkipVerify"`
	Timeout            time.Duration `json:"-"`
}

// Errors of a failed send.
var (
	// ErrTemporary marks a failure worth retrying later (4xx, network, timeouts).
	ErrTemporary = errors.New("sending: temporary failure")
	// ErrPermanent marks a refusal that retrying will not fix (5xx): a hard bounce when it
	// concerns the recipient.
	ErrPermanent = errors.New("sending: permanent failure")
)

// SendError describes a failed send.
type SendError struct {
	Kind error // ErrTemporary or ErrPermanent
	Code int   // SMTP reply code when known
	// Recipient is true when the server refused the recipient (RCPT TO), i.e. a bounce.
	Recipient bool
	Err       error
}

func (e *SendError) Error() string {
	s := e.Kind.Error()
	if e.Code > 0 {
		s += fmt.Sprintf(" (%d)", e.Code)
	}
	return s + ": " + e.Err.Error()
}

func (e *SendError) Unwrap() []error { return []error{e.Kind, e.Err} }

// classify maps a go-mail error.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		kind := ErrTemporary
		if code >= 500 || (!se.IsTemp() && code >= 500) {
			kind = ErrPermanent
		}
		return &SendError{Kind: kind, Code: code, Recipient: se.Reason == gomail.ErrSMTPRcptTo, Err: err}
	}
	if errors.Is(err, ErrInvalid) {
		return &SendError{Kind: ErrPermanent, Err: err}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return &SendError{Kind: ErrTemporary, Err: err}
	}
	// Authentication and TLS errors are configuration problems: retrying the same
	// message will not help, but they are not the recipient's fault either.
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "auth") || strings.Contains(msg, "tls") || strings.Contains(msg, "certificate") {
		return &SendError{Kind: ErrPermanent, Err: err}
	}
	return &SendError{Kind: ErrTemporary, Err: err}
}

// SMTP is a Mailer over a pool of reused SMTP connections.
type SMTP struct {
	cfg   SMTPConfig
	pool  chan *conn
	limit *Limiter
	once  sync.Once
}

type conn struct {
	c      *gomail.Client
	dialed bool
	used   time.Time
}

// NewSMTP validates cfg and returns a mailer; connections open lazily.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp: host is required")
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == "tls" {
			cfg.Port = 465
		}
	}
	if cfg.Connections <= 0 {
		cfg.Connections = 2
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	s := &SMTP{cfg: cfg, pool: make(chan *conn, cfg.Connections), limit: NewLimiter(cfg.PerSecond, cfg.PerHour)}
	for i := 0; i < cfg.Connections; i++ {
		c, err := s.client()
		if err != nil {
			return nil, err
		}
		s.pool <- &conn{c: c}
	}
	return s, nil
}

func (s *SMTP) client() (*gomail.Client, error) {
	// No NOOP before and no RSET after each message: a session is ready for the next MAIL
	// FROM once DATA is accepted (RFC 5321 §4.1.1.4), the round trips would halve the rate,
	// and Send must return as soon as the server's 250 is read so the caller can journal
	// the acceptance at once. A pooled connection the server dropped is redialed below.
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout), gomail.WithoutNoop(),
		gomail.WithoutRset()}
	tc := &tls.Config{ServerName: s.cfg.Host, InsecureSkipVerify: s.cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	opts = append(opts, gomail.WithTLSConfig(tc))
	switch s.cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "opportunistic":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "", "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		return nil, fmt.Errorf("smtp: unknown TLS mode %q", s.cfg.TLS)
	}
	if s.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HELO))
	}
	switch strings.ToLower(s.cfg.Auth) {
	case "":
	case "plain":
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain))
	case "login":
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthLogin))
	case "cram-md5":
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthCramMD5))
	case "xoauth2":
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthXOAUTH2))
	default:
		return nil, fmt.Errorf("smtp: unknown auth %q", s.cfg.Auth)
	}
	if s.cfg.Auth != "" {
		opts = append(opts, gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// Send delivers m on a pooled connection (dialing or redialing as needed), after waiting
// for the rate limiter.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	if err := m.Validate(); err != nil {
		return classify(err)
	}
	msg, err := m.build()
	if err != nil {
		return classify(err)
	}
	if err := s.limit.Wait(ctx); err != nil {
		return err
	}
	var c *conn
	select {
	case c = <-s.pool:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { s.pool <- c }()
	// A connection idle for long may have been closed by the server: start fresh.
	if c.dialed && time.Since(c.used) > 30*time.Second {
		_ = c.c.Close()
		c.dialed = false
	}
	reused := c.dialed
	if !c.dialed {
		if err := c.c.DialWithContext(ctx); err != nil {
			return classify(err)
		}
		c.dialed = true
	}
	err = c.c.Send(msg)
	c.used = time.Now()
	var ge *gomail.SendError
	if err != nil && reused && errors.As(err, &ge) && ge.Reason == gomail.ErrSMTPMailFrom && !ge.IsTemp() && ge.ErrorCode() == 0 {
		// The server dropped an idle pooled connection: nothing was sent (MAIL FROM failed
		// without a reply code); redial once and try again.
		_ = c.c.Close()
		c.dialed = false
		if derr := c.c.DialWithContext(ctx); derr != nil {
			return classify(derr)
		}
		c.dialed = true
		err = c.c.Send(msg)
		c.used = time.Now()
	}
	if err != nil && msg.IsDelivered() {
		// The server accepted the message (250 after DATA) and a later step failed (the
		// RSET go-mail sends after each message): it is sent; only the session is suspect.
		_ = c.c.Close()
		c.dialed = false
		return nil
	}
	if err != nil {
		// After an error the session state is unknown: reconnect next time.
		_ = c.c.Close()
		c.dialed = false
		return classify(err)
	}
	return nil
}

// Close closes every pooled connection.
func (s *SMTP) Close() error {
	s.once.Do(func() {
		for i := 0; i < cap(s.pool); i++ {
			c := <-s.pool
			if c.dialed {
				_ = c.c.Close()
			}
		}
	})
	return nil
}

// Null is a Mailer that accepts everything and sends nothing (benchmarks, dry runs).
type Null struct{}

// Send accepts m after validating it.
func (Null) Send(_ context.Context, m *Message) error {
	if err := m.Validate(); err != nil {
		return classify(err)
	}
	return nil
}

// Close does nothing.
func (Null) Close() error { return nil }
