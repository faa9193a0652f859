package forms

import (
	"errors"
	"fmt"
	"strings"

	"magpie/backend/companies"
	"magpie/backend/db"
	"magpie/backend/fields"
)

// applyCompany writes the submitted company.<alias> values as Mautic's
// IdentifyCompanyHelper does: the company is found by its name (case and accent-insensitive)
// or created, linked to the contact as the primary company, and its fields take the
// submitted values. The name comes from a field mapped to company.companyname or, failing
// that, to contact.company; without a name the company values are not written (noted on the
// result). A value that does not fit the company field (a bad email, a number with letters)
// is skipped and noted; the others are written.
func (r *actionRun) applyCompany() error {
	vals := map[string]string{}
	name := ""
	for _, fd := range r.form.Fields {
		v := strings.TrimSpace(r.vals[fd.Alias])
		if v == "" {
			continue
		}
		if a := fd.Company(); a != "" {
			vals[a] = v
			if a == "companyname" {
				name = v
			}
		} else if fd.Contact() == "company" && name == "" {
			name = v
		}
	}
	if len(vals) == 0 && name == "" {
		return nil
	}
	if name == "" {
		r.soft("company fields were not saved: the form has no company name value")
		return nil
	}
	delete(vals, "companyname")
	id, _, err := companies.FindOrCreateTx(r.tx, name)
	if err != nil {
		return err
	}
	if err := r.ops.LinkCompany(r.ev.ContactID, id, true); err != nil {
		return err
	}
	if len(vals) == 0 {
		return nil
	}
	defs, err := fields.ListTx(r.tx, fields.Company)
	if err != nil {
		return err
	}
	byAlias := make(map[string]fields.Field, len(defs))
	for _, f := range defs {
		byAlias[f.Alias] = f
	}
	cols := db.Cols{}
	for _, alias := range sortedKeys(vals) {
		f, ok := byAlias[alias]
		if !ok {
			r.soft("company field %q does not exist (or is in the trash)", alias)
			continue
		}
		v, err := f.Parse(vals[alias], fields.ParseOptions{})
		var ve *fields.ValueError
		if errors.As(err, &ve) {
			r.soft("company field %q: %s", alias, ve.Msg)
			continue
		}
		if err != nil {
			return fmt.Errorf("company field %q: %w", alias, err)
		}
		cols[alias] = v
	}
	if len(cols) == 0 {
		return nil
	}
	cols["date_modified"] = r.tx.NowMs()
	_, err = r.tx.Update("companies", id, cols)
	return err
}
