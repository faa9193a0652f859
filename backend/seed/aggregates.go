package seed

import (
	"context"
	"fmt"

	"magpie/backend/db"
	"magpie/backend/events"
)

// aggregates writes the behaviour aggregates (contact_stats, urls, contact_urls) of the
// behaviour events stored for contacts whose id is ≥ first — the contacts of this run,
// whose UUIDv7 ids are above every older contact's. events.AppendMany does not maintain
// them (events.Append and events.Batch do, event by event), so without this step the demo
// contacts' page hits, sessions and email counts would read 0 in segment filters, points
// and reports. Set-based, once, from the log — with what events.RecountSessions gives:
// a session starts at a page hit with no page hit in the preceding 30 minutes.
// The run's contacts are new, so nothing of theirs is in those tables yet.
func aggregates(ctx context.Context, d *db.DB, first string) error {
	gap := events.SessionGap
	return d.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(`INSERT INTO contact_stats(contact_id, hits, page_hits, sessions, first_hit_at, last_hit_at,
				emails_sent, emails_read, emails_clicked)
			SELECT contact_id,
				sum(type IN ('page.hit', 'email.clicked')),
				sum(type = 'page.hit'),
				sum(type = 'page.hit' AND (prev IS NULL OR at - prev > ?2)),
				min(CASE WHEN type IN ('page.hit', 'email.clicked') THEN at END),
				max(CASE WHEN type = 'page.hit' THEN at END),
				sum(type = 'email.sent'), sum(type = 'email.read'), sum(type = 'email.clicked')
			FROM (SELECT contact_id, type, at, lag(at) OVER (PARTITION BY contact_id, type ORDER BY at) AS prev
				FROM events WHERE contact_id >= ?1 AND type IN ('page.hit', 'email.sent', 'email.read', 'email.clicked'))
			GROUP BY contact_id`, first, gap); err != nil {
			return fmt.Errorf("seed: contact stats: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO urls(url)
			SELECT DISTINCT url FROM events WHERE contact_id >= ? AND type IN ('page.hit', 'email.clicked') AND url IS NOT NULL
			ON CONFLICT(url) DO NOTHING`, first); err != nil {
			return fmt.Errorf("seed: urls: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO contact_urls(url_id, contact_id, n, first_at, last_at)
			SELECT coalesce(u.id, 0), e.contact_id, count(*), min(e.at), max(e.at)
			FROM events e LEFT JOIN urls u ON u.url = e.url
			WHERE e.contact_id >= ? AND e.type IN ('page.hit', 'email.clicked')
			GROUP BY coalesce(u.id, 0), e.contact_id`, first); err != nil {
			return fmt.Errorf("seed: contact urls: %w", err)
		}
		return nil
	})
}
