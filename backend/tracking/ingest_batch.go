package tracking

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
)

// plainHit reports whether a hit writes nothing but its event, its contact's visitor and
// device rows and counters: a page view without field values or tags, an asset download, a
// focus item view or conversion. Those are held and written in groups (flushPending); any
// other hit flushes the group first, so effects and hooks keep the order of the hits.
func plainHit(h Hit) bool {
	switch h.Kind {
	case KindAsset, KindFocus:
		return true
	case KindPage:
		if h.Data["tags"] != "" {
			return false
		}
		for k := range h.Data {
			if strings.HasPrefix(k, "field.") {
				return false
			}
		}
		return true
	}
	return false
}

// hitEvent is the event of a hit without its type: URL, title, referrer, the hit's data
// (field values, UTM tags, uploads and the focus action left out; a defined form's values
// as "values"), language, IP, message id, device and UTM. It also returns the form values.
func hitEvent(h Hit, contact string) (events.Event, map[string]string) {
	ev := events.Event{ID: h.ID, ContactID: contact, At: h.Time(), Source: Source, URL: h.URL, Title: h.Title, Referrer: h.Referrer}
	data := make(map[string]any, 2)
	var values map[string]string // only form hits have some
	for k, v := range h.Data {
		// Field values go to the contact; UTM tags and the device have their own columns; a
		// defined form's values (form.<alias>) go to the event as "values".
		if a, ok := strings.CutPrefix(k, "form."); ok {
			if values == nil {
				values = map[string]string{}
			}
			values[a] = v
		} else if !strings.HasPrefix(k, "field.") && !strings.HasPrefix(k, "utm_") && !strings.HasPrefix(k, "file.") &&
			(k != "action" || h.Kind != KindFocus) {
			data[k] = v
		}
	}
	if len(values) > 0 {
		data["values"] = values
	}
	if h.Lang != "" {
		data["language"] = h.Lang
	}
	if h.IP != "" {
		data["ip"] = h.IP
	}
	if h.Send != "" {
		data["msgId"] = h.Send // the message (send) id, as backend/emails names it
	}
	if len(data) > 0 {
		ev.Data = data
	}
	setBehaviour(&ev, h)
	return ev, values
}

// plain resolves a plain hit's contact (a new visitor and the device row held) and holds
// its event.
func (r *ingestRun) plain(h Hit) error {
	contact, err := r.resolve(h, true)
	if err != nil {
		return err
	}
	if contact == "" {
		r.st.Skipped++
		return nil
	}
	ev, _ := hitEvent(h, contact)
	switch h.Kind {
	case KindPage:
		ev.Type, ev.ObjectID = events.PageHit, h.Data["page_id"] // landing pages name themselves
	case KindAsset:
		ev.Type, ev.ObjectID = events.AssetDownloaded, h.Form
	case KindFocus:
		ev.Type, ev.ObjectID = events.FocusViewed, h.Form
		if h.Data["action"] == "convert" {
			ev.Type = events.FocusConverted
		}
	}
	r.pend = append(r.pend, ev)
	r.touchPlain(contact, h.At)
	return nil
}

// flushPending writes what plain hits hold: the new visitors (multi-row, their
// contact.created events through the batch so hooks run, last_active already set), the
// device rows (multi-row upserts, in hit order), then the events (events.Batch.AppendMany).
func (r *ingestRun) flushPending() error {
	if len(r.visitors) > 0 {
		for i := range r.visitors {
			v := &r.visitors[i]
			v.Vals = db.Cols{"last_active": r.active[v.ID]}
		}
		if err := r.ops.CreateMany([]string{"last_active"}, r.visitors, contacts.BulkOpts{Hooked: true}); err != nil {
			return err
		}
		r.visitors = r.visitors[:0]
	}
	if len(r.devRows) > 0 {
		if err := r.tx.ExecMany(upsertDevice, upsertDeviceConflict, 5, r.devRows); err != nil {
			return err
		}
		r.devRows = r.devRows[:0]
	}
	if len(r.pend) > 0 {
		if _, err := r.batch.AppendMany(r.pend); err != nil {
			return err
		}
		r.pend = r.pend[:0]
	}
	return nil
}

// visitorTaken reports whether a derived visitor id is already a contact (live or trashed).
func (r *ingestRun) visitorTaken(id string) (bool, error) {
	if r.vstate != nil {
		if _, ok := r.alive[id]; !ok {
			_, taken := r.vstate[id]
			return taken, nil
		}
		return true, nil
	}
	var deleted int
	err := r.tx.QueryRow("SELECT deleted FROM contacts WHERE id = ?", id).Scan(&deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// flushSeen writes each device's last hit once per batch (multi-row statements); in
// catch-up mode plain hits' devices are carried instead (seenPlain, writeSeen).
func (r *ingestRun) flushSeen() error {
	if len(r.seen) == 0 {
		return nil
	}
	devs := make([]string, 0, len(r.seen))
	for d := range r.seen {
		devs = append(devs, d)
	}
	sort.Strings(devs)
	ats := make([]int64, len(devs))
	for i, d := range devs {
		ats[i] = r.seen[d]
	}
	return updateSeen(r.tx, devs, ats)
}

// flushActive advances last_active once per contact per batch: current values read in a
// few queries, then one set-based update for the contacts whose value moves — a derived
// value (db.Tx.DeriveValues): commit hooks see it, sync does not record it, because every
// desktop derives it from the same hits (docs/TRACKING.md "last_active"). In catch-up mode
// only the hits that write more than their event (r.now) advance it here; the plain hits'
// part is carried with the aggregates (Ingester.active, writeCarry).
func (r *ingestRun) flushActive() error {
	m := r.active
	if r.now != nil {
		m = r.now
	}
	_, err := deriveActive(r.tx, m)
	return err
}

// deriveActive advances the last_active of the live contacts of m to their instant in m;
// it returns the ids that are not live contacts (merged away, trashed or unknown).
func deriveActive(tx *db.Tx, m map[string]int64) ([]string, error) {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var gone []string
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		part := ids[:n]
		ids = ids[n:]
		rows, err := tx.Query(`SELECT id, last_active FROM contacts WHERE deleted = 0 AND id IN (?`+
			strings.Repeat(", ?", n-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		var due []string
		var vals []any
		live := make(map[string]bool, n)
		for rows.Next() {
			var id string
			var cur sql.NullInt64
			if err := rows.Scan(&id, &cur); err != nil {
				rows.Close()
				return nil, err
			}
			live[id] = true
			if at := m[id]; !cur.Valid || cur.Int64 < at {
				due, vals = append(due, id), append(vals, at)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, id := range part {
			if !live[id] {
				gone = append(gone, id)
			}
		}
		// Derived from the hits every desktop ingests: not a synced edit (SYNC.md §3.9).
		if err := tx.DeriveValues("contacts", "last_active", due, vals); err != nil {
			return nil, err
		}
	}
	return gone, nil
}

// deriveCarried advances last_active from a catch-up's carried hits: contacts merged away
// since pass their instant to the contact they were merged into, as their hit, written at
// once, would have through the merge.
func deriveCarried(tx *db.Tx, m map[string]int64) error {
	gone, err := deriveActive(tx, m)
	if err != nil || len(gone) == 0 {
		return err
	}
	into := map[string]int64{}
	for _, id := range gone {
		w, err := contacts.MergedInto(tx, id)
		if err != nil {
			return err
		}
		if w != id && m[id] > into[w] {
			into[w] = m[id]
		}
	}
	_, err = deriveActive(tx, into)
	return err
}

// recoverActive advances last_active from the plain hits of a catch-up that stopped before
// writing what it carried: the tracker's events of plain hits (plainHit) in the owed ranges
// (events.Carry) — a maximum, so counting a hit again changes nothing.
func recoverActive(ctx context.Context, d *db.DB) error {
	return d.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(recoverActiveSQL, Source, events.PageHit, events.AssetDownloaded, events.FocusViewed, events.FocusConverted)
		if err != nil {
			return err
		}
		m := map[string]int64{}
		for rows.Next() {
			var id string
			var at int64
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return err
			}
			m[id] = at
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(m) == 0 {
			return err
		}
		return deriveCarried(tx, m)
	})
}

// recoverActiveSQL reads the owed ranges' events by seq, as recoverSeenSQL does.
const recoverActiveSQL = `SELECT e.contact_id, max(e.at) FROM event_agg_ranges r CROSS JOIN events e ON e.seq BETWEEN r.lo AND r.hi
	WHERE +e.source = ? AND +e.type IN (?, ?, ?, ?) GROUP BY e.contact_id`
