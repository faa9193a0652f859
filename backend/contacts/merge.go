package contacts

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/ids"
)

func init() {
	db.Declare(db.Table{Name: "contact_merges", Synced: true})
}

// MergeHook moves what a feature keeps per contact (segment memberships, tracking devices,
// stats…) from loser to winner inside the merging transaction.
type MergeHook func(tx *db.Tx, winner, loser string) error

var (
	mergeHooksMu sync.RWMutex
	mergeHooks   []MergeHook
)

// OnMerge registers a hook that runs on every merge (packages call it from init).
func OnMerge(h MergeHook) {
	mergeHooksMu.Lock()
	mergeHooks = append(mergeHooks, h)
	mergeHooksMu.Unlock()
}

// mergeKeep are columns the field-by-field rule does not apply to.
var mergeKeep = map[string]bool{"id": true, "date_added": true, "date_modified": true, "date_identified": true,
	"last_active": true, "points": true, "deleted": true, "deleted_at": true, "firstname_key": true, "lastname_key": true}

// Merge moves loser into winner and trashes loser, as Mautic's ContactMerger but keeping the
// winner's id (Q11 fixed: the known contact survives): for each field the value of the contact
// modified most recently wins when it is filled in, otherwise the other's filled-in value;
// points are summed; tags, DNC entries, companies, notes and events move to the winner; the
// winner keeps its owner and stage unless it has none; a contact_merges row records it.
func (o *Ops) Merge(winner, loser, reason string) error {
	if winner == loser {
		return fmt.Errorf("contacts: cannot merge contact %s into itself", winner)
	}
	w, wmod, err := o.rawRow(winner)
	if err != nil {
		return err
	}
	l, lmod, err := o.rawRow(loser)
	if err != nil {
		return err
	}
	set := db.Cols{}
	loserNewer := lmod > wmod
	for col, lv := range l {
		if mergeKeep[col] || empty(lv) {
			continue
		}
		wv := w[col]
		if empty(wv) || (loserNewer && (col != "owner_id" && col != "stage_id")) {
			if fmtAny(wv) != fmtAny(lv) {
				set[col] = lv
			}
		}
	}
	wp, _ := w["points"].(int64)
	lp, _ := l["points"].(int64)
	if lp != 0 {
		set["points"] = wp + lp
	}
	if la, ok := l["last_active"].(int64); ok {
		if wa, _ := w["last_active"].(int64); la > wa {
			set["last_active"] = la
		}
	}
	if empty(w["date_identified"]) && !empty(l["date_identified"]) {
		set["date_identified"] = l["date_identified"]
	}
	company, companyChanged := set["company"]
	delete(set, "company") // relinked below with the loser's company links
	if len(set) > 0 {
		set["date_modified"] = o.tx.NowMs()
		if _, err := o.tx.Update("contacts", winner, set); err != nil {
			return err
		}
	}
	if err := o.moveLinks(winner, loser); err != nil {
		return err
	}
	if companyChanged {
		if name, _ := company.(string); name != "" {
			if err := o.setPrimaryCompanyByName(winner, name); err != nil {
				return err
			}
		}
	}
	// Aggregates pending in an events.Batch are written while the log still says whose.
	if err := events.Settle(o.tx, winner, loser); err != nil {
		return err
	}
	if _, err := o.tx.Exec("UPDATE events SET contact_id = ? WHERE contact_id = ?", winner, loser); err != nil {
		return fmt.Errorf("contacts: merge events: %w", err)
	}
	if err := events.MoveAggregates(o.tx, winner, loser); err != nil {
		return err
	}
	mergeHooksMu.RLock()
	hooks := append([]MergeHook(nil), mergeHooks...)
	mergeHooksMu.RUnlock()
	for _, h := range hooks {
		if err := h(o.tx, winner, loser); err != nil {
			return err
		}
	}
	mid := ids.Derived("contact_merge", loser, winner)
	if err := o.tx.Insert("contact_merges", mid, db.Cols{"winner_id": winner, "loser_id": loser,
		"reason": reason, "at": o.tx.NowMs()}); err != nil {
		return err
	}
	if _, err := o.Delete(loser); err != nil {
		return err
	}
	_, err = events.Append(o.tx, events.Event{ContactID: winner, Type: events.ContactMerged, ObjectID: loser,
		Source: o.source, Data: map[string]any{"loser": loser, "reason": reason}})
	return err
}

// moveLinks moves tags, DNC entries, company links and notes of loser to winner.
func (o *Ops) moveLinks(winner, loser string) error {
	tags, err := o.strings("SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = ? AND ct.deleted = 0 AND t.deleted = 0", loser)
	if err != nil {
		return err
	}
	if len(tags) > 0 {
		if err := o.Tag(winner, tags, nil); err != nil {
			return err
		}
	}
	type dncRow struct {
		channel, channelID, comments string
		reason                       int
	}
	rows, err := o.tx.Query("SELECT channel, reason, coalesce(channel_id,''), coalesce(comments,'') FROM dnc WHERE contact_id = ? AND deleted = 0 AND channel NOT IN (SELECT channel FROM dnc WHERE contact_id = ? AND deleted = 0)", loser, winner)
	if err != nil {
		return err
	}
	var dncs []dncRow
	for rows.Next() {
		var d dncRow
		if err := rows.Scan(&d.channel, &d.reason, &d.channelID, &d.comments); err != nil {
			rows.Close()
			return err
		}
		dncs = append(dncs, d)
	}
	rows.Close()
	for _, d := range dncs {
		if err := o.SetDNC(winner, d.channel, d.reason, d.channelID, d.comments); err != nil {
			return err
		}
	}
	companies, err := o.strings("SELECT company_id FROM company_contacts WHERE contact_id = ? AND deleted = 0 ORDER BY is_primary DESC", loser)
	if err != nil {
		return err
	}
	for _, c := range companies {
		var n int
		if err := o.tx.QueryRow("SELECT count(*) FROM company_contacts WHERE contact_id = ? AND company_id = ? AND deleted = 0", winner, c).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if err := o.LinkCompany(winner, c, false); err != nil {
				return err
			}
		}
	}
	notes, err := o.strings("SELECT id FROM notes WHERE contact_id = ? AND deleted = 0", loser)
	if err != nil {
		return err
	}
	for _, n := range notes {
		if _, err := o.tx.Update("notes", n, db.Cols{"contact_id": winner}); err != nil {
			return err
		}
	}
	return nil
}

func (o *Ops) strings(q string, args ...any) ([]string, error) {
	return db.Strings(o.tx.Query(q, args...))
}

// rawRow reads every column of a live contact and its date_modified.
func (o *Ops) rawRow(id string) (map[string]any, int64, error) {
	rows, err := o.tx.Query("SELECT * FROM contacts WHERE id = ? AND deleted = 0", id)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, 0, err
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, 0, err
	}
	out := make(map[string]any, len(cols))
	for i, c := range cols {
		if b, ok := vals[i].([]byte); ok {
			vals[i] = string(b)
		}
		out[c] = vals[i]
	}
	mod, _ := out["date_modified"].(int64)
	return out, mod, nil
}

func empty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// MergedInto follows contact_merges from a (possibly trashed) contact to the contact it was
// merged into, if any.
func MergedInto(tx *db.Tx, id string) (string, error) {
	for range 16 {
		var w string
		err := tx.QueryRow("SELECT winner_id FROM contact_merges WHERE loser_id = ? AND deleted = 0 ORDER BY at DESC LIMIT 1", id).Scan(&w)
		if errors.Is(err, sql.ErrNoRows) {
			return id, nil
		}
		if err != nil {
			return "", err
		}
		id = w
	}
	return id, nil
}
