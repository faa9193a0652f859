package events

import (
	"fmt"

	"magpie/backend/db"
)

// MoveAggregates moves the per-contact behaviour aggregates of loser onto winner (contact
// merge; the events themselves are reassigned by the caller). Counters add up, first/last
// instants take the min/max; sessions are summed (two devices' sessions may overlap in time,
// so the merged count can be slightly higher than a recount).
func MoveAggregates(tx *db.Tx, winner, loser string) error {
	if err := settle(tx, winner, loser); err != nil {
		return err
	}
	if err := settledBoth(tx, winner, loser); err != nil {
		return err
	}
	stmts := []string{
		`INSERT INTO contact_stats(contact_id, hits, page_hits, sessions, first_hit_at, last_hit_at,
			emails_sent, emails_read, emails_clicked, downloads)
		 SELECT ?, hits, page_hits, sessions, first_hit_at, last_hit_at, emails_sent, emails_read, emails_clicked, downloads
		 FROM contact_stats WHERE contact_id = ?
		 ON CONFLICT(contact_id) DO UPDATE SET hits = hits + excluded.hits, page_hits = page_hits + excluded.page_hits,
			sessions = sessions + excluded.sessions,
			first_hit_at = coalesce(min(first_hit_at, excluded.first_hit_at), first_hit_at, excluded.first_hit_at),
			last_hit_at = coalesce(max(last_hit_at, excluded.last_hit_at), last_hit_at, excluded.last_hit_at),
			emails_sent = emails_sent + excluded.emails_sent, emails_read = emails_read + excluded.emails_read,
			emails_clicked = emails_clicked + excluded.emails_clicked, downloads = downloads + excluded.downloads`,
		`INSERT INTO contact_urls(url_id, contact_id, n, first_at, last_at)
		 SELECT url_id, ?, n, first_at, last_at FROM contact_urls WHERE contact_id = ? AND true
		 ON CONFLICT(url_id, contact_id) DO UPDATE SET n = n + excluded.n,
			first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
		`INSERT INTO contact_devices(contact_id, device_type, device_os, device_browser, device_brand, first_at, last_at, n)
		 SELECT ?, device_type, device_os, device_browser, device_brand, first_at, last_at, n FROM contact_devices WHERE contact_id = ? AND true
		 ON CONFLICT DO UPDATE SET n = n + excluded.n, first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
		`INSERT INTO contact_utm(contact_id, utm_source, utm_medium, utm_campaign, utm_content, utm_term, first_at, last_at, n)
		 SELECT ?, utm_source, utm_medium, utm_campaign, utm_content, utm_term, first_at, last_at, n FROM contact_utm WHERE contact_id = ? AND true
		 ON CONFLICT DO UPDATE SET n = n + excluded.n, first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
	}
	for _, q := range stmts {
		if _, err := tx.Exec(q, winner, loser); err != nil {
			return fmt.Errorf("events: move aggregates: %w", err)
		}
	}
	for _, t := range []string{"contact_stats", "contact_urls", "contact_devices", "contact_utm"} {
		if _, err := tx.Exec("DELETE FROM "+t+" WHERE contact_id = ?", loser); err != nil {
			return fmt.Errorf("events: move aggregates: %w", err)
		}
	}
	return nil
}
