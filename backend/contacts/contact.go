package contacts

import (
	"errors"
	"strings"
	"time"

	"magpie/backend/db"
	"magpie/backend/fold"
)

func init() {
	db.Declare(db.Table{Name: "contacts", Synced: true, Local: []string{"firstname_key", "lastname_key"}, Derive: derive})
	db.Declare(db.Table{Name: "company_contacts", Synced: true})
	db.Declare(db.Table{Name: "tags", Synced: true})
	db.Declare(db.Table{Name: "contact_tags", Synced: true})
	db.Declare(db.Table{Name: "dnc", Synced: true})
	db.Declare(db.Table{Name: "notes", Synced: true})
	db.Declare(db.Table{Name: "users", Synced: true})
}

// derived are the name columns and their fold keys (derive).
var derived = [...][2]string{{"firstname", "firstname_key"}, {"lastname", "lastname_key"}}

func derive(c db.Cols) {
	for _, p := range derived {
		src, dst := p[0], p[1]
		if v, ok := c[src]; ok {
			if s, _ := v.(string); s != "" {
				c[dst] = fold.String(s)
			} else {
				c[dst] = nil
			}
		}
	}
}

// Contact is one contact with its field values by alias (core and custom, stored form:
// string, float64 or int64; absent = empty).
type Contact struct {
	ID             string
	Values         map[string]any
	Points         int64
	StageID        string
	OwnerID        string
	DateAdded      time.Time
	DateModified   time.Time
	DateIdentified *time.Time
	LastActive     *time.Time
	Deleted        bool
	DeletedAt      *time.Time
}

// identifying are the fields whose presence makes a contact known (Lead::isAnonymous).
var identifying = []string{"firstname", "lastname", "company", "email",
	"facebook", "foursquare", "instagram", "linkedin", "skype", "twitter"}

// Str returns a value as text ("" when empty).
func (c Contact) Str(alias string) string {
	return fmtAny(c.Values[alias])
}

// Anonymous reports whether the contact is an unidentified visitor.
func (c Contact) Anonymous() bool { return anonymous(c.Values) }

func anonymous(vals map[string]any) bool {
	for _, a := range identifying {
		if s, ok := vals[a].(string); ok && strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// DisplayName is Mautic's primary identifier: "First Last", first or last alone, company,
// email, first social handle, else "".
func (c Contact) DisplayName() string {
	first, last := c.Str("firstname"), c.Str("lastname")
	switch {
	case first != "" && last != "":
		return first + " " + last
	case first != "" || last != "":
		return first + last
	}
	for _, a := range []string{"company", "email", "facebook", "foursquare", "instagram", "linkedin", "skype", "twitter"} {
		if s := c.Str(a); s != "" {
			return s
		}
	}
	return ""
}

// Sentinel errors.
var (
	ErrNotFound   = errors.New("contacts: no such contact")
	ErrEmailTaken = errors.New("contacts: email already used by another contact")
)

// DNC reasons (Mautic's codes).
const (
	ReasonUnsubscribed = 1
	ReasonBounced      = 2
	ReasonManual       = 3
)

// ReasonName maps a reason code to its name.
func ReasonName(r int) string {
	switch r {
	case ReasonUnsubscribed:
		return "unsubscribed"
	case ReasonBounced:
		return "bounced"
	case ReasonManual:
		return "manual"
	}
	return "contactable"
}

// ReasonCode maps a reason name to its code (0 if unknown).
func ReasonCode(name string) int {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "unsubscribed", "1":
		return ReasonUnsubscribed
	case "bounced", "2":
		return ReasonBounced
	case "manual", "3":
		return ReasonManual
	}
	return 0
}

// DNC is one do-not-contact entry.
type DNC struct {
	Channel   string    `json:"channel"`
	Reason    int       `json:"reason"`
	ChannelID string    `json:"channelId"`
	Comments  string    `json:"comments"`
	DateAdded time.Time `json:"dateAdded"`
}

// CompanyLink is a company a contact belongs to.
type CompanyLink struct {
	CompanyID string `json:"companyId"`
	Name      string `json:"name"`
	Primary   bool   `json:"primary"`
}

// Note is a note on a contact.
type Note struct {
	ID        string    `json:"id"`
	ContactID string    `json:"contactId"`
	Type      string    `json:"type"`
	Text      string    `json:"text"`
	At        time.Time `json:"at"`
}

// Detail is a contact with everything the contact page shows besides the timeline.
type Detail struct {
	Contact
	Tags      []string
	Companies []CompanyLink
	DNC       []DNC
	Notes     []Note
}

// EmailEq matches the live contacts whose email equals the value, given twice: it seeks
// the contacts_email index, (deleted COLLATE NOCASE, the lowered email) — migration
// 0088 dropped the plain email index, 0093 says why the collation (listing.Seek). SQLite's
// lower() and the column's NOCASE both fold ASCII letters only, so it holds for the same
// rows as email = ?; the second email = ? keeps an empty value from matching the contacts
// without an email. Callers add deleted = 0 (which selects the partial index).
const EmailEq = "(deleted = 0 COLLATE NOCASE AND lower(coalesce(email, '')) = lower(?) AND email = ?)"

// EmailIn matches the live contacts having one of n emails (n > 0, none empty), through
// the contacts_email index with deleted = 0, like EmailEq.
func EmailIn(n int) string {
	return "deleted = 0 COLLATE NOCASE AND lower(coalesce(email, '')) IN (lower(?)" + strings.Repeat(", lower(?)", n-1) + ")"
}
