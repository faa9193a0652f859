package fields

import (
	"errors"
	"regexp"
)

// Object is what a field belongs to.
type Object string

// The objects with fields.
const (
	Contact Object = "contact"
	Company Object = "company"
)

// Type is a Mautic field type.
type Type string

// The field types (Mautic's FormFieldHelper list).
const (
	Text        Type = "text"
	Textarea    Type = "textarea"
	Multiselect Type = "multiselect"
	Select      Type = "select"
	Boolean     Type = "boolean"
	Lookup      Type = "lookup"
	Date        Type = "date"
	Datetime    Type = "datetime"
	Time        Type = "time"
	Timezone    Type = "timezone"
	Email       Type = "email"
	HTML        Type = "html"
	Number      Type = "number"
	Tel         Type = "tel"
	URL         Type = "url"
	Country     Type = "country"
	Region      Type = "region"
	Locale      Type = "locale"
)

// Types lists every type in UI order.
var Types = []Type{Text, Textarea, Email, Tel, URL, Number, Boolean, Date, Datetime, Time,
	Select, Multiselect, Lookup, Country, Region, Timezone, Locale, HTML}

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	for _, x := range Types {
		if x == t {
			return true
		}
	}
	return false
}

// Storage is how a type is stored in SQLite.
type Storage int

// Storage kinds.
const (
	StoreText Storage = iota // TEXT COLLATE NOCASE
	StoreReal                // REAL
	StoreInt                 // INTEGER (booleans 0/1)
)

// Storage returns the column storage of t.
func (t Type) Storage() Storage {
	switch t {
	case Number:
		return StoreReal
	case Boolean:
		return StoreInt
	}
	return StoreText
}

// Option is one choice of a select, multiselect or lookup field.
type Option struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Field describes one contact or company field.
type Field struct {
	ID                string         `json:"id"`
	Object            Object         `json:"object"`
	Alias             string         `json:"alias"`
	Label             string         `json:"label"`
	Type              Type           `json:"type"`
	Group             string         `json:"group"` // core, social, personal, professional
	Position          int            `json:"position"`
	Default           string         `json:"defaultValue"`
	Required          bool           `json:"required"`
	Options           []Option       `json:"options"`
	Properties        map[string]any `json:"properties"`
	Listable          bool           `json:"listable"` // offered in segment filters
	PubliclyUpdatable bool           `json:"publiclyUpdatable"`
	UniqueIdentifier  bool           `json:"uniqueIdentifier"`
	Fixed             bool           `json:"fixed"` // a core field: cannot be deleted
	// System marks columns that are not user-editable through Parse (points, dates).
	System bool `json:"system"`
	// LabelFR is the French label (import auto-mapping, the French UI; "" = Label).
	LabelFR string `json:"labelFr,omitempty"`
}

// Groups in UI order.
var Groups = []string{"core", "social", "personal", "professional"}

// Sentinel errors.
var (
	ErrAliasInvalid  = errors.New("fields: alias must start with a letter and use a-z, 0-9, _ (max 64)")
	ErrAliasReserved = errors.New("fields: alias is reserved")
	ErrAliasTaken    = errors.New("fields: alias already used")
	ErrNotFound      = errors.New("fields: no such field")
	ErrFixed         = errors.New("fields: core fields cannot be deleted")
)

var aliasRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// reserved are system columns and SQL words an alias may not take.
var reserved = map[string]bool{
	"id": true, "deleted": true, "deleted_at": true, "date_added": true, "date_modified": true,
	"date_identified": true, "last_active": true, "points": true, "stage_id": true, "owner_id": true,
	"firstname_key": true, "lastname_key": true, "name_key": true, "score": true, "tags": true,
	"stage": true, "owner": true, "companies": true, "rowid": true, "oid": true, "_rowid_": true,
	"select": true, "from": true, "where": true, "order": true, "group": true, "table": true,
	"index": true, "and": true, "or": true, "not": true, "null": true, "default": true,
	"primary": true, "key": true, "unique": true, "check": true, "references": true,
}

// CheckAlias validates a new alias for object.
func CheckAlias(obj Object, alias string) error {
	if !aliasRe.MatchString(alias) {
		return ErrAliasInvalid
	}
	if reserved[alias] {
		return ErrAliasReserved
	}
	for _, f := range Core(obj) {
		if f.Alias == alias {
			return ErrAliasTaken
		}
	}
	return nil
}

// Table is the table holding obj's columns.
func (o Object) Table() string {
	if o == Company {
		return "companies"
	}
	return "contacts"
}
