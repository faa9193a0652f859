package segments

import "magpie/backend/db"

// ManualTx adds (add) or removes a contact by hand inside tx, as AddManual/RemoveManual do
// (campaign "modify segments" actions and point triggers run in their own transaction). It
// reports whether membership changed; a missing or trashed segment changes nothing. The
// member count moves by one and the change is signalled like a manual edit.
func ManualTx(tx *db.Tx, segID, contactID string, add bool) (bool, error) {
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM segments WHERE id = ? AND deleted = 0", segID).Scan(&n); err != nil || n == 0 {
		return false, err
	}
	ok, err := manualOne(tx, segID, contactID, add)
	if err != nil || !ok {
		return ok, err
	}
	d := 1
	if !add {
		d = -1
	}
	if _, err := tx.Exec("UPDATE segment_builds SET members = max(members + ?, 0) WHERE segment_id = ?", d, segID); err != nil {
		return false, err
	}
	tx.Signal(Topic, contactID)
	tx.Signal(Topic+"s", segID)
	return true, nil
}

// CampaignMembershipChanged queues, inside tx, the contacts selectSQL returns (one column,
// contact ids) for live re-evaluation when a published segment filters on campaign
// membership: campaign joins and leaves change those segments like a contact edit does. The
// queue is the durable segment_dirty, so a crash loses nothing; without such a segment it
// costs one small query.
func CampaignMembershipChanged(tx *db.Tx, selectSQL string, args ...any) error {
	var used bool
	if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM segments WHERE deleted = 0 AND is_published = 1
		AND filters LIKE '%"campaign"%')`).Scan(&used); err != nil || !used {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO segment_dirty(contact_id, queued_at) SELECT contact_id, ? FROM (`+selectSQL+`) WHERE true
		ON CONFLICT DO NOTHING`, append([]any{tx.NowMs()}, args...)...); err != nil {
		return err
	}
	tx.Signal(Topic, "") // wakes the live loop, which drains segment_dirty
	return nil
}
