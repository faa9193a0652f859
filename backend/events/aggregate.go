package events

import (
	"database/sql"
	"errors"

	"magpie/backend/db"
)

// SessionGap is Mautic's session rule: a page hit starts a session when the contact had no
// page hit in the preceding 30 minutes.
const SessionGap int64 = 30 * 60 * 1000

// IsHit reports whether t counts as a hit (Mautic's page_hits: pages and tracked clicks).
func IsHit(t Type) bool { return t == PageHit || t == EmailClicked }

// aggregate maintains the per-contact behaviour tables for one newly stored event.
func aggregate(tx *db.Tx, e Event, at int64) error {
	switch e.Type {
	case PageHit, EmailClicked:
		if err := hitAggregates(tx, e, at); err != nil {
			return err
		}
	case EmailSent:
		return bump(tx, e.ContactID, "emails_sent")
	case EmailRead:
		return bump(tx, e.ContactID, "emails_read")
	case AssetDownloaded:
		return bump(tx, e.ContactID, "downloads")
	default:
		return nil
	}
	if e.Type == EmailClicked {
		if err := bump(tx, e.ContactID, "emails_clicked"); err != nil {
			return err
		}
	}
	return nil
}

// bump adds one to a counter column (a constant from this file, never input).
func bump(tx *db.Tx, contactID, col string) error {
	_, err := tx.Exec(`INSERT INTO contact_stats(contact_id, `+col+`) VALUES(?, 1)
		ON CONFLICT(contact_id) DO UPDATE SET `+col+` = `+col+` + 1`, contactID)
	return err
}

func hitAggregates(tx *db.Tx, e Event, at int64) error {
	var urlID int64
	if e.URL != "" {
		if _, err := tx.Exec(`INSERT INTO urls(url) VALUES(?) ON CONFLICT(url) DO NOTHING`, e.URL); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT id FROM urls WHERE url = ?`, e.URL).Scan(&urlID); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`INSERT INTO contact_urls(url_id, contact_id, n, first_at, last_at) VALUES(?, ?, 1, ?, ?)
		ON CONFLICT(url_id, contact_id) DO UPDATE SET n = n + 1,
		  first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
		urlID, e.ContactID, at, at); err != nil {
		return err
	}
	if !e.Device.IsZero() {
		d := e.Device
		if _, err := tx.Exec(`INSERT INTO contact_devices(contact_id, device_type, device_os, device_browser, device_brand, first_at, last_at, n)
			VALUES(?, ?, ?, ?, ?, ?, ?, 1)
			ON CONFLICT DO UPDATE SET n = n + 1, first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
			e.ContactID, d.Type, d.OS, d.Browser, d.Brand, at, at); err != nil {
			return err
		}
	}
	if !e.UTM.IsZero() {
		u := e.UTM
		if _, err := tx.Exec(`INSERT INTO contact_utm(contact_id, utm_source, utm_medium, utm_campaign, utm_content, utm_term, first_at, last_at, n)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, 1)
			ON CONFLICT DO UPDATE SET n = n + 1, first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
			e.ContactID, u.Source, u.Medium, u.Campaign, u.Content, u.Term, at, at); err != nil {
			return err
		}
	}
	var last sql.NullInt64
	err := tx.QueryRow(`SELECT last_hit_at FROM contact_stats WHERE contact_id = ?`, e.ContactID).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	page := e.Type == PageHit
	switch {
	case !page:
		_, err = tx.Exec(`INSERT INTO contact_stats(contact_id, hits, first_hit_at) VALUES(?, 1, ?)
			ON CONFLICT(contact_id) DO UPDATE SET hits = hits + 1, first_hit_at = min(coalesce(first_hit_at, excluded.first_hit_at), excluded.first_hit_at)`,
			e.ContactID, at)
	case last.Valid && at < last.Int64:
		// A hit older than the newest one (history import): recount sessions exactly.
		if _, err = tx.Exec(`UPDATE contact_stats SET hits = hits + 1, page_hits = page_hits + 1,
			first_hit_at = min(coalesce(first_hit_at, ?), ?) WHERE contact_id = ?`, at, at, e.ContactID); err != nil {
			return err
		}
		err = RecountSessions(tx, e.ContactID)
	default:
		newSession := 0
		if !last.Valid || at-last.Int64 > SessionGap {
			newSession = 1
		}
		_, err = tx.Exec(`INSERT INTO contact_stats(contact_id, hits, page_hits, sessions, first_hit_at, last_hit_at)
			VALUES(?, 1, 1, ?, ?, ?)
			ON CONFLICT(contact_id) DO UPDATE SET hits = hits + 1, page_hits = page_hits + 1,
			  sessions = sessions + excluded.sessions, last_hit_at = excluded.last_hit_at,
			  first_hit_at = min(coalesce(first_hit_at, excluded.first_hit_at), excluded.first_hit_at)`,
			e.ContactID, newSession, at, at)
	}
	return err
}

// RecountSessions recomputes a contact's session count and last page hit from the log.
func RecountSessions(tx *db.Tx, contactID string) error {
	if err := settle(tx, contactID); err != nil {
		return err
	}
	return recountSessions(tx, contactID)
}

// recountSessions is RecountSessions for a contact with nothing pending (Batch.write).
func recountSessions(tx *db.Tx, contactID string) error {
	_, err := tx.Exec(`UPDATE contact_stats SET
		sessions = (SELECT count(*) FROM (SELECT at, lag(at) OVER (ORDER BY at) AS prev
			FROM events WHERE contact_id = ?1 AND type = 'page.hit') WHERE prev IS NULL OR at - prev > 1800000),
		last_hit_at = (SELECT max(at) FROM events WHERE contact_id = ?1 AND type = 'page.hit')
		WHERE contact_id = ?1`, contactID)
	return err
}
