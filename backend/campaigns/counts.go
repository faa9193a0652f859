package campaigns

import "magpie/backend/db"

// Set-based statements on campaign_log keep campaign_counts exact with one grouped upsert
// instead of the triggers' upsert per row (migration 0054): bulk runs one statement while
// a row in campaign_counts_bulk sets the insert and status triggers aside, then the caller
// adds the rows it wrote with addCounts (and subtracts what they were with subCounts).

// bulk runs fn (statements on campaign_log only, no Go hook in between) with the count
// triggers aside.
func bulk(tx *db.Tx, fn func() error) error {
	if _, err := tx.Exec("INSERT INTO campaign_counts_bulk(k) VALUES(1)"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	_, err := tx.Exec("DELETE FROM campaign_counts_bulk")
	return err
}

// addCounts counts the campaign_log rows selected by where (e.g. an id range just written).
func addCounts(tx *db.Tx, where string, args ...any) error {
	_, err := tx.Exec(`INSERT INTO campaign_counts(campaign_id, event_id, status, n)
		SELECT campaign_id, event_id, status, count(*) FROM campaign_log WHERE `+where+` GROUP BY 1, 2, 3
		ON CONFLICT(campaign_id, event_id, status) DO UPDATE SET n = n + excluded.n`, args...)
	return err
}

// subCounts removes the campaign_log rows selected by where (all of campaign/event) from
// the counts of their current status (before a set-based status change).
func subCounts(tx *db.Tx, campaign, event, where string, args ...any) error {
	_, err := tx.Exec(`UPDATE campaign_counts SET n = n - s.k
		FROM (SELECT status AS st, count(*) AS k FROM campaign_log WHERE `+where+` GROUP BY status) s
		WHERE campaign_id = ? AND event_id = ? AND status = s.st`, append(args, campaign, event)...)
	return err
}
