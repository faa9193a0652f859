package segments

import (
	"magpie/backend/contacts"
	"magpie/backend/db"
)

func init() { contacts.OnMerge(mergeMembership) }

// mergeMembership moves the merged-away contact's memberships to the contact that survives a
// merge (an identified visitor, a duplicate). Where both had a row for a segment the
// survivor's row wins, as Mautic keeps the winner's lead_lists_leads row; the loser's other
// rows move over with their manual flags, so a hand-added membership is not lost.
func mergeMembership(tx *db.Tx, winner, loser string) error {
	if _, err := tx.Exec(`INSERT INTO segment_members(segment_id, contact_id, date_added, manually_added, manually_removed)
		SELECT segment_id, ?1, date_added, manually_added, manually_removed FROM segment_members WHERE contact_id = ?2
		ON CONFLICT(segment_id, contact_id) DO NOTHING`, winner, loser); err != nil {
		return err
	}
	if err := mergeManual(tx, winner, loser); err != nil {
		return err
	}
	r, err := tx.Exec(`DELETE FROM segment_members WHERE contact_id = ?`, loser)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n > 0 {
		if _, err := tx.Exec(`UPDATE segment_builds SET members = (SELECT count(*) FROM segment_members m
			JOIN contacts c ON c.id = m.contact_id AND c.deleted = 0 AND c.id != ?1
			WHERE m.segment_id = segment_builds.segment_id AND m.manually_removed = 0)
			WHERE segment_id IN (SELECT segment_id FROM segment_members WHERE contact_id = ?2)`, loser, winner); err != nil {
			return err
		}
	}
	tx.Signal(Topic, winner) // the live loop re-evaluates the survivor's filter memberships
	return nil
}

// mergeManual moves the loser's synced manual decisions to the winner where the winner has
// none for that segment, and clears the loser's (teammates follow).
func mergeManual(tx *db.Tx, winner, loser string) error {
	rows, err := tx.Query(`SELECT l.segment_id, l.state, coalesce(w.state, '') FROM segment_manual l
		LEFT JOIN segment_manual w ON w.segment_id = l.segment_id AND w.contact_id = ?1 AND w.deleted = 0
		WHERE l.contact_id = ?2 AND l.deleted = 0 AND l.state != ''`, winner, loser)
	if err != nil {
		return err
	}
	type mv struct{ seg, state, winner string }
	var mvs []mv
	for rows.Next() {
		var m mv
		if err := rows.Scan(&m.seg, &m.state, &m.winner); err != nil {
			rows.Close()
			return err
		}
		mvs = append(mvs, m)
	}
	rows.Close()
	for _, m := range mvs {
		if m.winner == "" {
			if err := setManualState(tx, m.seg, winner, m.state); err != nil {
				return err
			}
		}
		if err := setManualState(tx, m.seg, loser, ManualNone); err != nil {
			return err
		}
	}
	return rows.Err()
}
