package segments

import (
	"context"

	"magpie/backend/fields"
)

// Operator codes (Mautic's OperatorOptions plus explicit any/all-of for multi-values).
const (
	OpEq, OpNeq              = "=", "!="
	OpGt, OpGte, OpLt, OpLte = "gt", "gte", "lt", "lte"
	OpEmpty, OpNotEmpty      = "empty", "!empty"
	OpLike, OpNotLike        = "like", "!like"
	OpIn, OpNotIn            = "in", "!in"
	OpRegexp, OpNotRegexp    = "regexp", "!regexp"
	OpStartsWith, OpEndsWith = "startsWith", "endsWith"
	OpContains               = "contains"
	OpBetween, OpNotBetween  = "between", "!between"
	OpAnyOf, OpAllOf         = "anyOf", "allOf"     // including any / all of
	OpNoneOf, OpNotAllOf     = "noneOf", "notAllOf" // excluding any / all of
)

// Operator families (MAUTIC.md §3.3).
var (
	opsText        = []string{OpEq, OpNeq, OpEmpty, OpNotEmpty, OpLike, OpNotLike, OpRegexp, OpNotRegexp, OpStartsWith, OpEndsWith, OpContains, OpIn, OpNotIn}
	opsTextNoIn    = []string{OpEq, OpNeq, OpEmpty, OpNotEmpty, OpLike, OpNotLike, OpRegexp, OpNotRegexp, OpStartsWith, OpEndsWith, OpContains}
	opsSelect      = []string{OpEq, OpNeq, OpEmpty, OpNotEmpty, OpRegexp, OpNotRegexp, OpIn, OpNotIn}
	opsBool        = []string{OpEq, OpNeq}
	opsDefault     = []string{OpEq, OpNeq, OpGt, OpGte, OpLt, OpLte, OpEmpty, OpNotEmpty, OpLike, OpNotLike, OpRegexp, OpNotRegexp, OpStartsWith, OpEndsWith, OpContains}
	opsMulti       = []string{OpIn, OpNotIn, OpEmpty, OpNotEmpty, OpAnyOf, OpAllOf, OpNoneOf, OpNotAllOf}
	opsLookupID    = []string{OpEq, OpNeq, OpEmpty, OpNotEmpty}
	opsCount       = []string{OpEq, OpGt, OpGte, OpLt, OpLte}
	opsDateOnly    = []string{OpEq, OpNeq, OpGt, OpGte, OpLt, OpLte}
	opsInOnly      = []string{OpIn, OpNotIn}
	opsURL         = []string{OpEq, OpNeq, OpLike, OpNotLike, OpRegexp, OpNotRegexp, OpStartsWith, OpEndsWith, OpContains}
	opsHiddenDates = []string{OpBetween, OpNotBetween}
)

// Kind says how a catalogue field is compiled.
type Kind string

// The field kinds.
const (
	KColumn   Kind = "column"   // a contacts column
	KCompany  Kind = "company"  // a companies column, any linked company (Q13)
	KTags     Kind = "tags"     // contact_tags
	KSegment  Kind = "leadlist" // segment membership, live
	KCampaign Kind = "campaign" // campaign membership (campaign_members, not manually removed)
	KDNC      Kind = "dnc"      // DNC of a reason on a channel
	KDevice   Kind = "device"   // contact_devices column
	KUTM      Kind = "utm"      // contact_utm column
	KURL      Kind = "url"      // hit URLs
	KEventCol Kind = "eventcol" // a text column of hit events (referrer, title)
	KEventDay Kind = "eventdate"
	KCount    Kind = "count" // a contact_stats counter, missing = 0
	KEvObject Kind = "evobject"
	KBoolStat Kind = "boolstat" // yes/no: a contact_stats counter > 0
)

// Option is a choice of a select-like value.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Def is one filterable field of the catalogue.
type Def struct {
	Alias   string   `json:"alias"`
	Object  string   `json:"object"` // lead | company | behaviors (Mautic's)
	Group   string   `json:"group"`  // contact | company | behaviour (UI grouping)
	Label   string   `json:"label"`
	LabelFR string   `json:"labelFr"`
	Type    string   `json:"type"` // value widget: text, number, boolean, date, datetime, select, multiselect, tags, leadlist, yesno, lookup_id, count
	Ops     []string `json:"operators"`
	Options []Option `json:"options,omitempty"`

	Kind     Kind   `json:"-"`
	Column   string `json:"-"` // column (contacts/companies/related table)
	Storage  string `json:"-"` // text | real | int | ms | textdate | textdatetime
	FType    string `json:"-"` // Mautic field type (text, number, select, multiselect, boolean, date, datetime …)
	EvType   string `json:"-"` // event type(s) for event kinds, comma-separated
	Channel  string `json:"-"` // DNC
	Reason   int    `json:"-"` // DNC
	DateKind string `json:"-"` // date | datetime: how keyword values render (§3.5)
}

var msColumns = map[string]bool{"date_added": true, "date_modified": true, "date_identified": true, "last_active": true}

func opsForType(t fields.Type) (string, []string) {
	switch t {
	case fields.Text:
		return "text", opsText
	case fields.Email, fields.URL, fields.Tel, fields.Lookup:
		return "text", opsTextNoIn
	case fields.Select, fields.Country, fields.Region, fields.Timezone, fields.Locale:
		return "select", opsSelect
	case fields.Boolean:
		return "boolean", opsBool
	case fields.Number:
		return "number", opsDefault
	case fields.Multiselect:
		return "multiselect", opsMulti
	case fields.Date:
		return "date", append(append([]string{}, opsDefault...), opsHiddenDates...)
	case fields.Datetime:
		return "datetime", append(append([]string{}, opsDefault...), opsHiddenDates...)
	}
	return "text", opsDefault // textarea, html, time
}

func fieldDef(f fields.Field) Def {
	typ, ops := opsForType(f.Type)
	d := Def{Alias: f.Alias, Label: f.Label, LabelFR: f.LabelFR, Type: typ, Ops: ops, Column: f.Alias, FType: string(f.Type)}
	if d.LabelFR == "" {
		d.LabelFR = f.Label
	}
	for _, o := range f.Options {
		d.Options = append(d.Options, Option{Value: o.Value, Label: o.Label})
	}
	switch f.Type.Storage() {
	case fields.StoreReal:
		d.Storage = "real"
	case fields.StoreInt:
		d.Storage = "int"
	default:
		d.Storage = "text"
	}
	switch f.Type {
	case fields.Date:
		d.Storage, d.DateKind = "textdate", "date"
	case fields.Datetime:
		d.Storage, d.DateKind = "textdatetime", "datetime"
	}
	if f.Object == fields.Company {
		d.Object, d.Group, d.Kind = "company", "company", KCompany
	} else {
		d.Object, d.Group, d.Kind = "lead", "contact", KColumn
	}
	if msColumns[f.Alias] {
		d.Storage = "ms"
	}
	return d
}

// static are the non-field filters of the catalogue (MAUTIC.md §3.6) our data supports.
var static = []Def{
	{Alias: "date_added", Object: "lead", Group: "contact", Label: "Date added", LabelFR: "Date d'ajout", Type: "date", Ops: opsDefault, Kind: KColumn, Column: "date_added", Storage: "ms", FType: "date", DateKind: "date"},
	{Alias: "date_identified", Object: "lead", Group: "contact", Label: "Date identified", LabelFR: "Date d'identification", Type: "date", Ops: opsDefault, Kind: KColumn, Column: "date_identified", Storage: "ms", FType: "date", DateKind: "date"},
	{Alias: "date_modified", Object: "lead", Group: "contact", Label: "Date modified", LabelFR: "Date de modification", Type: "datetime", Ops: opsDefault, Kind: KColumn, Column: "date_modified", Storage: "ms", FType: "datetime", DateKind: "datetime"},
	{Alias: "owner_id", Object: "lead", Group: "contact", Label: "Owner", LabelFR: "Propriétaire", Type: "lookup_id", Ops: opsLookupID, Kind: KColumn, Column: "owner_id", Storage: "text", FType: "lookup_id"},
	{Alias: "stage", Object: "lead", Group: "contact", Label: "Stage", LabelFR: "Étape", Type: "lookup_id", Ops: opsLookupID, Kind: KColumn, Column: "stage_id", Storage: "text", FType: "lookup_id"},
	{Alias: "tags", Object: "lead", Group: "contact", Label: "Tags", LabelFR: "Tags", Type: "tags", Ops: opsMulti, Kind: KTags},
	{Alias: "leadlist", Object: "lead", Group: "contact", Label: "Segment membership", LabelFR: "Appartenance à un segment", Type: "leadlist", Ops: []string{OpIn, OpNotIn, OpEmpty, OpNotEmpty}, Kind: KSegment},
	{Alias: "campaign", Object: "lead", Group: "contact", Label: "Campaign membership", LabelFR: "Appartenance à une campagne", Type: "campaign", Ops: []string{OpIn, OpNotIn, OpEmpty, OpNotEmpty}, Kind: KCampaign},
	{Alias: "dnc_unsubscribed", Object: "lead", Group: "contact", Label: "Unsubscribed (email)", LabelFR: "Désinscrit (e-mail)", Type: "yesno", Ops: opsBool, Kind: KDNC, Channel: "email", Reason: 1},
	{Alias: "dnc_bounced", Object: "lead", Group: "contact", Label: "Bounced (email)", LabelFR: "Rejeté (e-mail)", Type: "yesno", Ops: opsBool, Kind: KDNC, Channel: "email", Reason: 2},
	{Alias: "dnc_manual_email", Object: "lead", Group: "contact", Label: "Do not contact manually (email)", LabelFR: "Ne pas contacter, manuel (e-mail)", Type: "yesno", Ops: opsBool, Kind: KDNC, Channel: "email", Reason: 3},
	{Alias: "dnc_unsubscribed_sms", Object: "lead", Group: "contact", Label: "Unsubscribed (SMS)", LabelFR: "Désinscrit (SMS)", Type: "yesno", Ops: opsBool, Kind: KDNC, Channel: "sms", Reason: 1},
	{Alias: "dnc_bounced_sms", Object: "lead", Group: "contact", Label: "Bounced (SMS)", LabelFR: "Rejeté (SMS)", Type: "yesno", Ops: opsBool, Kind: KDNC, Channel: "sms", Reason: 2},
	{Alias: "dnc_manual_sms", Object: "lead", Group: "contact", Label: "Do not contact manually (SMS)", LabelFR: "Ne pas contacter, manuel (SMS)", Type: "yesno", Ops: opsBool, Kind: KDNC, Channel: "sms", Reason: 3},

	{Alias: "device_type", Object: "behaviors", Group: "behaviour", Label: "Device type", LabelFR: "Type d'appareil", Type: "multiselect", Ops: opsMulti, Kind: KDevice, Column: "device_type",
		Options: []Option{{"desktop", "Desktop"}, {"mobile", "Mobile"}, {"tablet", "Tablet"}, {"bot", "Bot"}}},
	{Alias: "device_brand", Object: "behaviors", Group: "behaviour", Label: "Device brand", LabelFR: "Marque de l'appareil", Type: "multiselect", Ops: opsMulti, Kind: KDevice, Column: "device_brand",
		Options: []Option{{"Apple", "Apple"}, {"Samsung", "Samsung"}, {"Google", "Google"}, {"Huawei", "Huawei"}, {"Xiaomi", "Xiaomi"}}},
	{Alias: "device_os", Object: "behaviors", Group: "behaviour", Label: "Device OS", LabelFR: "Système de l'appareil", Type: "multiselect", Ops: opsMulti, Kind: KDevice, Column: "device_os",
		Options: []Option{{"Windows", "Windows"}, {"Mac", "Mac"}, {"iOS", "iOS"}, {"Android", "Android"}, {"GNU/Linux", "GNU/Linux"}, {"Chrome OS", "Chrome OS"}}},
	{Alias: "device_browser", Object: "behaviors", Group: "behaviour", Label: "Browser", LabelFR: "Navigateur", Type: "multiselect", Ops: opsMulti, Kind: KDevice, Column: "device_browser",
		Options: []Option{{"Chrome", "Chrome"}, {"Firefox", "Firefox"}, {"Safari", "Safari"}, {"Microsoft Edge", "Microsoft Edge"}, {"Opera", "Opera"}}},
	{Alias: "utm_campaign", Object: "behaviors", Group: "behaviour", Label: "UTM campaign", LabelFR: "UTM campagne", Type: "text", Ops: opsDefault, Kind: KUTM, Column: "utm_campaign", Storage: "text"},
	{Alias: "utm_content", Object: "behaviors", Group: "behaviour", Label: "UTM content", LabelFR: "UTM contenu", Type: "text", Ops: opsDefault, Kind: KUTM, Column: "utm_content", Storage: "text"},
	{Alias: "utm_medium", Object: "behaviors", Group: "behaviour", Label: "UTM medium", LabelFR: "UTM support", Type: "text", Ops: opsDefault, Kind: KUTM, Column: "utm_medium", Storage: "text"},
	{Alias: "utm_source", Object: "behaviors", Group: "behaviour", Label: "UTM source", LabelFR: "UTM source", Type: "text", Ops: opsDefault, Kind: KUTM, Column: "utm_source", Storage: "text"},
	{Alias: "utm_term", Object: "behaviors", Group: "behaviour", Label: "UTM term", LabelFR: "UTM terme", Type: "text", Ops: opsDefault, Kind: KUTM, Column: "utm_term", Storage: "text"},
	{Alias: "hit_url", Object: "behaviors", Group: "behaviour", Label: "Visited URL", LabelFR: "URL visitée", Type: "text", Ops: opsURL, Kind: KURL},
	{Alias: "hit_url_date", Object: "behaviors", Group: "behaviour", Label: "Visited any URL date", LabelFR: "Date de visite d'une URL", Type: "datetime", Ops: opsDateOnly, Kind: KEventDay, EvType: "page.hit,email.clicked", Storage: "ms", DateKind: "datetime"},
	{Alias: "hit_url_count", Object: "behaviors", Group: "behaviour", Label: "Visited any URL X times", LabelFR: "A visité des URL X fois", Type: "number", Ops: opsCount, Kind: KCount, Column: "hits"},
	{Alias: "sessions", Object: "behaviors", Group: "behaviour", Label: "Sessions", LabelFR: "Sessions", Type: "number", Ops: opsCount, Kind: KCount, Column: "sessions"},
	{Alias: "referer", Object: "behaviors", Group: "behaviour", Label: "Referrer", LabelFR: "Référent", Type: "text", Ops: opsTextNoIn, Kind: KEventCol, Column: "referrer", EvType: "page.hit", Storage: "text"},
	{Alias: "url_title", Object: "behaviors", Group: "behaviour", Label: "Visited page title", LabelFR: "Titre de la page visitée", Type: "text", Ops: opsTextNoIn, Kind: KEventCol, Column: "title", EvType: "page.hit", Storage: "text"},
	{Alias: "lead_email_sent", Object: "behaviors", Group: "behaviour", Label: "Was sent email", LabelFR: "A reçu l'e-mail", Type: "emails", Ops: opsInOnly, Kind: KEvObject, EvType: "email.sent"},
	{Alias: "lead_email_received", Object: "behaviors", Group: "behaviour", Label: "Read email", LabelFR: "A lu l'e-mail", Type: "emails", Ops: opsInOnly, Kind: KEvObject, EvType: "email.read"},
	{Alias: "lead_email_sent_date", Object: "behaviors", Group: "behaviour", Label: "Email sent date", LabelFR: "Date d'envoi d'e-mail", Type: "datetime", Ops: opsDateOnly, Kind: KEventDay, EvType: "email.sent", Storage: "ms", DateKind: "datetime"},
	{Alias: "lead_email_read_date", Object: "behaviors", Group: "behaviour", Label: "Email read date", LabelFR: "Date de lecture d'e-mail", Type: "datetime", Ops: opsDateOnly, Kind: KEventDay, EvType: "email.read", Storage: "ms", DateKind: "datetime"},
	{Alias: "lead_email_read_count", Object: "behaviors", Group: "behaviour", Label: "Read any email X times", LabelFR: "A lu des e-mails X fois", Type: "number", Ops: opsCount, Kind: KCount, Column: "emails_read"},
	{Alias: "email_id", Object: "behaviors", Group: "behaviour", Label: "Clicked any link from any email", LabelFR: "A cliqué un lien d'un e-mail", Type: "yesno", Ops: opsBool, Kind: KBoolStat, Column: "emails_clicked"},
	{Alias: "email_clicked_link_date", Object: "behaviors", Group: "behaviour", Label: "Clicked a link date", LabelFR: "Date de clic d'un lien", Type: "datetime", Ops: opsDateOnly, Kind: KEventDay, EvType: "email.clicked", Storage: "ms", DateKind: "datetime"},
	{Alias: "lead_asset_download", Object: "behaviors", Group: "behaviour", Label: "Downloaded asset", LabelFR: "A téléchargé le fichier", Type: "assets", Ops: []string{OpIn, OpNotIn, OpEmpty, OpNotEmpty}, Kind: KEvObject, EvType: "asset.downloaded"},
}

// Catalogue lists every filterable field: contact fields, static contact filters, company
// fields and behaviours.
func Catalogue(ctx context.Context, fs *fields.Service) ([]Def, error) {
	var out []Def
	cf, err := fs.List(ctx, fields.Contact)
	if err != nil {
		return nil, err
	}
	for _, f := range cf {
		if f.Listable {
			out = append(out, fieldDef(f))
		}
	}
	for _, d := range static {
		if d.Group == "contact" {
			out = append(out, d)
		}
	}
	co, err := fs.List(ctx, fields.Company)
	if err != nil {
		return nil, err
	}
	for _, f := range co {
		if f.Listable {
			out = append(out, fieldDef(f))
		}
	}
	for _, d := range static {
		if d.Group != "contact" {
			out = append(out, d)
		}
	}
	return out, nil
}

// OperatorLabels are the operator names shown in the editor.
var OperatorLabels = map[string][2]string{
	OpEq: {"equals", "égal à"}, OpNeq: {"not equal", "différent de"},
	OpGt: {"greater than", "supérieur à"}, OpGte: {"greater than or equal", "supérieur ou égal à"},
	OpLt: {"less than", "inférieur à"}, OpLte: {"less than or equal", "inférieur ou égal à"},
	OpEmpty: {"empty", "vide"}, OpNotEmpty: {"not empty", "non vide"},
	OpLike: {"like", "comme"}, OpNotLike: {"not like", "pas comme"},
	OpIn: {"including", "parmi"}, OpNotIn: {"excluding", "hors de"},
	OpRegexp: {"regexp", "expression régulière"}, OpNotRegexp: {"not regexp", "pas l'expression régulière"},
	OpStartsWith: {"starts with", "commence par"}, OpEndsWith: {"ends with", "finit par"}, OpContains: {"contains", "contient"},
	OpBetween: {"between", "entre"}, OpNotBetween: {"not between", "hors de l'intervalle"},
	OpAnyOf: {"including any of", "contient l'un de"}, OpAllOf: {"including all of", "contient tous"},
	OpNoneOf: {"excluding any of", "ne contient aucun de"}, OpNotAllOf: {"excluding all of", "ne contient pas tous"},
}
