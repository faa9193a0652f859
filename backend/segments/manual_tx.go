package segments

import "magpie/backend/db"

<<<<<<< HEAD
// ManualInTx adds (or removes) one contact by hand inside the caller's transaction (a form's
// "modify segments" action runs inside the ingest transaction). It reports whether the
// membership changed; the segment's member count is refreshed when it did.
func ManualInTx(tx *db.Tx, segID, contactID string, add bool) (bool, error) {
	ok, err := manualOne(tx, segID, contactID, add)
	if err != nil || !ok {
		return ok, err
	}
	tx.Signal(Topic, contactID)
	tx.Signal(Topic+"s", segID)
	_, err = tx.Exec(`UPDATE segment_builds SET members = (SELECT count(*) FROM segment_members m JOIN contacts c ON c.id = m.contact_id AND c.deleted = 0
		WHERE m.segment_id = ?1 AND m.manually_removed = 0) WHERE segment_id = ?1`, segID)
	return true, err
=======
// ManualTx adds (add) or removes a contact by hand inside tx, as AddManual/RemoveManual do
// (campaign "modify segments" actions run in the campaign's transaction). It reports
// whether membership changed.
func ManualTx(tx *db.Tx, segID, contactID string, add bool) (bool, error) {
	return manualOne(tx, segID, contactID, add)
>>>>>>> main
}
