package emails

import (
	"context"
	"fmt"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
)

// QueueResult says what queueing a segment email did.
type QueueResult struct {
	EmailID   string `json:"emailId"`
	Queued    int64  `json:"queued"`    // new rows in the send queue
	NoAddress int64  `json:"noAddress"` // members without an email address (not queued)
	Pending   int64  `json:"pending"`   // everything waiting to be sent for this email now
}

// SendCheck validates that an email can be sent: a from address (own or default), a body,
// segments for a segment email, a publish window that is open.
func (s *Service) SendCheck(ctx context.Context, e *Email, now time.Time) error {
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	f, msgs := map[string]string{}, map[string]string{}
	if e.FromAddress == "" && st.DefaultFrom == "" {
		f["fromAddress"], msgs["fromAddress"] = "emails.errors.fromRequired", "no from address: set one on the email or a default in the email settings"
	}
	if strings.TrimSpace(e.HTML) == "" && strings.TrimSpace(e.PlainText) == "" {
		f["html"], msgs["html"] = "emails.errors.emptyBody", "the email has no content"
	}
	if strings.TrimSpace(e.Subject) == "" {
		f["subject"], msgs["subject"] = "emails.errors.subjectRequired", "the email has no subject"
	}
	if e.Kind == List && len(e.Segments) == 0 {
		f["segments"], msgs["segments"] = "emails.errors.noSegments", "a segment email needs at least one segment"
	}
	if e.Deleted {
		f["id"], msgs["id"] = "emails.errors.deleted", "the email is in the trash"
	}
	if !e.Published {
		f["published"], msgs["published"] = "emails.errors.unpublished", "the email is not published"
	}
	if e.PublishDown != nil && !now.Before(*e.PublishDown) {
		f["publishDown"], msgs["publishDown"] = "emails.errors.expired", "the email's publish window has ended"
	}
	if len(f) > 0 {
		return apperr.FieldErrors(f, msgs)
	}
	return nil
}

// segmentEmail loads a sendable segment email and the SQL condition selecting its
// recipients from contacts c (members of its segments, not in excluded ones, not deleted).
func (s *Service) segmentEmail(ctx context.Context, emailID string) (Email, string, []any, error) {
	e, err := s.Get(ctx, emailID)
	if err != nil {
		return e, "", nil, err
	}
	if e.VariantParentID != "" || e.TranslationParentID != "" {
		return e, "", nil, apperr.Invalidf("emails.errors.sendChild", map[string]any{"id": emailID},
			"email %s is a variant or translation: send its parent", emailID)
	}
	if e.Kind != List {
		return e, "", nil, apperr.Invalidf("emails.errors.notSegmentEmail", map[string]any{"id": emailID},
			"email %s is a template email, not a segment email", emailID)
	}
	if err := s.SendCheck(ctx, &e, s.db.Clock.Now()); err != nil {
		return e, "", nil, err
	}
	s.mu.Lock()
	aud := s.audience
	s.mu.Unlock()
	if aud == nil {
		return e, "", nil, apperr.New(apperr.Unavailable, "emails.errors.noAudience", errNoAudience.Error(), nil)
	}
	members, args, err := aud.Members(e.Segments)
	if err != nil {
		return e, "", nil, err
	}
	where := `c.id IN (` + members + `) AND c.deleted = 0`
	if len(e.ExcludedSegments) > 0 {
		excl, eargs, err := aud.AnyRow(e.ExcludedSegments)
		if err != nil {
			return e, "", nil, err
		}
		where += ` AND c.id NOT IN (` + excl + `)`
		args = append(args, eargs...)
	}
	return e, where, args, nil
}

// QueueSegment queues a segment email for every member of its segments who has not had it
// (or a variant of it) yet, minus the excluded segments and contacts without an address, in
// one set-based INSERT … SELECT. Running it again queues only new members. DNC and invalid
// addresses are checked at send time (they may change while the queue drains) and counted
// as skipped.
func (s *Service) QueueSegment(ctx context.Context, emailID string) (QueueResult, error) {
	res := QueueResult{EmailID: emailID}
	e, where, wargs, err := s.segmentEmail(ctx, emailID)
	if err != nil {
		return res, err
	}
	startAt := int64(0)
	if e.PublishUp != nil {
		startAt = e.PublishUp.UnixMilli()
	}
	held, err := s.abHeld(ctx, e)
	if err != nil {
		return res, err
	}
	// An A/B test on a sample: contacts outside it (an even spread of rowids) wait for the
	// winner, held at next_at = abHold with reason ab_hold.
	nextAt, reason := `?`, `NULL`
	if held {
		nextAt = `CASE WHEN (c.rowid * 2654435761) % 100 < ? THEN ? ELSE ? END`
		reason = `CASE WHEN (c.rowid * 2654435761) % 100 < ? THEN NULL ELSE 'ab_hold' END`
	}
	q := `INSERT INTO email_sends(email_id, contact_id, dedupe, source, state, next_at, reason, queued_at)
		SELECT ?, c.id, '', 'segment', 'pending', ` + nextAt + `, ` + reason + `, ? FROM contacts c
		WHERE ` + where + ` AND coalesce(c.email, '') <> '' ORDER BY c.rowid
		ON CONFLICT(email_id, contact_id, dedupe) DO NOTHING`
	noAddr := `SELECT count(*) FROM contacts c WHERE ` + where + ` AND coalesce(c.email, '') = ''`
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		args := []any{emailID}
		if held {
			args = append(args, e.ABSample, startAt, abHold, e.ABSample)
		} else {
			args = append(args, startAt)
		}
		args = append(append(args, tx.NowMs()), wargs...)
		r, err := tx.Exec(q, args...)
		if err != nil {
			return fmt.Errorf("emails: queue %s: %w", emailID, err)
		}
		res.Queued, _ = r.RowsAffected()
		if err := tx.QueryRow(noAddr, wargs...).Scan(&res.NoAddress); err != nil {
			return err
		}
		return addCount(tx, emailID, dayOf(tx.Now()), "", "queued", res.Queued)
	})
	if err != nil {
		return res, err
	}
	res.Pending, err = s.Pending(ctx, emailID)
	return res, err
}

// DryRun says what sending a segment email would do, writing nothing.
type DryRun struct {
	EmailID     string `json:"emailId"`
	Recipients  int64  `json:"recipients"`  // would be queued now
	AlreadySent int64  `json:"alreadySent"` // members who had it (or have it queued)
	NoAddress   int64  `json:"noAddress"`
	DNC         int64  `json:"dnc"` // of the recipients, would be skipped as do-not-contact
	// Category: of the recipients, unsubscribed from the email's category (would be skipped).
	Category int64   `json:"category"`
	Pending  int64   `json:"pending"`
	Issues   []Issue `json:"issues"`
	Subject  string  `json:"subject"` // the first recipient's subject
}

// DryRunSegment checks a segment email and counts its recipients without queueing.
func (s *Service) DryRunSegment(ctx context.Context, emailID string) (DryRun, error) {
	out := DryRun{EmailID: emailID}
	e, where, wargs, err := s.segmentEmail(ctx, emailID)
	if err != nil {
		return out, err
	}
	args := append([]any{emailID, emailID}, wargs...)
	err = s.db.R.QueryRowContext(ctx, `SELECT
		coalesce(sum(coalesce(c.email,'') <> '' AND NOT EXISTS(SELECT 1 FROM email_sends x WHERE x.email_id = ? AND x.contact_id = c.id AND x.dedupe = '')), 0),
		coalesce(sum(EXISTS(SELECT 1 FROM email_sends x WHERE x.email_id = ? AND x.contact_id = c.id AND x.dedupe = '')), 0),
		coalesce(sum(coalesce(c.email,'') = ''), 0),
		coalesce(sum(coalesce(c.email,'') <> '' AND EXISTS(SELECT 1 FROM dnc d WHERE d.contact_id = c.id AND d.channel = 'email' AND d.deleted = 0)), 0)
		FROM contacts c WHERE `+where, args...).Scan(&out.Recipients, &out.AlreadySent, &out.NoAddress, &out.DNC)
	if err != nil {
		return out, err
	}
	if e.Category != "" {
		cargs := append([]any{e.Category}, wargs...)
		if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM contacts c WHERE coalesce(c.email,'') <> '' AND EXISTS(
			SELECT 1 FROM contact_categories cc WHERE cc.contact_id = c.id AND cc.category = ? AND cc.deleted = 0
			AND cc.manually_removed = 1) AND `+where, cargs...).Scan(&out.Category); err != nil {
			return out, err
		}
	}
	if out.Issues, err = s.Check(ctx, e); err != nil {
		return out, err
	}
	var first string
	_ = s.db.R.QueryRowContext(ctx, `SELECT c.id FROM contacts c WHERE `+where+` AND coalesce(c.email,'') <> '' LIMIT 1`, wargs...).Scan(&first)
	if r, err := s.Preview(ctx, e, first); err == nil {
		out.Subject = r.Subject
	}
	out.Pending, err = s.Pending(ctx, emailID)
	return out, err
}

// Enqueue queues a template email for one contact (campaign action, form action); dedupe
// makes the call idempotent (the campaign event + contact, the form submission id). A
// segment email queued this way still reaches a contact once.
func Enqueue(tx *db.Tx, emailID, contactID, dedupe, source string, at time.Time) (bool, error) {
	var kind string
	if err := tx.QueryRow("SELECT kind FROM emails WHERE id = ? AND deleted = 0", emailID).Scan(&kind); err != nil {
		return false, notFound(emailID)
	}
	if kind == List {
		dedupe = ""
	}
	next := int64(0)
	if !at.IsZero() {
		next = at.UnixMilli()
	}
	r, err := tx.Exec(`INSERT INTO email_sends(email_id, contact_id, dedupe, source, state, next_at, queued_at)
		VALUES(?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT(email_id, contact_id, dedupe) DO NOTHING`,
		emailID, contactID, dedupe, source, next, tx.NowMs())
	if err != nil {
		return false, err
	}
	n, _ := r.RowsAffected()
	if n > 0 {
		if err := addCount(tx, emailID, dayOf(tx.Now()), "", "queued", n); err != nil {
			return false, err
		}
	}
	return n > 0, nil
}

// Pending counts what waits to be sent for an email (pending or being sent): an index range
// on (email_id, state) would scan at millions, so it comes from the counters.
func (s *Service) Pending(ctx context.Context, emailID string) (int64, error) {
	var n int64
	err := s.db.R.QueryRowContext(ctx, `SELECT coalesce(sum(CASE WHEN metric = 'queued' THEN n
		WHEN metric IN ('sent', 'failed', 'skipped') THEN -n ELSE 0 END), 0)
		FROM email_counts WHERE email_id = ? OR email_id IN (SELECT id FROM emails WHERE variant_parent_id = ? OR translation_parent_id = ?)`,
		emailID, emailID, emailID).Scan(&n)
	return n, err
}

func dayOf(t time.Time) string { return t.UTC().Format("2006-01-02") }

// addCount adds n to a counter in the writing transaction.
func addCount(tx *db.Tx, emailID, day, device, metric string, n int64) error {
	if n == 0 {
		return nil
	}
	_, err := tx.Exec(`INSERT INTO email_counts(email_id, day, device, metric, n) VALUES(?, ?, ?, ?, ?)
		ON CONFLICT(email_id, metric, day, device) DO UPDATE SET n = n + excluded.n`, emailID, day, device, metric, n)
	return err
}
