package imports

import (
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
)

// ready is the part of a batch made ready away from the writer, when the import writes a
// side file that began without contacts (Run's one transaction): every row whose email the
// import never wrote is a new contact (or merges into one of the same batch), and its
// contact, tag links and creation event are laid out for their statements on the reader's
// goroutine (contacts.PrepareMany) while the writer stores the batch before. The writer
// then only finds the companies, binds the ready buffers and applies rest. The Bloom
// filter of the emails written is then the reader's alone (apply gets nil). Rows with
// company columns keep apply's path (their company fields are applied in file order with
// the merged rows'), so a plan with some is not prepared (Run).
type ready struct {
	prep *contacts.Prepared // the batch's new contacts
	// rest are the rows whose email may be stored (the Bloom filter says maybe: a
	// duplicate of an earlier batch, or a false positive), in file order, for the writer to
	// look up and merge as apply always does.
	rest          []row
	ins, upd, ign int64
	err           error // preparing failed: the run stops with it
}

// prepare splits rows into new contacts, prepared, and the rows to look up (see ready), with
// apply's rules: a row with nothing to import is ignored, a later row of an email new in
// this batch merges into its contact, blanks never overwrite and NULL cells are left out.
func prepare(rec Record, p plan, rows []row, now int64, seen *seenEmails) *ready {
	rd := &ready{}
	var pending []contacts.NewContact
	pendingByEmail := map[string]int{}
	for _, r := range rows {
		if len(r.vals) == 0 && len(r.tags) == 0 && r.points == 0 {
			rd.ign++
			continue
		}
		if r.email != "" {
			if i, ok := pendingByEmail[r.email]; ok {
				mergeInto(&pending[i], r)
				rd.upd++
				continue
			}
			if seen.mayHave(r.email) {
				// (every later row of this email is a "maybe" too: same bits)
				rd.rest = append(rd.rest, r)
				continue
			}
		}
		pending = append(pending, newContact(r, r.vals, rec.Options.Tags))
		if r.email != "" {
			pendingByEmail[r.email] = len(pending) - 1
		}
		rd.ins++
	}
	for e := range pendingByEmail {
		seen.add(e)
	}
	rd.prep, rd.err = contacts.PrepareMany(p.aliases, pending, contacts.BulkOpts{Event: events.ContactImported,
		ObjectID: rec.ID, ObjectName: rec.FileName}, now, "import", true)
	return rd
}

// writeReady stores the prepared new contacts of rd (apply, before its rows to look up).
func writeReady(tx *db.Tx, o *contacts.Ops, rd *ready, companyIDs map[string]string) error {
	if rd.err != nil {
		return rd.err
	}
	if err := findCompanies(tx, rd.prep.Rows(), companyIDs); err != nil {
		return err
	}
	return o.CreatePrepared(rd.prep)
}
