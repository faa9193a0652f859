package segments

import "magpie/backend/db"

// ManualTx adds (add) or removes a contact by hand inside tx, as AddManual/RemoveManual do
// (campaign "modify segments" actions run in the campaign's transaction). It reports
// whether membership changed.
func ManualTx(tx *db.Tx, segID, contactID string, add bool) (bool, error) {
	return manualOne(tx, segID, contactID, add)
}
