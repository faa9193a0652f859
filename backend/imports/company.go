package imports

import (
	"strings"

	"magpie/backend/companies"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/fold"
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

// findCompanies finds or creates in one go the companies that a batch's new contacts name
// in their "company" field and known (fold.String(name) → id, shared with contacts.Ops)
// lacks, so CreateMany links them without a look-up per name (a store without companies
// made ~19k one-by-one look-ups and inserts per 200k rows).
func findCompanies(tx *db.Tx, pending []contacts.NewContact, known map[string]string) error {
	var names, keys []string
	seen := map[string]bool{}
	for _, c := range pending {
		name, _ := c.Vals["company"].(string)
		if strings.TrimSpace(name) == "" {
			continue // (CreateMany reports it)
		}
		k := fold.String(name)
		if _, ok := known[k]; ok || seen[k] {
			continue
		}
		seen[k] = true
		names, keys = append(names, name), append(keys, k)
	}
	if len(names) == 0 {
		return nil
	}
	list, err := companies.FindOrCreateManyTx(tx, names)
	if err != nil {
		return err
	}
	for i, k := range keys {
		known[k] = list[i]
	}
	return nil
}
