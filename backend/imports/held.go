package imports

import (
	"magpie/backend/contacts"
	"magpie/backend/db"
)

// maxHeld bounds the rows heldRows keeps: past it the email index is built and the rest of
// the file is applied as it comes (a file of many duplicates keeps its memory flat).
var maxHeld = 20_000

// heldRows are, in an import into a store or side file that began without contacts (one
// transaction, the reader preparing the new contacts: stage.go), the rows whose email the
// reader's Bloom filter says may be stored already — a duplicate of an earlier row, or a
// false positive (≈ 0.1 % of a 1M file) —, held back in file order instead of looked up as
// they come. The
// email index is then deferred with the others (contacts.DeferIndexes): it is the only
// random B-tree of the load (≈ 2 s of a 1M import's writer kept live) and nothing else
// reads it. Once it is built — at the file's end, or when maxHeld rows are held — the held
// rows are applied as apply applies any row (looked up, merged, or new contacts), and the
// rest of the file goes through the live index. Every later row of a held email is a
// "maybe" too (the filter's bits never clear), so no row applied before them touches the
// contacts they merge into: the result is the in-order one. The rows are applied batch by
// batch as they were read, so that two rows of one email in two batches give a new contact
// and its update (with its contact.updated event), as without holding, and two in one
// batch one new contact.
type heldRows struct {
	batches [][]row // each batch's held rows, in file order
	n       int
	built   bool // the email index is live: nothing more is held
}

// add holds a batch's rows to look up.
func (h *heldRows) add(rows []row) {
	if len(rows) > 0 {
		h.batches = append(h.batches, rows)
		h.n += len(rows)
	}
}

// holding says whether apply keeps a prepared batch's rows to look up (h may be nil).
func (h *heldRows) holding() bool { return h != nil && !h.built }

// full says whether the index should be built now: maxHeld rows are held.
func (h *heldRows) full() bool { return h.holding() && h.n >= maxHeld }

// applyHeld applies the held rows in tx once the email index is live (Run builds it in the
// import's one transaction), adds them to the import's counters and returns the record as
// it then stands.
func applyHeld(tx *db.Tx, rec Record, p plan, h *heldRows, companyIDs map[string]string) (Record, error) {
	o := contacts.NewOps(tx, "import")
	o.ShareCompanies(companyIDs)
	var ins, upd, ign int64
	for _, rows := range h.batches {
		i, u, g, err := mergeRows(tx, o, rec, p, rows, companyIDs, nil)
		if err != nil {
			return rec, err
		}
		ins, upd, ign = ins+i, upd+u, ign+g
	}
	if _, err := tx.Exec("UPDATE imports SET inserted = inserted + ?, updated = updated + ?, ignored = ignored + ? WHERE id = ?",
		ins, upd, ign, rec.ID); err != nil {
		return rec, err
	}
	h.batches, h.n = nil, 0
	rec.Inserted += ins
	rec.Updated += upd
	rec.Ignored += ign
	return rec, nil
}
