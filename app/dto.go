package app

import (
	"time"

	"magpie/backend/contacts"
	"magpie/backend/events"
)

// Instants cross to the frontend as RFC 3339 strings ("" = none).
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func tsPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ts(*t)
}

// ContactQuery selects a page of the contact grid.
type ContactQuery struct {
	Search    string   `json:"search"`
	Sort      string   `json:"sort"`
	Desc      bool     `json:"desc"`
	Offset    int      `json:"offset"`
	Limit     int      `json:"limit"`
	Columns   []string `json:"columns"`
	Deleted   bool     `json:"deleted"`
	CompanyID string   `json:"companyId"`
}

// ContactRow is one grid row.
type ContactRow struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Anonymous  bool           `json:"anonymous"`
	Values     map[string]any `json:"values"`
	Tags       []string       `json:"tags"`
	Points     int64          `json:"points"`
	DateAdded  string         `json:"dateAdded"`
	LastActive string         `json:"lastActive"`
	DeletedAt  string         `json:"deletedAt"`
}

// ContactPage is one page of the grid.
type ContactPage struct {
	Rows   []ContactRow `json:"rows"`
	Total  int          `json:"total"`
	Offset int          `json:"offset"`
}

func rowView(c contacts.Contact, tags []string) ContactRow {
	if tags == nil {
		tags = []string{}
	}
	return ContactRow{ID: c.ID, Name: c.DisplayName(), Anonymous: c.Anonymous(), Values: c.Values, Tags: tags,
		Points: c.Points, DateAdded: ts(c.DateAdded), LastActive: tsPtr(c.LastActive), DeletedAt: tsPtr(c.DeletedAt)}
}

// ContactView is everything the contact page shows besides the timeline.
type ContactView struct {
	ContactRow
	StageID        string                 `json:"stageId"`
	OwnerID        string                 `json:"ownerId"`
	DateModified   string                 `json:"dateModified"`
	DateIdentified string                 `json:"dateIdentified"`
	Deleted        bool                   `json:"deleted"`
	Companies      []contacts.CompanyLink `json:"companies"`
	DNC            []DNCView              `json:"dnc"`
	Notes          []NoteView             `json:"notes"`
}

// DNCView is a do-not-contact entry.
type DNCView struct {
	Channel   string `json:"channel"`
	Reason    string `json:"reason"` // unsubscribed | bounced | manual
	Comments  string `json:"comments"`
	DateAdded string `json:"dateAdded"`
}

// NoteView is a note.
type NoteView struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Text string `json:"text"`
	At   string `json:"at"`
}

func contactView(d contacts.Detail) ContactView {
	v := ContactView{ContactRow: rowView(d.Contact, d.Tags), StageID: d.StageID, OwnerID: d.OwnerID,
		DateModified: ts(d.DateModified), DateIdentified: tsPtr(d.DateIdentified), Deleted: d.Deleted,
		Companies: d.Companies, DNC: []DNCView{}, Notes: []NoteView{}}
	if v.Companies == nil {
		v.Companies = []contacts.CompanyLink{}
	}
	for _, x := range d.DNC {
		v.DNC = append(v.DNC, DNCView{Channel: x.Channel, Reason: contacts.ReasonName(x.Reason), Comments: x.Comments, DateAdded: ts(x.DateAdded)})
	}
	for _, n := range d.Notes {
		v.Notes = append(v.Notes, NoteView{ID: n.ID, Type: n.Type, Text: n.Text, At: ts(n.At)})
	}
	return v
}

// ContactInput is a contact as typed in the editor: raw text per field alias.
type ContactInput struct {
	Values map[string]string `json:"values"`
	Tags   []string          `json:"tags"`
}

// Selection names contacts for a batch action: explicit ids, or every contact matching a
// search (All).
type Selection struct {
	IDs    []string `json:"ids"`
	All    bool     `json:"all"`
	Search string   `json:"search"`
}

// EventView is one timeline entry.
type EventView struct {
	ID         string         `json:"id"`
	Seq        int64          `json:"seq"`
	Type       string         `json:"type"`
	At         string         `json:"at"`
	ObjectID   string         `json:"objectId"`
	ObjectName string         `json:"objectName"`
	URL        string         `json:"url"`
	Title      string         `json:"title"`
	Referrer   string         `json:"referrer"`
	Source     string         `json:"source"`
	Data       map[string]any `json:"data"`
}

// TimelinePage is one page of a contact's timeline, newest first; Next is the cursor of
// the following page (0 = no more).
type TimelinePage struct {
	Events []EventView `json:"events"`
	Next   int64       `json:"next"`
}

func eventView(e events.Event) EventView {
	return EventView{ID: e.ID, Seq: e.Seq, Type: string(e.Type), At: ts(e.At), ObjectID: e.ObjectID, ObjectName: e.ObjectName,
		URL: e.URL, Title: e.Title, Referrer: e.Referrer, Source: e.Source, Data: e.Data}
}
