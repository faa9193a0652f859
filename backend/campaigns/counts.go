package campaigns

import (
	"database/sql"
	"errors"

	"magpie/backend/db"
)

// A campaign_log row names its step (campaign, event) by a local integer key from
// campaign_step_keys (migration 0090). campaign_counts holds the live counts per step and
// status; no trigger keeps it: every statement that inserts, deletes or changes the status
// of campaign_log rows counts them itself, set-based (one grouped upsert per statement).

// stepKey returns the key of event in campaign, given on first use.
func stepKey(tx *db.Tx, campaign, event string) (int64, error) {
	var k int64
	err := tx.QueryRow("SELECT k FROM campaign_step_keys WHERE campaign_id = ? AND event_id = ?", campaign, event).Scan(&k)
	if !errors.Is(err, sql.ErrNoRows) {
		return k, err
	}
	r, err := tx.Exec("INSERT INTO campaign_step_keys(campaign_id, event_id) VALUES(?, ?)", campaign, event)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// campaignKey returns the key of campaign in campaign_members (campaign_keys, migration
// 0092), given on first use.
func campaignKey(tx *db.Tx, campaign string) (int64, error) {
	var k int64
	err := tx.QueryRow("SELECT k FROM campaign_keys WHERE campaign_id = ?", campaign).Scan(&k)
	if !errors.Is(err, sql.ErrNoRows) {
		return k, err
	}
	r, err := tx.Exec("INSERT INTO campaign_keys(campaign_id) VALUES(?)", campaign)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// keyOf is the key of campaign ? in campaign_members (NULL, which matches no row, for a
// campaign that never had members).
const keyOf = "(SELECT k FROM campaign_keys WHERE campaign_id = ?)"

// stepOf returns the campaign and event of step key k.
func stepOf(tx *db.Tx, k int64) (campaign, event string, err error) {
	err = tx.QueryRow("SELECT campaign_id, event_id FROM campaign_step_keys WHERE k = ?", k).Scan(&campaign, &event)
	return campaign, event, err
}

// campaignSteps selects the step keys of campaign ?.
const campaignSteps = "SELECT k FROM campaign_step_keys WHERE campaign_id = ?"

// addCount adds n rows of status to step's count (n may be negative).
func addCount(tx *db.Tx, step int64, status string, n int64) error {
	if n == 0 {
		return nil
	}
	_, err := tx.Exec(`INSERT INTO campaign_counts(step, status, n) VALUES(?, ?, ?)
		ON CONFLICT(step, status) DO UPDATE SET n = n + excluded.n`, step, status, n)
	return err
}

// addCounts counts the campaign_log rows selected by where (e.g. an id range just written).
func addCounts(tx *db.Tx, where string, args ...any) error {
	_, err := tx.Exec(`INSERT INTO campaign_counts(step, status, n)
		SELECT step, status, count(*) FROM campaign_log WHERE `+where+` GROUP BY 1, 2
		ON CONFLICT(step, status) DO UPDATE SET n = n + excluded.n`, args...)
	return err
}

// subCounts removes the campaign_log rows selected by where from the counts of their
// current status (before a set-based status change or delete).
func subCounts(tx *db.Tx, where string, args ...any) error {
	_, err := tx.Exec(`UPDATE campaign_counts SET n = n - s.k
		FROM (SELECT step AS sp, status AS st, count(*) AS k FROM campaign_log WHERE `+where+` GROUP BY 1, 2) s
		WHERE campaign_counts.step = s.sp AND campaign_counts.status = s.st`, args...)
	return err
}

// movesKey keys a transaction's count of statements that moved existing campaign_log rows
// to another status outside the runner's marking of its own batch (setStatus, a real-time
// decision). While it stays where it was when the runner read its due rows (camp_due),
// every due row still has the status it was read with, so a group's counts move by the
// group's size, without reading its rows back (execCtx.sameStatus).
type movesKey struct{}

// moved notes that a statement may have moved existing rows to another status.
func moved(tx *db.Tx) {
	n, _ := tx.Local(movesKey{}).(int)
	tx.SetLocal(movesKey{}, n+1)
}

// moves is how many times moved was called in tx.
func moves(tx *db.Tx) int {
	n, _ := tx.Local(movesKey{}).(int)
	return n
}

// setStatus runs `UPDATE campaign_log SET <set> WHERE <where>` (set changes the status)
// and moves the rows' counts. The rows are noted first (temp table camp_moved), so where
// may select by the status the update changes. It returns how many rows changed.
func setStatus(tx *db.Tx, set string, setArgs []any, where string, whereArgs ...any) (int64, error) {
	for _, q := range []string{
		"CREATE TEMP TABLE IF NOT EXISTS camp_moved(id INTEGER PRIMARY KEY)",
		"DELETE FROM camp_moved",
	} {
		if _, err := tx.Exec(q); err != nil {
			return 0, err
		}
	}
	r, err := tx.Exec("INSERT INTO camp_moved(id) SELECT id FROM campaign_log WHERE "+where, whereArgs...)
	if err != nil {
		return 0, err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return 0, nil
	}
	moved(tx)
	const rows = "id IN (SELECT id FROM camp_moved)"
	if err := subCounts(tx, rows); err != nil {
		return 0, err
	}
	r, err = tx.Exec("UPDATE campaign_log SET "+set+" WHERE "+rows, setArgs...)
	if err != nil {
		return 0, err
	}
	n, _ := r.RowsAffected()
	return n, addCounts(tx, rows)
}
