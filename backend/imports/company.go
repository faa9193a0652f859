package imports

import (
	"strings"

	"magpie/backend/companies"
	"magpie/backend/db"
	"magpie/backend/fields"
)

// CompanyPrefix marks a mapping target that is a company field ("company:companycity"), as
// Mautic's contact import offers: the row's company is found by name (case and
// accent-insensitive) or created, its mapped fields are written (blank cells never
// overwrite, NULL clears) and it becomes the contact's primary company.
const CompanyPrefix = "company:"

// CompanyTargets lists the company fields a contact import can map columns to.
func CompanyTargets(fs []fields.Field) []Target {
	out := make([]Target, 0, len(fs))
	for _, f := range fs {
		if f.System {
			continue
		}
		out = append(out, Target{Value: CompanyPrefix + f.Alias, Label: f.Label, LabelFR: f.LabelFR, Type: string(f.Type), Group: "company"})
	}
	return out
}

// companyName is the name of a row's company: the company name column, else the contact's
// company column.
func (r row) companyName() string {
	if s, _ := r.company["companyname"].(string); strings.TrimSpace(s) != "" {
		return s
	}
	if s, _ := r.vals["company"].(string); strings.TrimSpace(s) != "" && len(r.company) > 0 {
		return s
	}
	return ""
}

// applyCompanyFields writes the company columns of a batch's rows to their companies (found
// or created by name; the contact rows already link them as primary through "company").
// Later rows of the same company win, as for contacts.
func applyCompanyFields(tx *db.Tx, rows []row) error {
	type upd struct {
		name string
		cols db.Cols
	}
	var order []string
	byKey := map[string]*upd{}
	for _, r := range rows {
		name := r.companyName()
		if name == "" {
			continue
		}
		k := strings.ToLower(strings.TrimSpace(name))
		u, ok := byKey[k]
		if !ok {
			u = &upd{name: name, cols: db.Cols{}}
			byKey[k] = u
			order = append(order, k)
		}
		for alias, v := range r.company {
			if alias != "companyname" {
				u.cols[alias] = v
			}
		}
	}
	for _, k := range order {
		u := byKey[k]
		id, _, err := companies.FindOrCreateTx(tx, u.name)
		if err != nil {
			return err
		}
		if len(u.cols) == 0 {
			continue
		}
		u.cols["date_modified"] = tx.NowMs()
		if _, err := tx.Update("companies", id, u.cols); err != nil {
			return err
		}
	}
	return nil
}
