package segments

import (
	"magpie/backend/apperr"
	"magpie/backend/db"
)

// ManualTx adds (add) or removes one contact by hand inside the caller's transaction (point
// triggers, campaign and form actions), with AddManual/RemoveManual's state machine; it
// reports whether membership changed. A missing or trashed segment is a NotFound error.
func ManualTx(tx *db.Tx, segID, contactID string, add bool) (bool, error) {
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM segments WHERE id = ? AND deleted = 0", segID).Scan(&n); err != nil {
		return false, err
	}
	if n == 0 {
		return false, apperr.NotFoundf("segments.errors.notFound", map[string]any{"id": segID}, "no segment %q", segID)
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
