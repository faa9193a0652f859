// Package forms holds form definitions (Mautic's FormBundle, MAUTIC.md §6.1): fields mapped to
// contact or company fields, validation, progressive profiling, conditional fields and submit
// actions; the HTML the tracker serves (render.go), the validation it runs on a post
// (validate.go), and the submit actions run when ingest stores the form.submitted event
// (actions.go, an events.OnAppend hook inside the ingest transaction). Results are a local
// table derived from the events, like the events themselves.
package forms

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fold"
)

func init() {
	db.Declare(db.Table{Name: "forms", Synced: true, Local: []string{"name_key"}, Derive: func(c db.Cols) {
		if v, ok := c["name"]; ok {
			s, _ := v.(string)
			c["name_key"] = fold.String(s)
		}
	}})
}

// Field types (Mautic's FormFieldHelper names where they exist).
const (
	Text      = "text"
	Textarea  = "textarea"
	Email     = "email"
	Tel       = "tel"
	URL       = "url"
	Number    = "number"
	Date      = "date"
	Select    = "select"
	Radio     = "radiogrp"
	Checkbox  = "checkboxgrp"
	Country   = "country"
	Hidden    = "hidden"
	FreeText  = "freetext"
	FreeHTML  = "freehtml"
	PageBreak = "pagebreak"
	File      = "file"
	Honeypot  = "captcha" // a honeypot: must stay blank
)

// Types lists every field type in builder order.
var Types = []string{Text, Textarea, Email, Tel, URL, Number, Date, Select, Radio, Checkbox, Country, Hidden,
	FreeText, FreeHTML, PageBreak, File, Honeypot}

// stored says whether a field type carries a value saved in results.
func stored(t string) bool {
	switch t {
	case FreeText, FreeHTML, PageBreak, Honeypot:
		return false
	}
	return true
}

// Option is one choice of a select, radio or checkbox group.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Condition shows a field only when another field has a value (any value when Values is
// empty, else one of Values).
type Condition struct {
	Field  string   `json:"field"`
	Values []string `json:"values,omitempty"`
}

// Field is one form field.
type Field struct {
	Alias        string     `json:"alias"`
	Label        string     `json:"label"`
	Type         string     `json:"type"`
	MapTo        string     `json:"mapTo,omitempty"` // "contact.<alias>" or "company.<alias>"
	Required     bool       `json:"required,omitempty"`
	Pattern      string     `json:"pattern,omitempty"` // extra validation: a regular expression the value must match
	ErrorMessage string     `json:"errorMessage,omitempty"`
	Placeholder  string     `json:"placeholder,omitempty"`
	Default      string     `json:"default,omitempty"`
	Prefill      bool       `json:"prefill,omitempty"`     // default value from the known contact
	HideIfKnown  bool       `json:"hideIfKnown,omitempty"` // progressive profiling: show only while the contact's field is empty
	ShowIf       *Condition `json:"showIf,omitempty"`
	Options      []Option   `json:"options,omitempty"`
	Text         string     `json:"text,omitempty"` // freetext / freehtml content
	MaxLength    int        `json:"maxLength,omitempty"`
	Accept       string     `json:"accept,omitempty"`    // file: accepted extensions, comma-separated (empty = DefaultFileTypes)
	MaxSizeKB    int        `json:"maxSizeKb,omitempty"` // file: size limit in KB (0 or above MaxUpload = MaxUpload)
}

// Contact returns the contact field alias the field maps to ("" when none).
func (f Field) Contact() string {
	a, _ := strings.CutPrefix(f.MapTo, "contact.")
	return ifPrefixed(f.MapTo, "contact.", a)
}

// Company returns the company field alias the field maps to ("" when none).
func (f Field) Company() string {
	a, _ := strings.CutPrefix(f.MapTo, "company.")
	return ifPrefixed(f.MapTo, "company.", a)
}

func ifPrefixed(s, p, v string) string {
	if strings.HasPrefix(s, p) {
		return v
	}
	return ""
}

// Action types (Mautic's submit actions, §6.1, plus redirect/message overrides).
const (
	ActTags      = "tags"          // add / remove tags
	ActSegments  = "segments"      // add to / remove from segments (manual membership)
	ActPoints    = "points"        // adjust points
	ActEmail     = "email.contact" // send an email to the contact
	ActUserEmail = "email.user"    // send an email to a user (an address)
	ActAsset     = "asset"         // download an asset after submit
	ActRedirect  = "redirect"      // redirect to a URL after submit
	ActMessage   = "message"       // show a message after submit
	ActCampaign  = "campaign"      // add to campaign (the campaign engine reacts to form.submitted)
	ActWebhook   = "webhook"       // post the results to a URL
	ActDNC       = "dnc"           // set or remove do-not-contact
	ActStage     = "stage"         // change stage (forward only, MAUTIC.md §7.4)
)

// ActionTypes lists the action types in builder order.
var ActionTypes = []string{ActTags, ActSegments, ActPoints, ActEmail, ActUserEmail, ActAsset, ActRedirect, ActMessage,
	ActCampaign, ActWebhook, ActDNC, ActStage}

// Action is one submit action.
type Action struct {
	Type     string   `json:"type"`
	Add      []string `json:"add,omitempty"`    // tags or segment ids to add
	Remove   []string `json:"remove,omitempty"` // tags or segment ids to remove
	Points   int64    `json:"points,omitempty"`
	EmailID  string   `json:"emailId,omitempty"`
	To       string   `json:"to,omitempty"` // the user's address (email.user)
	AssetID  string   `json:"assetId,omitempty"`
	URL      string   `json:"url,omitempty"` // redirect / webhook
	Message  string   `json:"message,omitempty"`
	Campaign string   `json:"campaignId,omitempty"`
	DNC      string   `json:"dnc,omitempty"` // add | remove
	Channel  string   `json:"channel,omitempty"`
	Stage    string   `json:"stageId,omitempty"`
}

// Form is one form definition.
type Form struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	Kind         string   `json:"kind"` // standalone | campaign
	Kiosk        bool     `json:"kiosk"`
	SubmitLabel  string   `json:"submitLabel"`
	PostAction   string   `json:"postAction"` // message | redirect
	PostValue    string   `json:"postValue"`
	MinSeconds   int      `json:"minSeconds"`
	Fields       []Field  `json:"fields"`
	Actions      []Action `json:"actions"`
	Published    bool     `json:"published"`
	DateAdded    int64    `json:"dateAdded"`
	DateModified int64    `json:"dateModified"`
	Deleted      bool     `json:"deleted"`
	Results      int64    `json:"results"`
}

// Field returns the field with alias a.
func (f *Form) Field(a string) (Field, bool) {
	for _, x := range f.Fields {
		if x.Alias == a {
			return x, true
		}
	}
	return Field{}, false
}

var aliasRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Check validates a definition; errors name the field or action (by position and alias).
func (f *Form) Check() error {
	errs, msgs := map[string]string{}, map[string]string{}
	add := func(k, key, msg string) { errs[k], msgs[k] = key, msg }
	if strings.TrimSpace(f.Name) == "" {
		add("name", "forms.errors.name", "a form needs a name")
	}
	switch f.PostAction {
	case "", "message":
	case "redirect":
		if !okURL(f.PostValue) {
			add("postValue", "forms.errors.url", fmt.Sprintf("redirect URL %q must be an absolute http(s) URL", f.PostValue))
		}
	default:
		add("postAction", "forms.errors.postAction", fmt.Sprintf("post action %q is not message or redirect", f.PostAction))
	}
	if f.MinSeconds < 0 || f.MinSeconds > 3600 {
		add("minSeconds", "forms.errors.minSeconds", "minimum time to submit must be 0–3600 seconds")
	}
	seen := map[string]bool{}
	for i, fd := range f.Fields {
		k := fmt.Sprintf("fields.%d", i)
		if !aliasRe.MatchString(fd.Alias) {
			add(k, "forms.errors.alias", fmt.Sprintf("field %d: alias %q must start with a letter and use a-z, 0-9, _", i+1, fd.Alias))
			continue
		}
		if seen[fd.Alias] {
			add(k, "forms.errors.aliasTaken", fmt.Sprintf("field %d: alias %q is used twice", i+1, fd.Alias))
		}
		seen[fd.Alias] = true
		if !validType(fd.Type) {
			add(k, "forms.errors.type", fmt.Sprintf("field %q: unknown type %q", fd.Alias, fd.Type))
		}
		if fd.MapTo != "" && fd.Contact() == "" && fd.Company() == "" {
			add(k, "forms.errors.mapTo", fmt.Sprintf("field %q: mapping %q must be contact.<field> or company.<field>", fd.Alias, fd.MapTo))
		}
		if fd.Pattern != "" {
			if _, err := regexp.Compile(fd.Pattern); err != nil {
				add(k, "forms.errors.pattern", fmt.Sprintf("field %q: validation pattern: %v", fd.Alias, err))
			}
		}
		if (fd.Type == Select || fd.Type == Radio || fd.Type == Checkbox) && len(fd.Options) == 0 {
			add(k, "forms.errors.options", fmt.Sprintf("field %q: a %s needs options", fd.Alias, fd.Type))
		}
		if fd.ShowIf != nil && (fd.ShowIf.Field == fd.Alias || !seen[fd.ShowIf.Field]) {
			add(k, "forms.errors.showIf", fmt.Sprintf("field %q: the condition must name an earlier field", fd.Alias))
		}
	}
	for i, a := range f.Actions {
		k := fmt.Sprintf("actions.%d", i)
		switch a.Type {
		case ActTags:
			if len(a.Add)+len(a.Remove) == 0 {
				add(k, "forms.errors.actionEmpty", fmt.Sprintf("action %d (tags): no tag to add or remove", i+1))
			}
		case ActSegments:
			if len(a.Add)+len(a.Remove) == 0 {
				add(k, "forms.errors.actionEmpty", fmt.Sprintf("action %d (segments): no segment to add or remove", i+1))
			}
		case ActPoints:
			if a.Points == 0 {
				add(k, "forms.errors.actionEmpty", fmt.Sprintf("action %d (points): the change is 0", i+1))
			}
		case ActEmail:
			if a.EmailID == "" {
				add(k, "forms.errors.actionEmpty", fmt.Sprintf("action %d (email): no email chosen", i+1))
			}
		case ActUserEmail:
			if a.EmailID == "" || !strings.Contains(a.To, "@") {
				add(k, "forms.errors.actionEmpty", fmt.Sprintf("action %d (email to user): an email and an address are needed", i+1))
			}
		case ActAsset:
			if a.AssetID == "" {
				add(k, "forms.errors.actionEmpty", fmt.Sprintf("action %d (asset): no asset chosen", i+1))
			}
		case ActRedirect, ActWebhook:
			if !okURL(a.URL) {
				add(k, "forms.errors.url", fmt.Sprintf("action %d (%s): %q must be an absolute http(s) URL", i+1, a.Type, a.URL))
			}
		case ActMessage, ActCampaign:
		case ActDNC:
			if a.DNC != "add" && a.DNC != "remove" {
				add(k, "forms.errors.dnc", fmt.Sprintf("action %d (dnc): choose add or remove", i+1))
			}
		case ActStage:
			if a.Stage == "" {
				add(k, "forms.errors.actionEmpty", fmt.Sprintf("action %d (stage): no stage chosen", i+1))
			}
		default:
			add(k, "forms.errors.actionType", fmt.Sprintf("action %d: unknown type %q", i+1, a.Type))
		}
	}
	if len(errs) > 0 {
		return apperr.FieldErrors(errs, msgs)
	}
	return nil
}

func validType(t string) bool {
	for _, x := range Types {
		if x == t {
			return true
		}
	}
	return false
}

func okURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
