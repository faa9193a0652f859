package imports

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
)

type existing struct {
	id   string
	ours bool // created by this very import (an earlier batch or run)
}

// commit applies one batch and moves the import's cursor in the same transaction, so a
// crash either keeps the whole batch and its cursor or neither.
func (s *Service) commit(ctx context.Context, rec Record, p plan, b parsed, companyIDs map[string]string) (Record, error) {
	out := rec
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		out, err = apply(tx, rec, p, b, companyIDs, nil, nil)
		return err
	})
	if err != nil {
		return rec, err
	}
	return out, nil
}

// apply writes one batch and moves the import's cursor in tx; it returns the record as it
// then stands. seen, when not nil, holds every email stored (a store that had no contacts
// and writes the whole file in one transaction); apply adds the batch's. A batch the reader
// prepared (b.ready, stage.go) has its new contacts stored first, then its other rows
// applied as any batch's — or, while held is holding (held.go), kept there for later.
func apply(tx *db.Tx, rec Record, p plan, b parsed, companyIDs map[string]string, seen *seenEmails, held *heldRows) (Record, error) {
	rows, rejects, offset := b.rows, b.rejects, b.offset
	var ins, upd, ign int64
	var lastLine int64
	for _, r := range rows {
		lastLine = max(lastLine, r.line)
	}
	for _, r := range rejects {
		lastLine = max(lastLine, r.Line)
	}
	if lastLine == 0 {
		lastLine = rec.Line
	}
	err := func() error {
		o := contacts.NewOps(tx, "import")
		o.ShareCompanies(companyIDs)
		if b.ready != nil {
			rows = b.ready.rest
			ins, upd, ign = b.ready.ins, b.ready.upd, b.ready.ign
			if err := writeReady(tx, o, b.ready, companyIDs); err != nil {
				return err
			}
			if held.holding() {
				held.add(rows)
				rows = nil
			}
		}
		i, u, g, err := mergeRows(tx, o, rec, p, rows, companyIDs, seen)
		if err != nil {
			return err
		}
		ins, upd, ign = ins+i, upd+u, ign+g
		if len(rejects) > 0 {
			vals := make([][]any, len(rejects))
			for i, r := range rejects {
				vals[i] = []any{rec.ID, r.Line, r.Reason, nullable(r.Raw), problemsJSON(r.Problems)}
			}
			if err := tx.ExecMany("INSERT INTO import_errors(import_id, line, reason, raw, problems)", " ON CONFLICT DO NOTHING", 5, vals); err != nil {
				return err
			}
		}
		// The cursor moves only from where this run read it: a second run of the same import
		// (another window, the CLI) fails here instead of importing the rows twice.
		res, err := tx.Exec(`UPDATE imports SET offset_bytes = ?, line = ?, inserted = inserted + ?, updated = updated + ?,
			ignored = ignored + ?, failed = failed + ? WHERE id = ? AND offset_bytes = ?`,
			offset, lastLine, ins, upd, ign, int64(len(rejects)), rec.ID, rec.Offset)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "imports.errors.concurrent",
				fmt.Sprintf("import %s is being run by another process; this run stopped without writing", rec.ID), map[string]any{"id": rec.ID})
		}
		return nil
	}()
	if err != nil {
		return rec, err
	}
	rec.Offset, rec.Line = offset, lastLine
	rec.Inserted += ins
	rec.Updated += upd
	rec.Ignored += ign
	rec.Failed += int64(len(rejects))
	return rec, nil
}

// mergeRows applies rows in file order: each is looked up by email (with seen, see apply,
// only if its email may be stored) and merged into the contact found or into a new
// contact of the same rows, or makes a new contact; it returns how many rows inserted,
// updated and were ignored.
func mergeRows(tx *db.Tx, o *contacts.Ops, rec Record, p plan, rows []row, companyIDs map[string]string, seen *seenEmails) (ins, upd, ign int64, err error) {
	if len(rows) == 0 {
		return 0, 0, 0, nil
	}
	found, err := lookup(tx, rec.ID, rows, seen)
	if err != nil {
		return 0, 0, 0, err
	}
	var pending []contacts.NewContact
	pendingByEmail := map[string]int{}
	var updIDs []string // the existing contacts to update, in file order (UpdateMany)
	var updVals []db.Cols
	var withCompany []row // rows applied (not ignored) that carry company columns
	for _, r := range rows {
		if len(r.vals) == 0 && len(r.tags) == 0 && r.points == 0 {
			ign++ // nothing to import on this row
			continue
		}
		if len(r.company) > 0 {
			withCompany = append(withCompany, r)
		}
		if r.email != "" {
			if i, ok := pendingByEmail[r.email]; ok {
				mergeInto(&pending[i], r)
				upd++
				continue
			}
			if ex, ok := found[r.email]; ok {
				if !ex.ours && !rec.Options.UpdateExisting {
					ign++
					if len(r.company) > 0 {
						withCompany = withCompany[:len(withCompany)-1]
					}
					continue
				}
				updIDs, updVals = append(updIDs, ex.id), append(updVals, r.vals)
				if tags := append(append([]string{}, r.tags...), rec.Options.Tags...); len(tags) > 0 {
					if err := o.Tag(ex.id, tags, nil); err != nil {
						return 0, 0, 0, err
					}
				}
				upd++
				continue
			}
		}
		// A new contact has nothing to clear: the literal NULL cells are left out. The
		// row's own map is reused unless the row's company columns read it later
		// (applyCompanyFields), as a later row of the same email merges into it.
		vals := r.vals
		if len(r.company) > 0 {
			vals = make(db.Cols, len(r.vals))
			maps.Copy(vals, r.vals)
		}
		pending = append(pending, newContact(r, vals, rec.Options.Tags))
		if r.email != "" {
			pendingByEmail[r.email] = len(pending) - 1
		}
		ins++
	}
	if err := o.UpdateMany(updIDs, updVals); err != nil {
		return 0, 0, 0, err
	}
	if seen != nil {
		for e := range pendingByEmail {
			seen.add(e)
		}
	}
	if err := findCompanies(tx, pending, companyIDs); err != nil {
		return 0, 0, 0, err
	}
	if err := o.CreateMany(p.aliases, pending, contacts.BulkOpts{Event: events.ContactImported,
		ObjectID: rec.ID, ObjectName: rec.FileName}); err != nil {
		return 0, 0, 0, err
	}
	if err := applyCompanyFields(tx, withCompany); err != nil {
		return 0, 0, 0, err
	}
	return ins, upd, ign, nil
}

// mergeInto applies a later row of the same new contact: non-blank cells overwrite, the
// literal NULL clears, tags add up; points stay those of the first row.
func mergeInto(c *contacts.NewContact, r row) {
	for k, v := range r.vals {
		if v == nil {
			delete(c.Vals, k)
			continue
		}
		c.Vals[k] = v
	}
	c.Tags = append(c.Tags, r.tags...)
}

// lookup finds the live contacts having the batch's emails (the oldest one per email) and
// whether this import created them; with stored (see apply), only the emails it may hold.
func lookup(tx *db.Tx, importID string, rows []row, stored *seenEmails) (map[string]existing, error) {
	var emails []any
	seen := map[string]bool{}
	for _, r := range rows {
		if r.email != "" && !seen[r.email] && (stored == nil || stored.mayHave(r.email)) {
			seen[r.email] = true
			emails = append(emails, r.email)
		}
	}
	out := make(map[string]existing, len(emails))
	for start := 0; start < len(emails); start += 500 {
		chunk := emails[start:min(start+500, len(emails))]
		rs, err := tx.Query(`SELECT id, email FROM contacts WHERE deleted = 0 AND `+contacts.EmailIn(len(chunk))+
			` ORDER BY date_added DESC, id DESC`, chunk...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var id, email string
			if err := rs.Scan(&id, &email); err != nil {
				rs.Close()
				return nil, err
			}
			out[strings.ToLower(email)] = existing{id: id} // oldest wins (last row)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	// Which of them did this import create? Its contact.imported events say (through the
	// events_contact_type index, which bulk mode keeps).
	byID := make(map[string]string, len(out))
	idList := make([]string, 0, len(out))
	for email, ex := range out {
		byID[ex.id] = email
		idList = append(idList, ex.id)
	}
	err := db.EachIn(tx.Query, "SELECT contact_id FROM events WHERE contact_id IN (%s) AND type = 'contact.imported' AND object_id = ?", idList,
		func(rs *sql.Rows) error {
			var id string
			if err := rs.Scan(&id); err != nil {
				return err
			}
			email := byID[id]
			ex := out[email]
			ex.ours = true
			out[email] = ex
			return nil
		}, importID)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// newContact is the contact a row new to the store makes, in vals (the row's values, its
// literal NULL cells deleted from it: a new contact has nothing to clear), with the row's
// tags and the run's.
func newContact(r row, vals db.Cols, runTags []string) contacts.NewContact {
	for k, v := range vals {
		if v == nil {
			delete(vals, k)
		}
	}
	return contacts.NewContact{Vals: vals, Points: r.points, Tags: append(append([]string{}, r.tags...), runTags...)}
}

// problemsJSON is a rejected row's problems as stored (NULL when there are none).
func problemsJSON(ps []Problem) any {
	if len(ps) == 0 {
		return nil
	}
	b, _ := json.Marshal(ps)
	return string(b)
}
