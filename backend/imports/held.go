package imports

import (
	"magpie/backend/contacts"
	"magpie/backend/db"
)

// maxHeld bounds the rows heldRows keeps: past it the email index is built and the rest of
// the file is applied as it comes (a file of many duplicates keeps its memory flat).
var maxHeld = 20_000

// heldRows are, in an import into a side file that began without contacts (RunFresh, the
// reader preparing the new contacts: stage.go), the rows whose email the reader's Bloom
// filter says may be stored already — a duplicate of an earlier row, or a false positive
// (≈ 0.1 % of a 1M file) —, held back in file order instead of looked up as they come. The
// email index is then deferred with the others (contacts.DeferIndexes): it is the only
// random B-tree of the load (≈ 2 s of a 1M import's writer kept live) and nothing else
// reads it. Once it is built — at the file's end, or when maxHeld rows are held — the held
// rows are applied as apply applies any row (looked up, merged, or new contacts), and the
// rest of the file goes through the live index. Every later row of a held email is a
// "maybe" too (the filter's bits never clear), so no row applied before them touches the
// contacts they merge into: the result is the in-order one.
type heldRows struct {
	rows  []row
	built bool // the email index is live: nothing more is held
}

// holding says whether apply keeps a prepared batch's rows to look up (h may be nil).
func (h *heldRows) holding() bool { return h != nil && !h.built }

// full says whether the index should be built now: maxHeld rows are held.
func (h *heldRows) full() bool { return h.holding() && len(h.rows) >= maxHeld }

// applyHeld applies the held rows in tx once the email index is live (Run builds it
// between two transactions, as the deferred indexes are), adds them to the import's
// counters and returns the record as it then stands.
func applyHeld(tx *db.Tx, rec Record, p plan, h *heldRows, companyIDs map[string]string) (Record, error) {
	o := contacts.NewOps(tx, "import")
	o.ShareCompanies(companyIDs)
	ins, upd, ign, err := mergeRows(tx, o, rec, p, h.rows, companyIDs, nil)
	if err != nil {
		return rec, err
	}
	if _, err := tx.Exec("UPDATE imports SET inserted = inserted + ?, updated = updated + ?, ignored = ignored + ? WHERE id = ?",
		ins, upd, ign, rec.ID); err != nil {
		return rec, err
	}
	h.rows = nil
	rec.Inserted += ins
	rec.Updated += upd
	rec.Ignored += ign
	return rec, nil
}
