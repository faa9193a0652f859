package emails

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
)

// Interaction is an open, click or unsubscribe coming from the tracker (verified signed
// token fields plus request details).
type Interaction struct {
	MsgID     string
	EmailID   string // the email/variant in the token
	ContactID string
	At        time.Time
	UserAgent string
	URL       string // clicks: the destination
	HitID     string // the tracker's hit id (idempotency); "" = derived from the message
	// NoEvent leaves the timeline event to the caller (the tracker's ingester writes its own).
	NoEvent bool
}

// Device classifies a user agent as the stats show it.
func Device(ua string) string {
	u := strings.ToLower(ua)
	switch {
	case u == "":
		return "unknown"
	case strings.Contains(u, "ipad") || strings.Contains(u, "tablet"):
		return "tablet"
	case strings.Contains(u, "mobi") || strings.Contains(u, "iphone") || strings.Contains(u, "android"):
		return "mobile"
	default:
		return "desktop"
	}
}

type sendRow struct {
	seq       int64
	rootID    string
	countID   string
	contactID string
	isRead    bool
	clicked   bool
	opens     int
	found     bool
}

func lookup(tx *db.Tx, in Interaction) (sendRow, error) {
	var r sendRow
	err := tx.QueryRow(`SELECT seq, email_id, coalesce(variant_id, email_id), contact_id, is_read, clicked, open_count
		FROM email_sends WHERE msg_id = ?`, in.MsgID).Scan(&r.seq, &r.rootID, &r.countID, &r.contactID, &r.isRead, &r.clicked, &r.opens)
	if errors.Is(err, sql.ErrNoRows) {
		// Sent by another executor whose queue is not here: count it on the token's email.
		return sendRow{rootID: in.EmailID, countID: in.EmailID, contactID: in.ContactID}, nil
	}
	r.found = err == nil
	return r, err
}

func (in Interaction) at(tx *db.Tx) time.Time {
	if in.At.IsZero() {
		return tx.Now()
	}
	return in.At.UTC()
}

// RecordOpen counts an open pixel load: unique read on the first, total every time.
func RecordOpen(tx *db.Tx, in Interaction) error {
	r, err := lookup(tx, in)
	if err != nil || r.contactID == "" {
		return err
	}
	at, dev := in.at(tx), Device(in.UserAgent)
	if r.found {
		if _, err := tx.Exec(`UPDATE email_sends SET open_count = open_count + 1, is_read = 1, read_at = coalesce(read_at, ?),
			device = coalesce(device, ?) WHERE seq = ?`, at.UnixMilli(), dev, r.seq); err != nil {
			return err
		}
	}
	day := dayOf(at)
	if err := addCount(tx, r.countID, day, dev, "read_total", 1); err != nil {
		return err
	}
	if !r.isRead {
		if err := addCount(tx, r.countID, day, dev, "read", 1); err != nil {
			return err
		}
	}
	if in.NoEvent {
		return nil
	}
	id := in.HitID
	if id == "" {
		id = fmt.Sprintf("email.read:%s:%d", in.MsgID, r.opens+1)
	}
	_, err = events.Append(tx, events.Event{ID: id, ContactID: r.contactID, Type: events.EmailRead, At: at,
		ObjectID: r.rootID, Source: "tracker", Data: map[string]any{"msgId": in.MsgID, "device": dev, "first": !r.isRead}})
	return err
}

// RecordClick counts a tracked link click; the first click of a message that was not seen
// as read counts as its read (images blocked), as Mautic does.
func RecordClick(tx *db.Tx, in Interaction) error {
	r, err := lookup(tx, in)
	if err != nil || r.contactID == "" {
		return err
	}
	at, dev := in.at(tx), Device(in.UserAgent)
	day := dayOf(at)
	if r.found {
		if _, err := tx.Exec(`UPDATE email_sends SET clicked = 1, is_read = 1, read_at = coalesce(read_at, ?),
			device = coalesce(device, ?) WHERE seq = ?`, at.UnixMilli(), dev, r.seq); err != nil {
			return err
		}
	}
	if err := addCount(tx, r.countID, day, dev, "clicked_total", 1); err != nil {
		return err
	}
	if !r.clicked {
		if err := addCount(tx, r.countID, day, dev, "clicked", 1); err != nil {
			return err
		}
	}
	if !r.isRead {
		if err := addCount(tx, r.countID, day, dev, "read", 1); err != nil {
			return err
		}
	}
	unique := int64(0)
	var n int
	if r.found {
		if _, err := tx.Exec(`INSERT INTO email_send_clicks(seq, url, n) VALUES(?, ?, 1)
			ON CONFLICT(seq, url) DO UPDATE SET n = n + 1`, r.seq, in.URL); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT n FROM email_send_clicks WHERE seq = ? AND url = ?`, r.seq, in.URL).Scan(&n); err != nil {
			return err
		}
		if n == 1 {
			unique = 1
		}
	}
	if _, err := tx.Exec(`INSERT INTO email_link_counts(email_id, url, clicks, unique_clicks) VALUES(?, ?, 1, ?)
		ON CONFLICT(email_id, url) DO UPDATE SET clicks = clicks + 1, unique_clicks = unique_clicks + excluded.unique_clicks`,
		r.countID, in.URL, unique); err != nil {
		return err
	}
	if in.NoEvent {
		return nil
	}
	id := in.HitID
	if id == "" {
		id = fmt.Sprintf("email.clicked:%s:%d:%s:%s", in.MsgID, n, at.Format(time.RFC3339Nano), in.URL)
	}
	_, err = events.Append(tx, events.Event{ID: id, ContactID: r.contactID, Type: events.EmailClicked, At: at,
		ObjectID: r.rootID, URL: in.URL, Source: "tracker", Data: map[string]any{"msgId": in.MsgID, "device": dev}})
	return err
}

// RecordUnsubscribe marks the contact do-not-contact (unsubscribed) on email with the email
// as the channel id, once.
func RecordUnsubscribe(tx *db.Tx, in Interaction) error {
	r, err := lookup(tx, in)
	if err != nil || r.contactID == "" {
		return err
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM dnc WHERE contact_id = ? AND channel = 'email' AND deleted = 0`, r.contactID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if in.NoEvent { // the caller sets the DNC
		return addCount(tx, r.countID, dayOf(in.at(tx)), "", "unsubscribed", 1)
	}
	if err := contacts.NewOps(tx, "tracker").SetDNC(r.contactID, "email", contacts.ReasonUnsubscribed, r.rootID, "unsubscribe link"); err != nil {
		return err
	}
	return addCount(tx, r.countID, dayOf(in.at(tx)), "", "unsubscribed", 1)
}

// CountHit keeps the counters for a tracker hit, once per hit id, (kind "open", "click" or "unsub") in the
// tracker's ingest transaction; the ingester writes the timeline event and the DNC itself.
func CountHit(tx *db.Tx, hitID, kind, send, email, contact string, at time.Time, ua, url string) error {
	if send == "" && email == "" {
		return nil
	}
	if hitID != "" {
		res, err := tx.Exec(`INSERT INTO email_counted_hits(hit_id) VALUES(?) ON CONFLICT(hit_id) DO NOTHING`, hitID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // counted already
		}
	}
	in := Interaction{MsgID: send, EmailID: email, ContactID: contact, At: at, UserAgent: ua, URL: url, NoEvent: true}
	switch kind {
	case "open":
		return RecordOpen(tx, in)
	case "click":
		return RecordClick(tx, in)
	case "unsub":
		return RecordUnsubscribe(tx, in)
	}
	return nil
}

// Track records an interaction in its own transaction (kind: open, click, unsubscribe).
func (s *Service) Track(ctx context.Context, kind string, in Interaction) error {
	fn := map[string]func(*db.Tx, Interaction) error{"open": RecordOpen, "click": RecordClick, "unsubscribe": RecordUnsubscribe}[kind]
	if fn == nil {
		return fmt.Errorf("emails: unknown interaction %q", kind)
	}
	return s.db.Write(ctx, func(tx *db.Tx) error { return fn(tx, in) })
}

// Webview renders the message a send delivered, for the "view in your browser" page.
func (s *Service) Webview(ctx context.Context, msgID string) (string, error) {
	var emailID, variantID, contactID string
	err := s.db.R.QueryRowContext(ctx, `SELECT email_id, coalesce(variant_id, email_id), contact_id FROM email_sends
		WHERE msg_id = ? AND state = 'sent'`, msgID).Scan(&emailID, &variantID, &contactID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound(msgID)
	}
	if err != nil {
		return "", err
	}
	e, err := s.Get(ctx, variantID)
	if err != nil {
		return "", err
	}
	rcpts, err := s.loadRecipients(ctx, []string{contactID})
	if err != nil {
		return "", err
	}
	links, err := s.Links(ctx)
	if err != nil {
		return "", err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return "", err
	}
	rc := rcpts[contactID]
	r := Render(&e, rc, Ref{MsgID: msgID, EmailID: variantID, ContactID: contactID, Address: rc.Address}, links, st.renderOptions(s.db.Clock.Now()))
	return r.HTML, nil
}
