package app

import (
	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/events"
)

// Contacts is the contact grid, page and editor.
type Contacts struct{ s *Shell }

// maxBatch bounds "all matching" batch actions done in one call.
const maxBatch = 2_000_000

// List returns one page of contacts.
func (a *Contacts) List(q ContactQuery) (ContactPage, error) {
	p, err := a.s.core.Contacts.List(a.s.context(), contacts.Query{Search: q.Search, Sort: q.Sort, Desc: q.Desc,
		Offset: q.Offset, Limit: q.Limit, Columns: q.Columns, Deleted: q.Deleted, CompanyID: q.CompanyID})
	if err != nil {
		return ContactPage{}, err
	}
	out := ContactPage{Rows: make([]ContactRow, 0, len(p.Rows)), Total: p.Total, Offset: p.Offset}
	for _, c := range p.Rows {
		out.Rows = append(out.Rows, rowView(c, p.Tags[c.ID]))
	}
	return out, nil
}

// WarmSorts readies the grid's jumps in every sort in the background (the grid calls it
// when it opens): stored sparse anchor indexes are read, missing ones built one by one.
func (a *Contacts) WarmSorts() { a.s.core.Contacts.WarmSorts(a.s.context()) }

// Get returns one contact.
func (a *Contacts) Get(id string) (ContactView, error) {
	d, err := a.s.core.Contacts.Get(a.s.context(), id)
	return contactView(d), err
}

// Create adds a contact.
func (a *Contacts) Create(in ContactInput) (ContactView, error) {
	d, err := a.s.core.Contacts.Create(a.s.context(), contacts.Input{Values: in.Values, Tags: in.Tags}, "ui")
	return contactView(d), err
}

// Update writes the given fields ("" clears one).
func (a *Contacts) Update(id string, values map[string]string) (ContactView, error) {
	d, err := a.s.core.Contacts.Update(a.s.context(), id, values, "ui")
	return contactView(d), err
}

func (a *Contacts) ids(sel Selection) ([]string, error) {
	if !sel.All {
		return sel.IDs, nil
	}
	return a.s.core.Contacts.IDs(a.s.context(), sel.Search, maxBatch)
}

// Delete moves the selected contacts to the trash.
func (a *Contacts) Delete(sel Selection) (int, error) {
	ids, err := a.ids(sel)
	if err != nil {
		return 0, err
	}
	return a.s.core.Contacts.Delete(a.s.context(), ids, "ui")
}

// Restore brings contacts back from the trash.
func (a *Contacts) Restore(ids []string) (int, error) {
	return a.s.core.Contacts.Restore(a.s.context(), ids, "ui")
}

// Tag adds and removes tags on the selected contacts.
func (a *Contacts) Tag(sel Selection, add []string, remove []string) (int, error) {
	ids, err := a.ids(sel)
	if err != nil {
		return 0, err
	}
	return a.s.core.Contacts.Tag(a.s.context(), ids, add, remove, "ui")
}

// SetDNC marks the selected contacts do-not-contact on channel with reason
// (unsubscribed, bounced, manual).
func (a *Contacts) SetDNC(sel Selection, channel string, reason string, comments string) (int, error) {
	ids, err := a.ids(sel)
	if err != nil {
		return 0, err
	}
	code := contacts.ReasonCode(reason)
	if code == 0 {
		return 0, apperr.Invalidf("contacts.errors.dncReason", map[string]any{"reason": reason}, "unknown reason %q", reason)
	}
	return a.s.core.Contacts.SetDNC(a.s.context(), ids, channel, code, comments, "ui")
}

// RemoveDNC makes the selected contacts contactable again on channel.
func (a *Contacts) RemoveDNC(sel Selection, channel string) (int, error) {
	ids, err := a.ids(sel)
	if err != nil {
		return 0, err
	}
	return a.s.core.Contacts.RemoveDNC(a.s.context(), ids, channel, "ui")
}

// SetOwner assigns the selected contacts to a team member ("" = no owner).
func (a *Contacts) SetOwner(sel Selection, ownerID string) (int, error) {
	ids, err := a.ids(sel)
	if err != nil {
		return 0, err
	}
	return a.s.core.Contacts.SetOwner(a.s.context(), ids, ownerID, "ui")
}

// AdjustPoints adds delta points to a contact.
func (a *Contacts) AdjustPoints(id string, delta int64, reason string) (ContactView, error) {
	if err := a.s.core.Contacts.AdjustPoints(a.s.context(), id, delta, reason, "ui"); err != nil {
		return ContactView{}, err
	}
	return a.Get(id)
}

// LinkCompany links a contact to a company.
func (a *Contacts) LinkCompany(contactID string, companyID string, primary bool) (ContactView, error) {
	if err := a.s.core.Contacts.LinkCompany(a.s.context(), contactID, companyID, primary, "ui"); err != nil {
		return ContactView{}, err
	}
	return a.Get(contactID)
}

// UnlinkCompany removes a company from a contact.
func (a *Contacts) UnlinkCompany(contactID string, companyID string) (ContactView, error) {
	if err := a.s.core.Contacts.UnlinkCompany(a.s.context(), contactID, companyID, "ui"); err != nil {
		return ContactView{}, err
	}
	return a.Get(contactID)
}

// AddNote adds a note.
func (a *Contacts) AddNote(contactID string, typ string, text string) (NoteView, error) {
	n, err := a.s.core.Contacts.AddNote(a.s.context(), contactID, typ, text)
	return NoteView{ID: n.ID, Type: n.Type, Text: n.Text, At: ts(n.At)}, err
}

// EditNote edits a note.
func (a *Contacts) EditNote(id string, typ string, text string) error {
	return a.s.core.Contacts.EditNote(a.s.context(), id, typ, text)
}

// DeleteNote deletes a note.
func (a *Contacts) DeleteNote(id string) error {
	return a.s.core.Contacts.DeleteNote(a.s.context(), id)
}

// Timeline returns a page of the contact's history, newest first (before = 0 for the
// first page).
func (a *Contacts) Timeline(id string, before int64, types []string) (TimelinePage, error) {
	q := events.Query{ContactID: id, BeforeSeq: before, Limit: 50}
	for _, t := range types {
		q.Types = append(q.Types, events.Type(t))
	}
	evs, next, err := timeline(a.s.context(), a.s.core.DB.R, q)
	if err != nil {
		return TimelinePage{}, err
	}
	out := TimelinePage{Events: make([]EventView, 0, len(evs)), Next: next}
	for _, e := range evs {
		out.Events = append(out.Events, eventView(e))
	}
	return out, nil
}

// Tags lists every tag with its contact count.
func (a *Contacts) Tags() ([]contacts.TagCount, error) {
	t, err := a.s.core.Contacts.Tags(a.s.context())
	if t == nil {
		t = []contacts.TagCount{}
	}
	return t, err
}

// ChangeSegments adds the selected contacts by hand to the add segments and removes them by
// hand from the remove ones (Mautic's batch "Change segments"); it returns how many contacts
// were selected.
func (a *Contacts) ChangeSegments(sel Selection, add []string, remove []string) (int, error) {
	ids, err := a.ids(sel)
	if err != nil {
		return 0, err
	}
	ctx := a.s.context()
	for _, id := range add {
		if _, err := a.s.core.Segments.AddManual(ctx, id, ids); err != nil {
			return 0, err
		}
	}
	for _, id := range remove {
		if _, err := a.s.core.Segments.RemoveManual(ctx, id, ids); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
