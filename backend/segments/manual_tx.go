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
