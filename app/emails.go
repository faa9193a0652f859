package app

import (
	"context"
	"fmt"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/emails"
	"magpie/backend/jobs"
	"magpie/backend/sending"
)

// Emails is the email list, editor, send screen, statistics and email settings.
type Emails struct{ s *Shell }

// EmailView is an email as the editor edits it (dates as RFC 3339 strings).
type EmailView struct {
	ID                  string              `json:"id"`
	Name                string              `json:"name"`
	Kind                string              `json:"kind"`
	Subject             string              `json:"subject"`
	Preheader           string              `json:"preheader"`
	FromName            string              `json:"fromName"`
	FromAddress         string              `json:"fromAddress"`
	ReplyTo             string              `json:"replyTo"`
	BCC                 string              `json:"bcc"`
	UTMTags             map[string]string   `json:"utmTags"`
	Headers             map[string]string   `json:"headers"`
	HTML                string              `json:"html"`
	Source              string              `json:"source"`
	PlainText           string              `json:"plainText"`
	PlainTextAuto       bool                `json:"plainTextAuto"`
	Category            string              `json:"category"`
	Language            string              `json:"language"`
	TranslationParentID string              `json:"translationParentId"`
	VariantParentID     string              `json:"variantParentId"`
	VariantWeight       int                 `json:"variantWeight"`
	WinnerCriteria      string              `json:"winnerCriteria"`
	WinnerAfterHours    int                 `json:"winnerAfterHours"`
	ABSample            int                 `json:"abSample"`
	Segments            []string            `json:"segments"`
	ExcludedSegments    []string            `json:"excludedSegments"`
	Attachments         []emails.Attachment `json:"attachments"`
	PublishUp           string              `json:"publishUp"`
	PublishDown         string              `json:"publishDown"`
	Published           bool                `json:"published"`
	Scheduled           bool                `json:"scheduled"`
	Revision            int                 `json:"revision"`
	DateAdded           string              `json:"dateAdded"`
	DateModified        string              `json:"dateModified"`
	Deleted             bool                `json:"deleted"`
	// List only: what the list shows without loading statistics separately.
	Sent    int64 `json:"sent"`
	Read    int64 `json:"read"`
	Pending int64 `json:"pending"`
}

func emailView(e emails.Email) EmailView {
	return EmailView{ID: e.ID, Name: e.Name, Kind: e.Kind, Subject: e.Subject, Preheader: e.Preheader, FromName: e.FromName,
		FromAddress: e.FromAddress, ReplyTo: e.ReplyTo, BCC: e.BCC, UTMTags: e.UTMTags, Headers: e.Headers, HTML: e.HTML,
		Source: e.Source, PlainText: e.PlainText, PlainTextAuto: e.PlainTextAuto, Category: e.Category, Language: e.Language,
		TranslationParentID: e.TranslationParentID, VariantParentID: e.VariantParentID, VariantWeight: e.VariantWeight,
		WinnerCriteria: e.WinnerCriteria, WinnerAfterHours: e.WinnerAfterHours, ABSample: e.ABSample, Segments: e.Segments,
		ExcludedSegments: e.ExcludedSegments, Attachments: e.Attachments, PublishUp: tsPtr(e.PublishUp),
		PublishDown: tsPtr(e.PublishDown), Published: e.Published, Scheduled: e.Scheduled, Revision: e.Revision,
		DateAdded: ts(e.DateAdded), DateModified: ts(e.DateModified), Deleted: e.Deleted}
}

func parseTS(field, s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	for _, l := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, apperr.FieldErrors(map[string]string{field: "errors.date"}, map[string]string{field: fmt.Sprintf("%q is not a date", s)})
}

func (v EmailView) email() (emails.Email, error) {
	up, err := parseTS("publishUp", v.PublishUp)
	if err != nil {
		return emails.Email{}, err
	}
	down, err := parseTS("publishDown", v.PublishDown)
	if err != nil {
		return emails.Email{}, err
	}
	return emails.Email{ID: v.ID, Name: v.Name, Kind: v.Kind, Subject: v.Subject, Preheader: v.Preheader, FromName: v.FromName,
		FromAddress: v.FromAddress, ReplyTo: v.ReplyTo, BCC: v.BCC, UTMTags: v.UTMTags, Headers: v.Headers, HTML: v.HTML,
		Source: v.Source, PlainText: v.PlainText, PlainTextAuto: v.PlainTextAuto, Category: v.Category, Language: v.Language,
		TranslationParentID: v.TranslationParentID, VariantParentID: v.VariantParentID, VariantWeight: v.VariantWeight,
		WinnerCriteria: v.WinnerCriteria, WinnerAfterHours: v.WinnerAfterHours, ABSample: v.ABSample, Segments: v.Segments,
		ExcludedSegments: v.ExcludedSegments, Attachments: v.Attachments, PublishUp: up, PublishDown: down,
		Published: v.Published, Scheduled: v.Scheduled}, nil
}

// EmailQuery filters the email list.
type EmailQuery struct {
	Search  string `json:"search"`
	Kind    string `json:"kind"`
	Deleted bool   `json:"deleted"`
}

// List returns the emails (parents only; variants and translations are in Family).
func (a *Emails) List(q EmailQuery) ([]EmailView, error) {
	ctx := a.s.context()
	list, err := a.s.core.Emails.List(ctx, emails.Query{Search: q.Search, Kind: q.Kind, Deleted: q.Deleted, TopLevel: true})
	if err != nil {
		return nil, err
	}
	out := make([]EmailView, 0, len(list))
	for _, e := range list {
		v := emailView(e)
		v.HTML, v.Source = "", "" // the list does not need bodies
		if st, err := a.s.core.Emails.Stats(ctx, e.ID); err == nil {
			v.Sent, v.Read, v.Pending = st.Totals.Sent, st.Totals.Read, st.Totals.Pending
		}
		out = append(out, v)
	}
	return out, nil
}

// Get returns one email.
func (a *Emails) Get(id string) (EmailView, error) {
	e, err := a.s.core.Emails.Get(a.s.context(), id)
	return emailView(e), err
}

// Family returns an email with its variants and translations (the parent first).
func (a *Emails) Family(id string) ([]EmailView, error) {
	fam, err := a.s.core.Emails.Family(a.s.context(), id)
	out := make([]EmailView, 0, len(fam))
	for _, e := range fam {
		out = append(out, emailView(e))
	}
	return out, err
}

// Save creates (no id) or updates an email; the previous revision is kept.
func (a *Emails) Save(v EmailView) (EmailView, error) {
	e, err := v.email()
	if err != nil {
		return v, err
	}
	e, err = a.s.core.Emails.Save(a.s.context(), e)
	if err != nil {
		return v, err
	}
	return emailView(e), nil
}

// Delete moves an email (with its variants and translations) to the trash.
func (a *Emails) Delete(id string) error { return a.s.core.Emails.Delete(a.s.context(), id) }

// Restore brings an email back from the trash.
func (a *Emails) Restore(id string) error { return a.s.core.Emails.Restore(a.s.context(), id) }

// Versions lists the saved revisions of an email.
func (a *Emails) Versions(id string) ([]emails.Version, error) {
	v, err := a.s.core.Emails.Versions(a.s.context(), id)
	if v == nil {
		v = []emails.Version{}
	}
	return v, err
}

// Preview is an email rendered for one contact (no tracking).
type Preview struct {
	Subject string         `json:"subject"`
	HTML    string         `json:"html"`
	Text    string         `json:"text"`
	Issues  []emails.Issue `json:"issues"`
}

// Preview renders the (unsaved) email as the contact would receive it (contactId "" = a
// contact with empty fields), with the checker's findings.
func (a *Emails) Preview(v EmailView, contactID string) (Preview, error) {
	ctx := a.s.context()
	e, err := v.email()
	if err != nil {
		return Preview{}, err
	}
	r, err := a.s.core.Emails.Preview(ctx, e, contactID)
	if err != nil {
		return Preview{}, err
	}
	issues, err := a.s.core.Emails.Check(ctx, e)
	smokePreview(e.HTML, issues)
	return Preview{Subject: r.Subject, HTML: r.HTML, Text: r.Text, Issues: issues}, err
}

// SendTest sends the (unsaved) email to one address now.
func (a *Emails) SendTest(v EmailView, to string) error {
	e, err := v.email()
	if err != nil {
		return err
	}
	return a.s.core.Emails.SendTest(a.s.context(), e, to)
}

// SendResult is what pressing "Send" did.
type SendResult struct {
	Queued    int64  `json:"queued"`
	NoAddress int64  `json:"noAddress"`
	Pending   int64  `json:"pending"`
	JobID     string `json:"jobId"`
}

// Send queues a segment email for its segments and starts sending in the background (a job
// with progress); sending continues in the background loop if the window stays open.
func (a *Emails) Send(id string) (SendResult, error) {
	ctx := a.s.context()
	svc := a.s.core.Emails
	res, err := svc.QueueSegment(ctx, id)
	if err != nil {
		return SendResult{}, err
	}
	e, _ := svc.Get(ctx, id)
	jobID, err := a.s.core.Jobs.Start("email.send", "Send "+e.Name, func(jctx context.Context, p *jobs.Progress) error {
		report := func() {
			// The email's own totals: the background sender may have sent part of it.
			if st, err := svc.Stats(context.WithoutCancel(jctx), id); err == nil {
				t := st.Totals
				p.Set(t.Sent+t.Failed+t.Skipped, t.Queued, fmt.Sprintf("%d sent, %d failed, %d skipped", t.Sent, t.Failed, t.Skipped))
				p.SetResult(t)
			}
		}
		_, err := svc.Drain(jctx, emails.DrainOptions{EmailID: id, Progress: func(emails.DrainStats) { report() }})
		report()
		return err
	})
	return SendResult{Queued: res.Queued, NoAddress: res.NoAddress, Pending: res.Pending, JobID: jobID}, err
}

// Stats returns an email's statistics.
func (a *Emails) Stats(id string) (emails.Stats, error) {
	return a.s.core.Emails.Stats(a.s.context(), id)
}

// EmailSettings is the settings screen (the password is write-only).
type EmailSettings struct {
	SMTP            sending.SMTPConfig `json:"smtp"`
	Password        string             `json:"password"` // "" keeps the stored one
	HasPassword     bool               `json:"hasPassword"`
	DefaultFromName string             `json:"defaultFromName"`
	DefaultFrom     string             `json:"defaultFrom"`
	TrackerURL      string             `json:"trackerUrl"`
	Signature       string             `json:"signature"`
	UnsubscribeText string             `json:"unsubscribeText"`
	WebviewText     string             `json:"webviewText"`
	FrequencyNumber int                `json:"frequencyNumber"`
	FrequencyTime   string             `json:"frequencyTime"`
}

// Settings returns the email settings.
func (a *Emails) Settings() (EmailSettings, error) {
	st, err := a.s.core.Emails.Settings(a.s.context())
	has := st.SMTP.Password != ""
	st.SMTP.Password = ""
	return EmailSettings{SMTP: st.SMTP, HasPassword: has, DefaultFromName: st.DefaultFromName, DefaultFrom: st.DefaultFrom,
		TrackerURL: st.TrackerURL, Signature: st.Signature, UnsubscribeText: st.UnsubscribeText, WebviewText: st.WebviewText,
		FrequencyNumber: st.FrequencyNumber, FrequencyTime: st.FrequencyTime}, err
}

// SaveSettings stores the email settings.
func (a *Emails) SaveSettings(v EmailSettings) error {
	v.SMTP.Password = v.Password
	return a.s.core.Emails.SaveSettings(a.s.context(), emails.Settings{SMTP: v.SMTP, DefaultFromName: v.DefaultFromName,
		DefaultFrom: v.DefaultFrom, TrackerURL: v.TrackerURL, Signature: v.Signature, UnsubscribeText: v.UnsubscribeText,
		WebviewText: v.WebviewText, FrequencyNumber: v.FrequencyNumber, FrequencyTime: v.FrequencyTime})
}

// DryRun counts a segment email's recipients and checks it without sending.
func (a *Emails) DryRun(id string) (emails.DryRun, error) {
	return a.s.core.Emails.DryRunSegment(a.s.context(), id)
}
