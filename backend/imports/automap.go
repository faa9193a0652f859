package imports

import (
	"strings"

	"magpie/backend/fields"
	"magpie/backend/fold"
)

// Special mapping targets besides field aliases.
const (
	TargetTags   = "tags"   // tag names separated by | or ,
	TargetPoints = "points" // points of new contacts only (as Mautic)
)

// Target is something a column can be mapped to.
type Target struct {
	Value   string `json:"value"` // a field alias, "tags" or "points"
	Label   string `json:"label"`
	LabelFR string `json:"labelFr"`
	Type    string `json:"type"`
	Group   string `json:"group"`
}

// Targets lists the mapping targets for contacts: every editable contact field, points and
// tags.
func Targets(fs []fields.Field) []Target {
	out := make([]Target, 0, len(fs)+1)
	for _, f := range fs {
		if f.System && f.Alias != TargetPoints {
			continue
		}
		out = append(out, Target{Value: f.Alias, Label: f.Label, LabelFR: f.LabelFR, Type: string(f.Type), Group: f.Group})
	}
	out = append(out, Target{Value: TargetTags, Label: "Tags", LabelFR: "Tags", Type: "tags", Group: "core"})
	return out
}

// synonyms are common header spellings (English and French) of core fields, by alias.
var synonyms = map[string][]string{
	"email":            {"e-mail", "mail", "email address", "e-mail address", "courriel", "adresse e-mail", "adresse email", "adresse mail", "adresse electronique"},
	"firstname":        {"first name", "first", "given name", "forename", "prenom"},
	"lastname":         {"last name", "last", "surname", "family name", "name", "nom", "nom de famille"},
	"company":          {"company", "company name", "organisation", "organization", "societe", "entreprise", "employer", "organisme"},
	"position":         {"job title", "title job", "role", "poste", "fonction", "metier"},
	"title":            {"salutation", "civilite", "honorific"},
	"phone":            {"telephone", "tel", "phone number", "numero de telephone", "tel fixe"},
	"mobile":           {"mobile phone", "cell", "cell phone", "cellphone", "portable", "telephone portable", "tel mobile", "gsm"},
	"address1":         {"address", "street", "address line 1", "adresse", "rue", "adresse 1"},
	"address2":         {"address line 2", "adresse 2", "complement d adresse"},
	"city":             {"town", "ville", "commune", "localite"},
	"state":            {"region", "province", "county", "departement", "etat"},
	"zipcode":          {"zip", "postcode", "postal code", "post code", "code postal", "cp"},
	"country":          {"pays", "nation"},
	"website":          {"web site", "url", "site", "site internet", "site web", "homepage"},
	"preferred_locale": {"locale", "language", "langue"},
	"timezone":         {"time zone", "tz", "fuseau horaire"},
	TargetPoints:       {"score", "points", "lead score"},
	TargetTags:         {"tag", "tags", "etiquette", "etiquettes", "labels", "mots cles"},
}

// normHeader folds a header for matching: lower case, no accents, words separated by one
// space ("E-Mail_Address" -> "e mail address").
func normHeader(s string) string {
	s = fold.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// AutoMap suggests a target for each column: exact alias, then English or French label,
// then known synonyms. A target is used at most once (the first column wins).
func AutoMap(columns []string, targets []Target) []string {
	index := map[string]string{}
	add := func(key, value string) {
		k := normHeader(key)
		if k == "" {
			return
		}
		if _, taken := index[k]; !taken {
			index[k] = value
		}
		// Also without spaces: "firstname" matches "First Name".
		k2 := strings.ReplaceAll(k, " ", "")
		if _, taken := index[k2]; !taken {
			index[k2] = value
		}
	}
	valid := map[string]bool{}
	for _, t := range targets {
		valid[t.Value] = true
		add(t.Value, t.Value)
		if alias, ok := strings.CutPrefix(t.Value, CompanyPrefix); ok {
			// Company fields share labels with contact fields ("City"): match them by alias
			// ("companycity", "Company City") or a label naming the company.
			add(alias, t.Value)
			add("company "+t.Label, t.Value)
			if t.LabelFR != "" {
				add(t.LabelFR+" de la societe", t.Value)
				add(t.LabelFR+" entreprise", t.Value)
			}
		}
	}
	for _, t := range targets {
		add(t.Label, t.Value)
		if t.LabelFR != "" {
			add(t.LabelFR, t.Value)
		}
	}
	for alias, words := range synonyms {
		if !valid[alias] {
			continue
		}
		for _, w := range words {
			add(w, alias)
		}
	}
	out := make([]string, len(columns))
	used := map[string]bool{}
	for i, c := range columns {
		k := normHeader(c)
		v, ok := index[k]
		if !ok {
			v, ok = index[strings.ReplaceAll(k, " ", "")]
		}
		if ok && !used[v] {
			out[i] = v
			used[v] = true
		}
	}
	return out
}
