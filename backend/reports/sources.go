package reports

import (
	"context"
	"sort"
	"strings"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fields"
)

// Column types.
const (
	Text     = "text"
	Int      = "int"
	Float    = "float"
	DateTime = "datetime" // INTEGER Unix ms in the store; a date in exports
	Date     = "date"     // TEXT YYYY-MM-DD
	Bool     = "bool"
)

// Column is one column a source offers: its id (what definitions store), label, type and
// the SQL expression over the source's aliases. NeedsContact says the expression reads the
// contacts table (aliased c), which event sources then join.
type Column struct {
	ID           string `json:"id"`
	Label        string `json:"label"`
	LabelFR      string `json:"-"` // Label in French (Localize)
	Type         string `json:"type"`
	Expr         string `json:"-"`
	NeedsContact bool   `json:"-"`
	// GroupExpr, when set, is what the summary groups by instead of Expr (an indexed id
	// rather than a name), and NameSQL (one ? = the key) turns each group's key back into
	// the label shown.
	GroupExpr string `json:"-"`
	NameSQL   string `json:"-"`
	// GroupIndex is the events index a summary grouped first by this column reads (the
	// planner, without statistics, may pick one that is not covering).
	GroupIndex string `json:"-"`
	// GroupWhere is that index's condition when it is partial: added to the query as it is
	// written in the index (SQLite uses a partial index only when the WHERE implies it).
	GroupWhere string `json:"-"`
}

// Source is a data source: the rows a report reads.
type Source struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	LabelFR string `json:"-"` // Label in French (Localize)
	// Coming sources are listed in the builder but cannot be used yet (their feature is
	// not built).
	Coming bool `json:"coming"`
	// From is the FROM clause; Where the base condition (deleted rows, event types).
	From  string `json:"-"`
	Where string `json:"-"`
	// DateColumn is the column the report's date range applies to.
	DateColumn string `json:"dateColumn"`
	// ContactJoin joins contacts c when a column or a contact filter needs them ("" when
	// the source is the contacts table itself, or has no contact).
	ContactJoin string `json:"-"`
	// ContactFilters says segment-style contact filters apply.
	ContactFilters bool     `json:"contactFilters"`
	Columns        []Column `json:"columns"`
	// Default columns for a new report.
	Defaults []string `json:"defaults"`
}

// Col returns the column with id.
func (s *Source) Col(id string) (Column, bool) {
	for _, c := range s.Columns {
		if c.ID == id {
			return c, true
		}
	}
	return Column{}, false
}

// contactColumns are the contact columns every contact-related source offers ("contact." +
// alias), custom fields included.
// labelPrefix (English, French) names them in another source's columns.
func contactColumns(fs []fields.Field, prefix string, labelPrefix [2]string) []Column {
	out := []Column{
		{ID: prefix + "id", Label: "ID", Type: Text, Expr: "c.id"},
		{ID: prefix + "date_added", Label: "Date added", Type: DateTime, Expr: "c.date_added"},
		{ID: prefix + "last_active", Label: "Last active", Type: DateTime, Expr: "c.last_active"},
		{ID: prefix + "points", Label: "Points", Type: Int, Expr: "c.points"},
		{ID: prefix + "stage_id", Label: "Stage", Type: Text, Expr: "c.stage_id"},
	}
	for _, f := range fs {
		if f.Alias == "points" || f.Alias == "last_active" {
			continue
		}
		fr := f.LabelFR
		if fr == "" {
			fr = f.Label
		}
		out = append(out, Column{ID: prefix + f.Alias, Label: f.Label, LabelFR: fr, Type: fieldType(string(f.Type)), Expr: "c." + db.Quote(f.Alias)})
	}
	for i := range out {
		if out[i].LabelFR == "" {
			out[i].LabelFR = frLabels[out[i].Label]
		}
		out[i].Label, out[i].LabelFR = labelPrefix[0]+out[i].Label, labelPrefix[1]+out[i].LabelFR
		out[i].NeedsContact = true
	}
	return out
}

func fieldType(t string) string {
	switch t {
	case "number":
		return Float
	case "boolean":
		return Bool
	case "date":
		return Date
	case "datetime":
		return Text // Mautic datetimes are TEXT 'YYYY-MM-DD HH:MM:SS'
	}
	return Text
}

// eventSource is a source over the behaviour log restricted to some event types.
func eventSource(id, label string, types []events.Type, extra []Column, contact []Column) Source {
	quoted := make([]string, len(types))
	for i, t := range types {
		quoted[i] = "'" + string(t) + "'"
	}
	where := "e.type = " + quoted[0]
	if len(quoted) > 1 {
		where = "e.type IN (" + strings.Join(quoted, ", ") + ")"
	}
	cols := []Column{
		{ID: "at", Label: "Date", Type: DateTime, Expr: "e.at"},
		{ID: "type", Label: "Event", Type: Text, Expr: "e.type"},
		{ID: "contact_id", Label: "Contact ID", Type: Text, Expr: "e.contact_id"},
	}
	cols = append(cols, extra...)
	cols = append(cols, contact...)
	return Source{ID: id, Label: label, From: "events e", Where: where, DateColumn: "at",
		ContactJoin: "JOIN contacts c ON c.id = e.contact_id AND c.deleted = 0", ContactFilters: true,
		Columns: cols, Defaults: []string{"at", "type", "contact.email"}}
}

// objectName is the name of an event's object (email, form, asset): the summary groups by
// the object id (events_type_object is ordered by it) and looks each name up once.
func objectName(id, label, types string) Column {
	return Column{ID: id, Label: label, Type: Text, Expr: "e.object_name", GroupExpr: "e.object_id", GroupIndex: "events_type_object",
		GroupWhere: events.ObjectIndexWhere("e"),
		NameSQL:    "SELECT object_name FROM events WHERE type IN ('" + types + "') AND object_id = ? AND object_name IS NOT NULL LIMIT 1"}
}

func hitColumns() []Column {
	return []Column{
		{ID: "url", Label: "URL", Type: Text, Expr: "e.url", GroupIndex: "events_type_url_at"},
		{ID: "title", Label: "Page title", Type: Text, Expr: "e.title"},
		{ID: "referrer", Label: "Referrer", Type: Text, Expr: "e.referrer"},
		{ID: "device_type", Label: "Device", Type: Text, Expr: "e.device_type"},
		{ID: "device_os", Label: "OS", Type: Text, Expr: "e.device_os"},
		{ID: "device_browser", Label: "Browser", Type: Text, Expr: "e.device_browser"},
		{ID: "utm_source", Label: "UTM source", Type: Text, Expr: "e.utm_source"},
		{ID: "utm_medium", Label: "UTM medium", Type: Text, Expr: "e.utm_medium"},
		{ID: "utm_campaign", Label: "UTM campaign", Type: Text, Expr: "e.utm_campaign"},
	}
}

// Sources returns the data sources, with the current custom contact fields.
func Sources(ctx context.Context, fs *fields.Service) ([]Source, error) {
	var cf []fields.Field
	if fs != nil {
		var err error
		if cf, err = fs.List(ctx, fields.Contact); err != nil {
			return nil, err
		}
	}
	contact := contactColumns(cf, "contact.", [2]string{"Contact ", "Contact : "})
	contactsSrc := Source{ID: "contacts", Label: "Contacts", From: "contacts c", Where: "c.deleted = 0",
		DateColumn: "contact.date_added", ContactFilters: true, Columns: contactColumns(cf, "contact.", [2]string{}),
		Defaults: []string{"contact.email", "contact.firstname", "contact.lastname", "contact.points", "contact.date_added"}}
	for i := range contactsSrc.Columns {
		contactsSrc.Columns[i].NeedsContact = false
	}
	companiesSrc := Source{ID: "companies", Label: "Companies", From: "companies co", Where: "co.deleted = 0",
		DateColumn: "date_added", Columns: []Column{
			{ID: "id", Label: "ID", Type: Text, Expr: "co.id"},
			{ID: "companyname", Label: "Name", Type: Text, Expr: "co.companyname"},
			{ID: "companyemail", Label: "Email", Type: Text, Expr: "co.companyemail"},
			{ID: "companycity", Label: "City", Type: Text, Expr: "co.companycity"},
			{ID: "companycountry", Label: "Country", Type: Text, Expr: "co.companycountry"},
			{ID: "companyindustry", Label: "Industry", Type: Text, Expr: "co.companyindustry"},
			{ID: "companynumber_of_employees", Label: "Employees", Type: Float, Expr: "co.companynumber_of_employees"},
			{ID: "companyannual_revenue", Label: "Annual revenue", Type: Float, Expr: "co.companyannual_revenue"},
			{ID: "score", Label: "Score", Type: Int, Expr: "co.score"},
			{ID: "contacts", Label: "Contacts", Type: Int, Expr: "(SELECT count(*) FROM company_contacts cc WHERE cc.company_id = co.id AND cc.deleted = 0)"},
			{ID: "date_added", Label: "Date added", Type: DateTime, Expr: "co.date_added"},
		}, Defaults: []string{"companyname", "companycity", "companycountry", "contacts", "date_added"}}
	membership := Source{ID: "segment.membership", Label: "Segment membership",
		From:  "segment_members sm JOIN segments s ON s.id = sm.segment_id AND s.deleted = 0",
		Where: "sm.manually_removed = 0", DateColumn: "date_added",
		ContactJoin: "JOIN contacts c ON c.id = sm.contact_id AND c.deleted = 0", ContactFilters: true,
		Columns: append([]Column{
			{ID: "segment", Label: "Segment", Type: Text, Expr: "s.name"},
			{ID: "segment_id", Label: "Segment ID", Type: Text, Expr: "s.id"},
			{ID: "date_added", Label: "Date added", Type: DateTime, Expr: "sm.date_added"},
			{ID: "manually_added", Label: "Manually added", Type: Bool, Expr: "sm.manually_added"},
		}, contact...), Defaults: []string{"segment", "contact.email", "date_added"}}
	emailsSrc := Source{ID: "emails", Label: "Emails", From: "emails em",
		Where: "em.deleted = 0", DateColumn: "date_added", Columns: []Column{
			{ID: "id", Label: "ID", Type: Text, Expr: "em.id"},
			{ID: "name", Label: "Name", Type: Text, Expr: "em.name"},
			{ID: "subject", Label: "Subject", Type: Text, Expr: "em.subject"},
			{ID: "kind", Label: "Kind", Type: Text, Expr: "em.kind"},
			{ID: "category", Label: "Category", Type: Text, Expr: "em.category"},
			{ID: "language", Label: "Language", Type: Text, Expr: "em.language"},
			{ID: "published", Label: "Published", Type: Bool, Expr: "em.is_published"},
			{ID: "sent", Label: "Sent", Type: Int, Expr: "(SELECT coalesce(sum(n), 0) FROM email_counts ec WHERE ec.email_id = em.id AND ec.metric = 'sent')"},
			{ID: "read", Label: "Read", Type: Int, Expr: "(SELECT coalesce(sum(n), 0) FROM email_counts ec WHERE ec.email_id = em.id AND ec.metric = 'read')"},
			{ID: "date_added", Label: "Date added", Type: DateTime, Expr: "em.date_added"},
		}, Defaults: []string{"name", "subject", "sent", "read", "date_added"}}
	emailEvents := eventSource("email.events", "Email events", []events.Type{events.EmailSent, events.EmailRead, events.EmailClicked, events.EmailFailed},
		[]Column{
			objectName("email", "Email", "email.sent', 'email.read', 'email.clicked', 'email.failed"),
			{ID: "email_id", Label: "Email ID", Type: Text, Expr: "e.object_id"},
			{ID: "url", Label: "Clicked URL", Type: Text, Expr: "e.url"},
			{ID: "device_type", Label: "Device", Type: Text, Expr: "e.device_type"},
		}, contact)
	emailEvents.Defaults = []string{"at", "type", "email", "contact.email"}
	pageHits := eventSource("page.hits", "Page hits", []events.Type{events.PageHit}, hitColumns(), contact)
	pageHits.Defaults = []string{"at", "url", "title", "contact.email"}
	forms := eventSource("form.submissions", "Form submissions", []events.Type{events.FormSubmitted}, []Column{
		objectName("form", "Form", "form.submitted"),
		{ID: "form_id", Label: "Form ID", Type: Text, Expr: "e.object_id"},
		{ID: "url", Label: "Page URL", Type: Text, Expr: "e.url"},
	}, contact)
	forms.Defaults = []string{"at", "form", "contact.email"}
	assets := eventSource("asset.downloads", "Asset downloads", []events.Type{events.AssetDownloaded}, []Column{
		objectName("asset", "Asset", "asset.downloaded"),
		{ID: "asset_id", Label: "Asset ID", Type: Text, Expr: "e.object_id"},
		{ID: "referrer", Label: "Referrer", Type: Text, Expr: "e.referrer"},
	}, contact)
	assets.Defaults = []string{"at", "asset", "contact.email"}
	points := eventSource("points.log", "Points log", []events.Type{events.PointsChanged}, []Column{
		{ID: "reason", Label: "Reason", Type: Text, Expr: "e.object_name"},
		{ID: "delta", Label: "Points change", Type: Int, Expr: "json_extract(e.data, '$.delta')"},
		{ID: "points", Label: "Points after", Type: Int, Expr: "json_extract(e.data, '$.points')"},
		{ID: "source", Label: "Source", Type: Text, Expr: "e.source"},
	}, contact)
	points.Defaults = []string{"at", "reason", "delta", "contact.email"}
	stagesSrc := eventSource("stage.log", "Stage log", []events.Type{events.StageChanged}, []Column{
		{ID: "stage", Label: "Stage", Type: Text, Expr: "e.object_name"},
		{ID: "stage_id", Label: "Stage ID", Type: Text, Expr: "e.object_id"},
		{ID: "from", Label: "Previous stage", Type: Text, Expr: "json_extract(e.data, '$.fromName')"},
		{ID: "weight", Label: "Weight", Type: Int, Expr: "json_extract(e.data, '$.weight')"},
		{ID: "source", Label: "Source", Type: Text, Expr: "e.source"},
	}, contact)
	stagesSrc.Defaults = []string{"at", "stage", "from", "contact.email"}
	campaignSrc := eventSource("campaign.events", "Campaign events", []events.Type{events.CampaignEvent}, []Column{
		{ID: "campaign_id", Label: "Campaign ID", Type: Text, Expr: "e.object_id"},
		{ID: "step", Label: "Campaign › step", Type: Text, Expr: "e.object_name"},
		{ID: "event_type", Label: "Step type", Type: Text, Expr: "json_extract(e.data, '$.type')"},
		{ID: "path", Label: "Path", Type: Text, Expr: "json_extract(e.data, '$.path')"},
		{ID: "status", Label: "Status", Type: Text, Expr: "json_extract(e.data, '$.status')"},
	}, contact)
	campaignSrc.Defaults = []string{"at", "step", "status", "contact.email"}
	// Campaign steps live in campaign_log (view campaign_events, migration 0053), not in the
	// behaviour log; rows of that type still in events (imported history) are kept.
	campaignSrc.From = `(SELECT at, type, contact_id, object_id, object_name, data FROM events WHERE type = 'campaign.event'
		UNION ALL SELECT at, type, contact_id, object_id, object_name, data FROM campaign_events) e`
	all := []Source{contactsSrc, companiesSrc, membership, emailsSrc, emailEvents, pageHits, forms, assets, points, stagesSrc, campaignSrc}
	all = append(all, comingSources()...)
	for i := range all {
		all[i].LabelFR = frLabels[all[i].Label]
		for j := range all[i].Columns {
			if c := &all[i].Columns[j]; c.LabelFR == "" {
				c.LabelFR = frLabels[c.Label]
			}
		}
	}
	return all, nil
}

// Localize names src and its columns in lang (en or fr; a label without a French name
// stays English).
func Localize(src Source, lang string) Source {
	if !isFrench(lang) {
		return src
	}
	if src.LabelFR != "" {
		src.Label = src.LabelFR
	}
	cols := make([]Column, len(src.Columns))
	for i, c := range src.Columns {
		if c.LabelFR != "" {
			c.Label = c.LabelFR
		}
		cols[i] = c
	}
	src.Columns = cols
	return src
}

func isFrench(lang string) bool { return strings.HasPrefix(strings.ToLower(lang), "fr") }

// frLabels are the French names of the sources' and columns' English labels.
var frLabels = map[string]string{
	// Sources.
	"Contacts": "Contacts", "Companies": "Entreprises", "Segment membership": "Appartenance aux segments",
	"Emails": "E-mails", "Email events": "Événements d'e-mail", "Page hits": "Visites de pages",
	"Form submissions": "Soumissions de formulaires", "Asset downloads": "Téléchargements de ressources",
	"Points log": "Historique des points", "Stage log": "Historique des étapes", "Campaign events": "Événements de campagne",
	"Video hits": "Vues de vidéos", "Audit log": "Journal d'audit",
	// Columns.
	"ID": "ID", "Date added": "Date d'ajout", "Last active": "Dernière activité", "Points": "Points", "Stage": "Étape",
	"Date": "Date", "Event": "Événement", "Contact ID": "ID du contact", "URL": "URL", "Page title": "Titre de la page",
	"Referrer": "Référent", "Device": "Appareil", "OS": "Système", "Browser": "Navigateur", "UTM source": "UTM source",
	"UTM medium": "UTM support", "UTM campaign": "UTM campagne", "Name": "Nom", "Email": "E-mail", "City": "Ville",
	"Country": "Pays", "Industry": "Secteur", "Employees": "Employés", "Annual revenue": "Chiffre d'affaires annuel",
	"Score": "Score", "Segment": "Segment", "Segment ID": "ID du segment", "Manually added": "Ajouté à la main",
	"Subject": "Objet", "Kind": "Type", "Category": "Catégorie", "Language": "Langue", "Published": "Publié",
	"Sent": "Envoyés", "Read": "Lus", "Email ID": "ID de l'e-mail", "Clicked URL": "URL cliquée", "Form": "Formulaire",
	"Form ID": "ID du formulaire", "Page URL": "URL de la page", "Asset": "Ressource", "Asset ID": "ID de la ressource",
	"Reason": "Raison", "Points change": "Variation de points", "Points after": "Points après", "Source": "Source",
	"Stage ID": "ID de l'étape", "Previous stage": "Étape précédente", "Weight": "Poids", "Campaign ID": "ID de la campagne",
	"Campaign › step": "Campagne › étape", "Step type": "Type d'étape", "Path": "Chemin", "Status": "Statut",
}

// comingSources are Mautic's sources whose Magpie feature is not built yet: the builder
// lists them, disabled, so users know they are planned.
func comingSources() []Source {
	out := []Source{}
	for _, s := range []struct{ id, label string }{
		{"video.hits", "Video hits"},
		{"audit.log", "Audit log"},
	} {
		out = append(out, Source{ID: s.id, Label: s.label, Coming: true})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
