package tracking

import (
	"database/sql"
	"errors"
	"sort"
	"strings"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/ids"
)

// identify applies submitted field values to the hit's contact the way Mautic's form
// submission does (MAUTIC.md §1.3): values of unique-identifier fields (email by default) look
// up an existing contact; an anonymous visitor, or one whose identifiers do not conflict, is
// merged into the existing contact, which keeps its id; identifiers that conflict with the
// current contact's start a new contact. Blank values never overwrite. Page hits only apply
// publicly updatable fields. It returns the contact the hit belongs to afterwards.
func (r *ingestRun) identify(contact string, h Hit, publicOnly bool) (string, error) {
	vals := db.Cols{}
	keys := make([]string, 0, len(h.Data))
	for k := range h.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		alias, ok := strings.CutPrefix(k, "field.")
		if !ok {
			continue
		}
		fi, known := r.meta[alias]
		if !known || (publicOnly && !fi.public) {
			continue
		}
		v, err := fi.field.Parse(h.Data[k], fields.ParseOptions{})
		if err != nil || v == nil {
			continue // a bad or blank value is dropped, the rest of the hit still counts
		}
		vals[alias] = v
	}
	if len(vals) == 0 {
		return contact, nil
	}
	cur, err := r.identifiers(contact)
	if err != nil {
		return "", err
	}
	var uniq []string
	for alias := range vals {
		if r.meta[alias].unique {
			uniq = append(uniq, alias)
		}
	}
	sort.Strings(uniq)
	if len(uniq) > 0 {
		other, err := r.findByIdentifiers(contact, uniq, vals)
		if err != nil {
			return "", err
		}
		switch {
		case other != "" && !conflicts(cur, r.identifiersOf(other)):
			if err := r.ops.Merge(other, contact, "identified by "+string(h.Kind)); err != nil {
				return "", err
			}
			r.st.Merges++
			r.merged()
			contact = other
		case other != "":
			contact = other
		case conflicts(cur, pick(vals, uniq)):
			nc, err := r.ops.Create(db.Cols{}, contacts.CreateOpts{ID: ids.Derived("identified", h.ID), At: h.Time()})
			if err != nil {
				return "", err
			}
			r.st.Contacts++
			contact = nc
		}
		if h.Device != "" {
			// Held for flushPending like a plain hit's row (with the rows of the plain hits
			// after it: one statement less per identified hit); this batch's look-ups read
			// r.devices, and every other hit that writes more than its event flushes first.
			if err := r.setDevice(h.Device, contact, h, true); err != nil {
				return "", err
			}
		}
	}
	return contact, r.ops.Update(contact, vals)
}

// identifiers returns the contact's unique-identifier values.
func (r *ingestRun) identifiers(contact string) (map[string]string, error) {
	var uniq []string
	for alias, fi := range r.meta {
		if fi.unique {
			uniq = append(uniq, alias)
		}
	}
	sort.Strings(uniq)
	out := map[string]string{}
	if len(uniq) == 0 {
		return out, nil
	}
	sel := make([]string, len(uniq))
	for i, a := range uniq {
		sel[i] = "coalesce(" + db.Quote(a) + ", '')"
	}
	vals := make([]string, len(uniq))
	ptrs := make([]any, len(uniq))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := r.tx.QueryRow("SELECT "+strings.Join(sel, ", ")+" FROM contacts WHERE id = ?", contact).Scan(ptrs...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	for i, a := range uniq {
		if vals[i] != "" {
			out[a] = vals[i]
		}
	}
	return out, nil
}

func (r *ingestRun) identifiersOf(contact string) map[string]string {
	m, _ := r.identifiers(contact)
	return m
}

// findByIdentifiers finds another live contact with any of the submitted identifier values
// (Mautic's OR), the newest first.
func (r *ingestRun) findByIdentifiers(self string, uniq []string, vals db.Cols) (string, error) {
	conds := make([]string, 0, len(uniq))
	args := []any{self}
	for _, a := range uniq {
		if a == "email" { // through the contacts_email index
			conds, args = append(conds, contacts.EmailEq), append(args, vals[a], vals[a])
			continue
		}
		conds = append(conds, db.Quote(a)+" = ?")
		args = append(args, vals[a])
	}
	var id string
	err := r.tx.QueryRow("SELECT id FROM contacts WHERE deleted = 0 AND id != ? AND ("+strings.Join(conds, " OR ")+
		") ORDER BY date_added DESC, id DESC LIMIT 1", args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// conflicts: both have a value for the same identifier and they differ (case-insensitively).
func conflicts(a, b map[string]string) bool {
	for k, v := range a {
		if w, ok := b[k]; ok && w != "" && v != "" && !strings.EqualFold(v, w) {
			return true
		}
	}
	return false
}

func pick(vals db.Cols, keys []string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		if s, ok := vals[k].(string); ok {
			out[k] = s
		}
	}
	return out
}

// setBehaviour fills the event's behaviour fields from the hit (user agent, device, UTM), which
// events.Append turns into the per-contact device and UTM aggregates.
func setBehaviour(ev *events.Event, h Hit) {
	if h.UA != "" {
		ua := ParseUA(h.UA)
		ev.UserAgent = h.UA
		ev.Device = events.Device{Type: ua.Type, OS: ua.OS, Browser: ua.Browser, Brand: ua.Brand}
	}
	ev.UTM = events.UTM{Source: h.Data["utm_source"], Medium: h.Data["utm_medium"], Campaign: h.Data["utm_campaign"],
		Content: h.Data["utm_content"], Term: h.Data["utm_term"]}
}
