package emails

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"magpie/backend/apperr"
	"magpie/backend/fields"
	"magpie/backend/ids"
	"magpie/backend/tokens"
)

// Background sending: while the desktop (or `magpie serve`, or a worker) runs, a loop drains
// the queue every few seconds and queues scheduled segment emails whose time has come.
type background struct {
	cancel context.CancelFunc
	wake   chan struct{}
	done   sync.WaitGroup
}

// StartBackground starts the send loop (idempotent); StopBackground ends it.
func (s *Service) StartBackground(log *slog.Logger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bg != nil {
		return
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &background{cancel: cancel, wake: make(chan struct{}, 1)}
	s.bg = b
	b.done.Add(1)
	go func() {
		defer b.done.Done()
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			if err := s.tick(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn("emails: background send", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-b.wake:
			}
		}
	}()
}

// StopBackground stops the loop and waits for the batch in flight to commit.
func (s *Service) StopBackground() {
	s.mu.Lock()
	b := s.bg
	s.bg = nil
	s.mu.Unlock()
	if b != nil {
		b.cancel()
		b.done.Wait()
	}
}

// Wake makes the loop look at the queue now.
func (s *Service) Wake() {
	s.mu.Lock()
	b := s.bg
	s.mu.Unlock()
	if b != nil {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
}

func (s *Service) tick(ctx context.Context) error {
	if err := s.queueScheduled(ctx); err != nil {
		return err
	}
	if _, err := s.DecideWinners(ctx); err != nil {
		return err
	}
	var due int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM email_sends WHERE state = 'pending'
		AND next_at <= ? LIMIT 1)`, s.db.Clock.Now().UnixMilli()).Scan(&due); err != nil || due == 0 {
		return err
	}
	_, err := s.Drain(ctx, DrainOptions{})
	return err
}

// queueScheduled queues segment emails marked scheduled whose publish-up time has passed,
// once per revision.
func (s *Service) queueScheduled(ctx context.Context) error {
	now := s.db.Clock.Now()
	list, err := s.List(ctx, Query{Kind: List, TopLevel: true})
	if err != nil {
		return err
	}
	for _, e := range list {
		if !e.Scheduled || !e.Published || e.PublishUp == nil || e.PublishUp.After(now) ||
			(e.PublishDown != nil && !now.Before(*e.PublishDown)) {
			continue
		}
		key := "emails.scheduled." + e.ID
		if v, _ := s.db.Meta(ctx, key); v == fmt.Sprint(e.Revision) {
			continue
		}
		if _, err := s.QueueSegment(ctx, e.ID); err != nil {
			return fmt.Errorf("scheduled email %s: %w", e.Name, err)
		}
		if err := s.db.SetMeta(ctx, key, fmt.Sprint(e.Revision)); err != nil {
			return err
		}
	}
	return nil
}

// Issue is a problem the checker finds in an email (shown in the editor and send screen).
type Issue struct {
	Code     string `json:"code"` // unknown_token unknown_field empty_field_name missing_unsubscribe broken_link no_from no_subject mjml_source oversized_image
	Severity string `json:"severity"`
	Detail   string `json:"detail"` // English, for the CLI and logs
	// Key and Params are what the UI translates (emails.check.*), as apperr.Error's.
	Key    string            `json:"key"`
	Params map[string]string `json:"params,omitempty"`
}

// issue builds an Issue whose i18n key follows its code (or the code's variant).
func issue(code, severity, key string, params map[string]string, detail string) Issue {
	return Issue{Code: code, Severity: severity, Detail: detail, Key: "emails.check." + key, Params: params}
}

var (
	hrefAnyRE = regexp.MustCompile(`(?i)<a\b[^>]*?\shref\s*=\s*("([^"]*)"|'([^']*)')`)
	dataImgRE = regexp.MustCompile(`(?i)src\s*=\s*"data:image/[^"]*"`)
)

// Check finds what would go wrong when sending e: unknown tokens and fields, a missing
// unsubscribe link (segment emails), broken links, no from address or subject, MJML that was
// not compiled, images embedded beyond 100 kB.
func (s *Service) Check(ctx context.Context, e Email) ([]Issue, error) {
	out := []Issue{}
	known := tokens.Known{ContactFields: map[string]bool{"id": true}, CompanyFields: map[string]bool{},
		OwnerFields: map[string]bool{"id": true, "name": true, "firstname": true, "lastname": true, "email": true},
		Specials:    map[string]bool{}}
	for _, n := range []string{"unsubscribe_url", "unsubscribe_text", "dnc_url", "webview_url", "webview_text",
		"tracking_pixel", "subject", "signature"} {
		known.Specials[n] = true
	}
	for obj, m := range map[fields.Object]map[string]bool{fields.Contact: known.ContactFields, fields.Company: known.CompanyFields} {
		fs, err := s.contacts.Fields().List(ctx, obj)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			m[f.Alias] = true
		}
	}
	// part names the email's field (its label in the UI: emails.field.<field>).
	for _, part := range []struct{ name, field, text string }{{"subject", "subject", e.Subject},
		{"preheader", "preheader", e.Preheader}, {"html", "html", e.HTML}, {"text", "plainText", e.PlainText}} {
		for _, is := range tokens.Lint(part.text, known) {
			out = append(out, issue(is.Reason, "error", is.Reason, map[string]string{"part": part.field, "token": is.Token},
				part.name+": "+is.Token))
		}
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if e.FromAddress == "" && st.DefaultFrom == "" {
		out = append(out, issue("no_from", "error", "no_from", nil, "no from address on the email and no default"))
	}
	if strings.TrimSpace(e.Subject) == "" {
		out = append(out, issue("no_subject", "error", "no_subject", nil, "the subject is empty"))
	}
	names := strings.Join(tokens.Names(e.HTML), " ")
	if e.Kind == List && !strings.Contains(names, "unsubscribe") && !strings.Contains(names, "dnc_url") {
		out = append(out, issue("missing_unsubscribe", "warning", "missing_unsubscribe", nil,
			"no {unsubscribe_url} or {unsubscribe_text} link (the List-Unsubscribe header is still sent)"))
	}
	if strings.Contains(strings.ToLower(e.HTML), "<mjml") {
		out = append(out, issue("mjml_source", "error", "mjml_source", nil, "the HTML is MJML source: compile it in the editor"))
	}
	for _, m := range hrefAnyRE.FindAllStringSubmatch(e.HTML, -1) {
		h := strings.TrimSpace(m[2] + m[3])
		if strings.HasPrefix(h, "{") || strings.HasPrefix(strings.ToLower(h), "%7b") {
			continue // a token
		}
		low := strings.ToLower(h)
		switch {
		case h == "" || h == "#":
			out = append(out, issue("broken_link", "warning", "link_empty", nil, "a link has no destination"))
		case strings.HasPrefix(low, "javascript:"):
			out = append(out, issue("broken_link", "error", "link_javascript", map[string]string{"url": h}, "javascript: links do not work in email: "+h))
		case strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://"):
			if u, err := url.Parse(h); err != nil || u.Host == "" || strings.ContainsAny(u.Host, " <>") {
				out = append(out, issue("broken_link", "error", "link_malformed", map[string]string{"url": h}, "malformed URL: "+h))
			}
		case strings.HasPrefix(low, "mailto:"):
			if _, err := mail.ParseAddress(strings.SplitN(h[7:], "?", 2)[0]); err != nil {
				out = append(out, issue("broken_link", "warning", "link_mailto", map[string]string{"url": h}, "malformed mailto: "+h))
			}
		}
	}
	for _, img := range dataImgRE.FindAllString(e.HTML, -1) {
		if len(img) < 140_000 { // ~100 kB once base64-decoded
			continue
		}
		out = append(out, issue("oversized_image", "warning", "oversized_image", nil, "an embedded image is over 100 kB: host it instead"))
	}
	return out, nil
}

// SendTest sends e (saved or not) to one address now, personalised as the contact with that
// address when there is one, bypassing the queue and the statistics. Errors say what is
// wrong (settings, TLS, credentials, server down, address).
func (s *Service) SendTest(ctx context.Context, e Email, to string) error {
	if a, err := mail.ParseAddress(to); err != nil || a.Address != to {
		return apperr.FieldErrors(map[string]string{"to": "emails.errors.toAddress"}, map[string]string{"to": fmt.Sprintf("%q is not an email address", to)})
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	if e.FromAddress == "" {
		e.FromAddress, e.FromName = st.DefaultFrom, st.DefaultFromName
	}
	if err := s.SendCheck(ctx, &Email{Name: e.Name, Kind: Template, FromAddress: e.FromAddress, HTML: e.HTML,
		PlainText: e.PlainText, Subject: e.Subject, Published: true}, s.db.Clock.Now()); err != nil {
		return err
	}
	if st.SMTP.Host == "" {
		return apperr.New(apperr.Invalid, "emails.errors.noSMTP", "no SMTP server configured (email settings)", nil)
	}
	rc := Recipient{Address: to, Contact: map[string]string{"email": to}}
	if d, err := s.contacts.ByEmail(ctx, to); err == nil {
		if rs, err := s.loadRecipients(ctx, []string{d.ID}); err == nil {
			rc = rs[d.ID]
		}
	}
	rc.Address = to
	links, err := s.Links(ctx)
	if err != nil {
		return err
	}
	msgID := ids.New()
	r := Render(&e, rc, Ref{MsgID: msgID, EmailID: e.ID, ContactID: rc.ContactID, Address: to}, links, st.renderOptions(s.db.Clock.Now()))
	r.Subject = "[Test] " + r.Subject
	atts, err := s.readAttachments(ctx, e.Attachments)
	if err != nil {
		return err
	}
	s.mu.Lock()
	mk := s.mailer
	s.mu.Unlock()
	m, err := mk(st)
	if err != nil {
		return smtpConfigError(err)
	}
	defer m.Close()
	msg := Message(&e, rc, r, msgID, atts)
	msg.BCC = nil
	if err := m.Send(ctx, msg); err != nil {
		return apperr.New(apperr.Unavailable, "emails.errors.testSend", fmt.Sprintf("test email to %s failed: %v", to, err),
			map[string]any{"to": to, "detail": err.Error()})
	}
	return nil
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// ImportHTML makes a template email from an HTML file (its <title> becomes the subject).
func (s *Service) ImportHTML(ctx context.Context, path, name string) (Email, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Email{}, apperr.Invalidf("emails.errors.importFile", map[string]any{"path": path}, "cannot read %s: %v", path, err)
	}
	if fi.Size() > 5<<20 {
		return Email{}, apperr.Invalidf("emails.errors.importSize", map[string]any{"path": path}, "%s is larger than 5 MB", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Email{}, apperr.Invalidf("emails.errors.importFile", map[string]any{"path": path}, "cannot read %s: %v", path, err)
	}
	if !utf8.Valid(b) {
		return Email{}, apperr.Invalidf("emails.errors.importEncoding", map[string]any{"path": path}, "%s is not UTF-8 text", path)
	}
	html := string(b)
	if !strings.Contains(strings.ToLower(html), "<") {
		return Email{}, apperr.Invalidf("emails.errors.importNotHTML", map[string]any{"path": path}, "%s does not look like HTML", path)
	}
	if name == "" {
		name = strings.TrimSuffix(fi.Name(), ".html")
	}
	subject := ""
	if m := titleRE.FindStringSubmatch(html); m != nil {
		subject = strings.TrimSpace(strings.Join(strings.Fields(m[1]), " "))
	}
	return s.Save(ctx, Email{Name: name, Kind: Template, Subject: subject, HTML: html, PlainTextAuto: true, Published: true})
}

// Preview renders e for a contact ("" = empty fields) without tracking, as the editor shows it.
func (s *Service) Preview(ctx context.Context, e Email, contactID string) (Rendered, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return Rendered{}, err
	}
	rc := Recipient{Contact: map[string]string{}}
	if contactID != "" {
		rs, err := s.loadRecipients(ctx, []string{contactID})
		if err != nil {
			return Rendered{}, err
		}
		r, ok := rs[contactID]
		if !ok {
			return Rendered{}, apperr.NotFoundf("contacts.errors.notFound", map[string]any{"id": contactID}, "contact %s not found", contactID)
		}
		rc = r
	}
	opt := st.renderOptions(s.db.Clock.Now())
	opt.NoTracking = true
	return Render(&e, rc, Ref{}, nil, opt), nil
}
