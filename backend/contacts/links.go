package contacts

import (
	"strings"

	"magpie/backend/ids"
)

// Link ids. A contact's tag link and company link have name-based ids, so two desktops
// that make the same link offline make the same row. New links use ids.DerivedNear with
// the contact as anchor: the id starts with the contact's UUIDv7 timestamp, so the links
// of new contacts append at the right edge of the link table's primary key and of
// sync_row_clock instead of landing at random places (a bulk load of 1M contacts made
// ~1.5M random B-tree inserts). Links stored before that change keep their ids made by
// ids.Derived: every look-up of an existing link tries both (TagLinkIDs, CompanyLinkIDs),
// and removing a link removes whichever of them is live.

// TagLinkID is the id a new link of contactID to tagID gets.
func TagLinkID(contactID, tagID string) string {
	return ids.DerivedNear(contactID, "contact_tag", contactID, tagID)
}

// TagLinkIDs are the ids an existing link of contactID to tagID may have: TagLinkID, then
// the id of a link made before DerivedNear (ids.Derived).
func TagLinkIDs(contactID, tagID string) []string {
	return candidates(TagLinkID(contactID, tagID), ids.Derived("contact_tag", contactID, tagID))
}

// CompanyLinkID is the id a new link of contactID to companyID gets.
func CompanyLinkID(contactID, companyID string) string {
	return ids.DerivedNear(contactID, "company_contact", contactID, companyID)
}

// CompanyLinkIDs are the ids an existing link of contactID to companyID may have.
func CompanyLinkIDs(contactID, companyID string) []string {
	return candidates(CompanyLinkID(contactID, companyID), ids.Derived("company_contact", contactID, companyID))
}

func candidates(near, legacy string) []string {
	if near == legacy { // an anchor that is not a UUID
		return []string{near}
	}
	return []string{near, legacy}
}

// link is a stored link row found by findLink.
type link struct {
	id        string
	deleted   bool
	isPrimary bool // company links only
}

// findLink looks up the rows of table with one of the candidate ids and returns the one
// to act on: a live one before a trashed one, then the earlier candidate. ok is false
// when none exists. extra is "is_primary" for company links, "" otherwise.
func (o *Ops) findLink(table string, cands []string, extra string) (best link, ok bool, err error) {
	col := "0"
	if extra != "" {
		col = extra
	}
	rows, err := o.tx.Query("SELECT id, deleted, "+col+" FROM "+table+" WHERE id IN (?"+strings.Repeat(",?", len(cands)-1)+")", anySlice(cands)...)
	if err != nil {
		return link{}, false, err
	}
	defer rows.Close()
	rank := func(l link) int {
		r := 0
		if l.deleted {
			r += 10
		}
		for i, c := range cands {
			if c == l.id {
				return r + i
			}
		}
		return r + len(cands)
	}
	for rows.Next() {
		var l link
		var del, prim int
		if err := rows.Scan(&l.id, &del, &prim); err != nil {
			return link{}, false, err
		}
		l.deleted, l.isPrimary = del == 1, prim == 1
		if !ok || rank(l) < rank(best) {
			best, ok = l, true
		}
	}
	return best, ok, rows.Err()
}

// liveLinks returns the ids among cands of the rows of table that are not in the trash.
func (o *Ops) liveLinks(table string, cands []string) ([]string, error) {
	rows, err := o.tx.Query("SELECT id FROM "+table+" WHERE deleted = 0 AND id IN (?"+strings.Repeat(",?", len(cands)-1)+")", anySlice(cands)...)
	var out []string
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
