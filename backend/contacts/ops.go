package contacts

import (
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"magpie/backend/companies"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fold"
	"magpie/backend/ids"
)

// Ops writes contacts inside one transaction. Features that touch many contacts at once
// (imports, batch actions, seeding, tracking) use it to keep one transaction per batch.
type Ops struct {
	tx     *db.Tx
	source string
	tags   map[string]bool // tag ids known to exist (live) in this transaction
	// companies caches company ids by folded name (CreateMany).
	companies map[string]string
}

// NewOps binds contact writes to tx; source names who writes (ui, import, cli, tracker...)
// and is recorded on events.
func NewOps(tx *db.Tx, source string) *Ops {
	return &Ops{tx: tx, source: source, tags: map[string]bool{}}
}

// Tx returns the underlying transaction.
func (o *Ops) Tx() *db.Tx { return o.tx }

// CreateOpts are the extras of a new contact.
type CreateOpts struct {
	ID     string // empty = new UUIDv7
	Points int64
	Tags   []string
	At     time.Time // date_added; zero = now
	// Event overrides the creation event type (contact.imported for imports).
	Event events.Type
}

// Create inserts a contact with stored values (already parsed); it returns the new id.
func (o *Ops) Create(vals db.Cols, opt CreateOpts) (string, error) {
	id := opt.ID
	if id == "" {
		id = ids.New()
	}
	at := o.tx.NowMs()
	if !opt.At.IsZero() {
		at = opt.At.UnixMilli()
	}
	cols := make(db.Cols, len(vals)+5)
	for k, v := range vals {
		if v != nil {
			cols[k] = v
		}
	}
	company, _ := cols["company"].(string)
	cols["date_added"], cols["date_modified"] = at, at
	if opt.Points != 0 {
		cols["points"] = opt.Points
	}
	identified := !anonymous(cols)
	if identified {
		cols["date_identified"] = at
	}
	if err := o.tx.Insert("contacts", id, cols); err != nil {
		return "", err
	}
	ev := opt.Event
	if ev == "" {
		ev = events.ContactCreated
	}
	if _, err := events.Append(o.tx, events.Event{ContactID: id, Type: ev, At: time.UnixMilli(at), Source: o.source}); err != nil {
		return "", err
	}
	if identified && ev != events.ContactImported {
		if _, err := events.Append(o.tx, events.Event{ContactID: id, Type: events.ContactIdentified, At: time.UnixMilli(at), Source: o.source}); err != nil {
			return "", err
		}
	}
	if company != "" {
		if err := o.setPrimaryCompanyByName(id, company); err != nil {
			return "", err
		}
	}
	if len(opt.Tags) > 0 {
		if err := o.Tag(id, opt.Tags, nil); err != nil {
			return "", err
		}
	}
	return id, nil
}

// Update writes stored values (nil clears) to a live contact. It sets date_identified when
// the contact stops being anonymous and relinks the primary company when "company" changes.
// A value equal to the stored one is no edit and is left out — a re-imported list changes
// a few cells, not every cell: nothing written, no clock for teammates, no timeline entry
// when nothing changed (as Mautic, whose change set holds only changed fields).
func (o *Ops) Update(id string, vals db.Cols) error {
	return o.UpdateMany([]string{id}, []db.Cols{vals})
}

// UpdateMany is Update for many contacts, set-based (an import's batch of existing
// contacts): their stored values read 500 at a time, the rows that change the same columns
// written by one statement (db.UpdateRows), their events appended together. An id given
// twice gets its values merged in order (later ones win), as two Updates would leave it.
func (o *Ops) UpdateMany(ids []string, vals []db.Cols) error {
	if len(ids) != len(vals) {
		return fmt.Errorf("contacts: update: %d ids for %d value sets", len(ids), len(vals))
	}
	var order []string
	merged := map[string]db.Cols{}
	for i, id := range ids {
		if len(vals[i]) == 0 {
			continue
		}
		m, ok := merged[id]
		if !ok {
			order = append(order, id)
			m = make(db.Cols, len(vals[i]))
			merged[id] = m
		}
		maps.Copy(m, vals[i])
	}
	for start := 0; start < len(order); start += 500 {
		if err := o.updateChunk(order[start:min(start+500, len(order))], merged); err != nil {
			return err
		}
	}
	return nil
}

// updateChunk updates the contacts ids (distinct, at most 500) to their values in vals.
func (o *Ops) updateChunk(ids []string, vals map[string]db.Cols) error {
	read := slices.Clone(identifying)
	for _, id := range ids {
		for k := range vals[id] {
			if !slices.Contains(read, k) {
				read = append(read, k)
			}
		}
	}
	sel := make([]string, len(read))
	for i, a := range read {
		sel[i] = db.Quote(a)
	}
	type storedRow struct {
		identified bool
		vals       []any
	}
	stored := make(map[string]storedRow, len(ids))
	err := db.EachIn(o.tx.Query, "SELECT id, date_identified IS NOT NULL, "+strings.Join(sel, ", ")+
		" FROM contacts WHERE deleted = 0 AND id IN (%s)", ids, func(rows *sql.Rows) error {
		var id string
		r := storedRow{vals: make([]any, len(read))}
		dest := []any{&id, &r.identified}
		for i := range r.vals {
			dest = append(dest, &r.vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for i, v := range r.vals {
			if b, ok := v.([]byte); ok {
				r.vals[i] = string(b)
			}
		}
		stored[id] = r
		return nil
	})
	if err != nil {
		return err
	}
	now := o.tx.NowMs()
	var upIDs []string
	var upCols []db.Cols
	var evs []events.Event
	var relink []string // ids whose company changed
	for _, id := range ids {
		st, ok := stored[id]
		if !ok {
			return fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		cur := map[string]any{}
		edits := db.Cols{}
		for i, a := range read {
			if st.vals[i] != nil {
				cur[a] = st.vals[i]
			}
			if v, ok := vals[id][a]; ok && !sameValue(st.vals[i], v) {
				edits[a] = v
				cur[a] = v
			}
		}
		if len(edits) == 0 {
			continue
		}
		changed := slices.Sorted(maps.Keys(edits))
		newlyIdentified := !st.identified && !anonymous(cur)
		cols := maps.Clone(edits)
		cols["date_modified"] = now
		if newlyIdentified {
			cols["date_identified"] = now
		}
		upIDs, upCols = append(upIDs, id), append(upCols, cols)
		evs = append(evs, events.Event{ContactID: id, Type: events.ContactUpdated, Source: o.source,
			Data: map[string]any{"fields": changed}})
		if newlyIdentified {
			evs = append(evs, events.Event{ContactID: id, Type: events.ContactIdentified, Source: o.source})
		}
		if _, ok := edits["company"]; ok {
			relink = append(relink, id)
		}
	}
	if err := o.tx.UpdateRows("contacts", upIDs, upCols); err != nil {
		return err
	}
	if err := events.AppendManyHooked(o.tx, evs); err != nil {
		return err
	}
	for _, id := range relink {
		name, _ := vals[id]["company"].(string)
		if name == "" {
			err = o.clearPrimaryCompany(id)
		} else {
			err = o.setPrimaryCompanyByName(id, name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Delete moves a contact to the trash.
func (o *Ops) Delete(id string) (bool, error) {
	ok, err := o.tx.Delete("contacts", id)
	if err != nil || !ok {
		return ok, err
	}
	_, err = events.Append(o.tx, events.Event{ContactID: id, Type: events.ContactDeleted, Source: o.source})
	return true, err
}

// Restore brings a contact back from the trash.
func (o *Ops) Restore(id string) (bool, error) {
	ok, err := o.tx.Restore("contacts", id)
	if err != nil || !ok {
		return ok, err
	}
	_, err = events.Append(o.tx, events.Event{ContactID: id, Type: events.ContactRestored, Source: o.source})
	return true, err
}

// TagID is the id of a tag name (name-based, so offline desktops agree).
func TagID(name string) string { return ids.Derived("tag", fold.String(name)) }

// CleanTags trims, drops empties and duplicates (by folded form); a leading "-" is kept.
func CleanTags(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t == "" || t == "-" {
			continue
		}
		k := fold.String(t)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

func (o *Ops) ensureTag(name string) (string, error) {
	id := TagID(name)
	if o.tags[id] {
		return id, nil
	}
	var deleted int
	err := o.tx.QueryRow("SELECT deleted FROM tags WHERE id = ?", id).Scan(&deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := o.tx.Insert("tags", id, db.Cols{"name": name, "date_added": o.tx.NowMs()}); err != nil {
			return "", err
		}
	case err != nil:
		return "", err
	case deleted == 1:
		if _, err := o.tx.Restore("tags", id); err != nil {
			return "", err
		}
	}
	o.tags[id] = true
	return id, nil
}

// Tag adds and removes tags (Mautic's modifyTags: a "-tag" in add removes it).
func (o *Ops) Tag(contactID string, add, remove []string) error {
	var rm []string
	for _, t := range CleanTags(add) {
		if strings.HasPrefix(t, "-") {
			rm = append(rm, t[1:])
			continue
		}
		tagID, err := o.ensureTag(t)
		if err != nil {
			return err
		}
		l, found, err := o.findLink("contact_tags", TagLinkIDs(contactID, tagID), "")
		switch {
		case err != nil:
			return err
		case !found:
			if err := o.tx.Insert("contact_tags", TagLinkID(contactID, tagID), db.Cols{"contact_id": contactID, "tag_id": tagID, "date_added": o.tx.NowMs()}); err != nil {
				return err
			}
		case !l.deleted:
			continue
		default:
			if _, err := o.tx.Restore("contact_tags", l.id); err != nil {
				return err
			}
		}
		if _, err := events.Append(o.tx, events.Event{ContactID: contactID, Type: events.TagAdded, ObjectID: tagID, ObjectName: t, Source: o.source}); err != nil {
			return err
		}
	}
	for _, t := range CleanTags(append(rm, remove...)) {
		tagID := TagID(t)
		live, err := o.liveLinks("contact_tags", TagLinkIDs(contactID, tagID))
		if err != nil {
			return err
		}
		for _, id := range live {
			if _, err := o.tx.Delete("contact_tags", id); err != nil {
				return err
			}
		}
		if len(live) > 0 {
			if _, err := events.Append(o.tx, events.Event{ContactID: contactID, Type: events.TagRemoved, ObjectID: tagID, ObjectName: t, Source: o.source}); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetDNC marks a contact as do-not-contact on channel (reason: 1 unsubscribed, 2 bounced,
// 3 manual). Setting it again updates the reason.
func (o *Ops) SetDNC(contactID, channel string, reason int, channelID, comments string) error {
	if reason < ReasonUnsubscribed || reason > ReasonManual {
		return fmt.Errorf("contacts: dnc reason %d is not 1, 2 or 3", reason)
	}
	channel = strings.ToLower(strings.TrimSpace(channel))
	if channel == "" {
		channel = "email"
	}
	id := ids.Derived("dnc", contactID, channel)
	cols := db.Cols{"contact_id": contactID, "channel": channel, "reason": reason,
		"channel_id": nullable(channelID), "comments": nullable(comments), "date_added": o.tx.NowMs()}
	var deleted int
	err := o.tx.QueryRow("SELECT deleted FROM dnc WHERE id = ?", id).Scan(&deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err = o.tx.Insert("dnc", id, cols)
	case err != nil:
	default:
		if _, err = o.tx.Update("dnc", id, cols); err == nil && deleted == 1 {
			_, err = o.tx.Restore("dnc", id)
		}
	}
	if err != nil {
		return err
	}
	_, err = events.Append(o.tx, events.Event{ContactID: contactID, Type: events.DNCAdded, ObjectID: channelID,
		Source: o.source, Data: map[string]any{"channel": channel, "reason": ReasonName(reason), "comments": comments}})
	return err
}

// RemoveDNC makes a contact contactable again on channel.
func (o *Ops) RemoveDNC(contactID, channel string) (bool, error) {
	channel = strings.ToLower(strings.TrimSpace(channel))
	ok, err := o.tx.Delete("dnc", ids.Derived("dnc", contactID, channel))
	if err != nil || !ok {
		return ok, err
	}
	_, err = events.Append(o.tx, events.Event{ContactID: contactID, Type: events.DNCRemoved, Source: o.source,
		Data: map[string]any{"channel": channel}})
	return true, err
}

// AdjustPoints adds delta (may be negative) to the contact's points and logs it.
func (o *Ops) AdjustPoints(contactID string, delta int64, reason string) error {
	return o.AdjustPointsWith(contactID, delta, reason, nil)
}

// AdjustPointsWith is AdjustPoints with extra facts for the points.changed event's Data
// (the point action or trigger behind the change); delta and points are always set.
func (o *Ops) AdjustPointsWith(contactID string, delta int64, reason string, data map[string]any) error {
	if delta == 0 {
		return nil
	}
	var pts int64
	if err := o.tx.QueryRow("SELECT points FROM contacts WHERE id = ? AND deleted = 0", contactID).Scan(&pts); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrNotFound, contactID)
		}
		return err
	}
	if _, err := o.tx.Update("contacts", contactID, db.Cols{"points": pts + delta, "date_modified": o.tx.NowMs()}); err != nil {
		return err
	}
	d := map[string]any{}
	for k, v := range data {
		d[k] = v
	}
	d["delta"], d["points"] = delta, pts+delta
	_, err := events.Append(o.tx, events.Event{ContactID: contactID, Type: events.PointsChanged, Source: o.source,
		ObjectName: reason, Data: d})
	return err
}

// LinkCompany links a contact to a company; primary makes it the primary company (and the
// contact's "company" field).
func (o *Ops) LinkCompany(contactID, companyID string, primary bool) error {
	var name string
	if err := o.tx.QueryRow("SELECT companyname FROM companies WHERE id = ? AND deleted = 0", companyID).Scan(&name); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("contacts: no company %s", companyID)
		}
		return err
	}
	l, found, err := o.findLink("company_contacts", CompanyLinkIDs(contactID, companyID), "is_primary")
	linkID := l.id
	switch {
	case err != nil:
		return err
	case !found:
		linkID = CompanyLinkID(contactID, companyID)
		if err := o.tx.Insert("company_contacts", linkID, db.Cols{"company_id": companyID, "contact_id": contactID,
			"is_primary": primary, "date_added": o.tx.NowMs()}); err != nil {
			return err
		}
		if _, err := events.Append(o.tx, events.Event{ContactID: contactID, Type: events.CompanyLinked, ObjectID: companyID, ObjectName: name, Source: o.source}); err != nil {
			return err
		}
	default:
		if l.deleted {
			if _, err := o.tx.Restore("company_contacts", linkID); err != nil {
				return err
			}
			if _, err := events.Append(o.tx, events.Event{ContactID: contactID, Type: events.CompanyLinked, ObjectID: companyID, ObjectName: name, Source: o.source}); err != nil {
				return err
			}
		}
		if primary && !l.isPrimary {
			if _, err := o.tx.Update("company_contacts", linkID, db.Cols{"is_primary": true}); err != nil {
				return err
			}
		}
	}
	if !primary {
		return nil
	}
	// Demote the other primaries and mirror the name.
	others, err := db.Strings(o.tx.Query("SELECT id FROM company_contacts WHERE contact_id = ? AND deleted = 0 AND is_primary = 1 AND id <> ?", contactID, linkID))
	if err != nil {
		return err
	}
	for _, id := range others {
		if _, err := o.tx.Update("company_contacts", id, db.Cols{"is_primary": false}); err != nil {
			return err
		}
	}
	var cur sql.NullString
	if err := o.tx.QueryRow("SELECT company FROM contacts WHERE id = ?", contactID).Scan(&cur); err != nil {
		return err
	}
	if cur.String == name {
		return nil
	}
	_, err = o.tx.Update("contacts", contactID, db.Cols{"company": name, "date_modified": o.tx.NowMs()})
	return err
}

// UnlinkCompany removes a company from a contact; if it was the primary, the contact's
// "company" field is cleared.
func (o *Ops) UnlinkCompany(contactID, companyID string) error {
	var wasPrimary bool
	live := false
	for _, id := range CompanyLinkIDs(contactID, companyID) {
		var isPrimary int
		err := o.tx.QueryRow("SELECT is_primary FROM company_contacts WHERE id = ? AND deleted = 0", id).Scan(&isPrimary)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := o.tx.Delete("company_contacts", id); err != nil {
			return err
		}
		live, wasPrimary = true, wasPrimary || isPrimary == 1
	}
	if !live {
		return nil
	}
	if wasPrimary {
		if _, err := o.tx.Update("contacts", contactID, db.Cols{"company": nil, "date_modified": o.tx.NowMs()}); err != nil {
			return err
		}
	}
	_, err := events.Append(o.tx, events.Event{ContactID: contactID, Type: events.CompanyUnlinked, ObjectID: companyID, Source: o.source})
	return err
}

func (o *Ops) setPrimaryCompanyByName(contactID, name string) error {
	companyID, _, err := companies.FindOrCreateTx(o.tx, name)
	if err != nil {
		return err
	}
	return o.LinkCompany(contactID, companyID, true)
}

func (o *Ops) clearPrimaryCompany(contactID string) error {
	links, err := db.Strings(o.tx.Query("SELECT id FROM company_contacts WHERE contact_id = ? AND deleted = 0 AND is_primary = 1", contactID))
	if err != nil {
		return err
	}
	for _, id := range links {
		if _, err := o.tx.Update("company_contacts", id, db.Cols{"is_primary": false}); err != nil {
			return err
		}
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// sameValue reports whether a value to write equals the stored one: both NULL, the same text,
// or the same number (a REAL column gives back 3.0 for 3).
func sameValue(stored, v any) bool {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if stored == nil || v == nil {
		return stored == nil && v == nil
	}
	if a, ok := number(stored); ok {
		b, ok := number(v)
		return ok && a == b
	}
	return stored == v
}

// number is a stored or parsed number as a float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}
