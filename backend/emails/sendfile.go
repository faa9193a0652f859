package emails

import (
	"context"
	"fmt"
	"html"
	"net/mail"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/ids"
	"magpie/backend/sending"
)

// SendFile emails a file as an attachment to internal recipients (scheduled reports), from
// the default sender, bypassing the contact queue and statistics: it is not marketing mail.
func (s *Service) SendFile(ctx context.Context, to []string, subject, text, name, contentType string, data []byte) error {
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	if st.SMTP.Host == "" {
		return apperr.New(apperr.Invalid, "emails.errors.noSMTP", "no SMTP server configured (email settings)", nil)
	}
	if st.DefaultFrom == "" {
		return apperr.New(apperr.Invalid, "emails.errors.fromAddress", "no default sender address (email settings)", nil)
	}
	for _, a := range to {
		if p, err := mail.ParseAddress(a); err != nil || p.Address != a {
			return apperr.Invalidf("emails.errors.toAddress", map[string]any{"to": a}, "%q is not an email address", a)
		}
	}
	s.mu.Lock()
	mk := s.mailer
	s.mu.Unlock()
	m, err := mk(st)
	if err != nil {
		return smtpConfigError(err)
	}
	defer m.Close()
	for _, a := range to {
		msg := &sending.Message{ID: ids.New(), From: sending.Address{Name: st.DefaultFromName, Email: st.DefaultFrom},
			To: sending.Address{Email: a}, Subject: subject, Text: text,
			HTML:        "<p>" + strings.ReplaceAll(html.EscapeString(text), "\n", "<br>") + "</p>",
			Attachments: []sending.Attachment{{Name: name, ContentType: contentType, Data: data}},
			Date:        s.db.Clock.Now()}
		if err := m.Send(ctx, msg); err != nil {
			return apperr.New(apperr.Unavailable, "emails.errors.send", fmt.Sprintf("sending %s to %s failed: %v", name, a, err), map[string]any{"to": a, "name": name, "detail": err.Error()})
		}
	}
	return nil
}
