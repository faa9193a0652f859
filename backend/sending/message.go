package sending

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Address is a mailbox.
type Address struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Message is one email ready to send.
type Message struct {
	// ID identifies the send; the Message-ID header is "<ID@domain of From>", so a message
	// sent again after a crash carries the same Message-ID and can be reconciled.
	ID          string
	From        Address
	ReplyTo     string
	To          Address
	BCC         []string
	Subject     string
	HTML        string
	Text        string
	Headers     map[string]string // e.g. List-Unsubscribe, List-Unsubscribe-Post
	Attachments []Attachment
	Date        time.Time
}

// MessageID returns the Message-ID header value of m (without angle brackets).
func (m *Message) MessageID() string {
	dom := "magpie.local"
	if at := strings.LastIndexByte(m.From.Email, '@'); at >= 0 && at < len(m.From.Email)-1 {
		dom = m.From.Email[at+1:]
	}
	return m.ID + "@" + dom
}

// ErrInvalid marks a message that can never be sent as it is (bad address, no body).
var ErrInvalid = errors.New("sending: invalid message")

// Validate checks addresses and content before anything touches the network.
func (m *Message) Validate() error {
	if m.ID == "" {
		return fmt.Errorf("%w: no id", ErrInvalid)
	}
	if _, err := mail.ParseAddress(m.From.Email); err != nil || m.From.Email == "" {
		return fmt.Errorf("%w: from address %q", ErrInvalid, m.From.Email)
	}
	if a, err := mail.ParseAddress(m.To.Email); err != nil || a.Address != m.To.Email {
		return fmt.Errorf("%w: recipient address %q", ErrInvalid, m.To.Email)
	}
	if m.HTML == "" && m.Text == "" {
		return fmt.Errorf("%w: empty body", ErrInvalid)
	}
	for k, v := range m.Headers {
		if strings.ContainsAny(k+v, "\r\n") {
			return fmt.Errorf("%w: header %s contains a line break", ErrInvalid, k)
		}
	}
	return nil
}

// build turns m into a go-mail message.
func (m *Message) build() (*gomail.Msg, error) {
	g := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := g.FromFormat(m.From.Name, m.From.Email); err != nil {
		return nil, fmt.Errorf("%w: from: %v", ErrInvalid, err)
	}
	if err := g.AddToFormat(m.To.Name, m.To.Email); err != nil {
		return nil, fmt.Errorf("%w: to: %v", ErrInvalid, err)
	}
	if m.ReplyTo != "" {
		if err := g.ReplyTo(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("%w: reply-to: %v", ErrInvalid, err)
		}
	}
	if len(m.BCC) > 0 {
		if err := g.Bcc(m.BCC...); err != nil {
			return nil, fmt.Errorf("%w: bcc: %v", ErrInvalid, err)
		}
	}
	g.Subject(m.Subject)
	g.SetMessageIDWithValue(m.MessageID())
	if m.Date.IsZero() {
		g.SetDate()
	} else {
		g.SetDateWithValue(m.Date)
	}
	for k, v := range m.Headers {
		g.SetGenHeader(gomail.Header(k), v)
	}
	switch {
	case m.HTML != "" && m.Text != "":
		g.SetBodyString(gomail.TypeTextPlain, m.Text)
		g.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.HTML != "":
		g.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		g.SetBodyString(gomail.TypeTextPlain, m.Text)
	}
	for _, a := range m.Attachments {
		opts := []gomail.FileOption{}
		if a.ContentType != "" {
			opts = append(opts, gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
		}
		if err := g.AttachReader(a.Name, bytes.NewReader(a.Data), opts...); err != nil {
			return nil, fmt.Errorf("%w: attachment %s: %v", ErrInvalid, a.Name, err)
		}
	}
	return g, nil
}

// EML renders m as it would go on the wire (previews, golden tests).
func (m *Message) EML() ([]byte, error) {
	g, err := m.build()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := g.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
