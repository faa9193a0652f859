package tracking

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"magpie/backend/forms"
)

// Company-mapped form fields find or create the company by name, link it as the contact's
// primary company and write its fields (MAUTIC.md §2.4, IdentifyCompanyHelper).
func TestFormCompanyFields(t *testing.T) {
	ctx := context.Background()
	p := newFormPipeline(t, func(c *Config) { c.FormRatePerIP = -1 })
	f := p.saveForm(t, forms.Form{Name: "B2B", Fields: []forms.Field{
		{Alias: "email", Label: "Email", Type: forms.Email, MapTo: "contact.email", Required: true},
		{Alias: "org", Label: "Company", Type: forms.Text, MapTo: "company.companyname"},
		{Alias: "city", Label: "City", Type: forms.Text, MapTo: "company.companycity"},
		{Alias: "staff", Label: "Employees", Type: forms.Text, MapTo: "company.companynumber_of_employees"},
		{Alias: "site", Label: "Web", Type: forms.Text, MapTo: "company.companywebsite"},
	}})
	cases := []struct {
		name                string
		vals                map[string]string
		wantCompany         string // contact's primary company name ("" = none)
		wantCity, wantStaff string
		wantCompanies       int
		issue               string
	}{
		{"creates and links", map[string]string{"email": "ann@acme.test", "org": "Acmé Corp", "city": "Lyon", "staff": "120"},
			"Acmé Corp", "Lyon", "120", 1, ""},
		{"same name, other case and accents: same company, fields updated", map[string]string{"email": "bob@acme.test",
			"org": "ACME corp", "city": "Paris"}, "Acmé Corp", "Paris", "120", 1, ""},
		{"bad number skipped, the rest written", map[string]string{"email": "cy@beta.test", "org": "Beta", "city": "Nantes",
			"staff": "many"}, "Beta", "Nantes", "", 2, `company field "companynumber_of_employees"`},
		{"no name: nothing written, noted", map[string]string{"email": "dee@x.test", "city": "Brest"}, "", "", "", 2,
			"no company name"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := url.Values{"mauticform[formId]": {f.ID}}
			for k, v := range c.vals {
				body.Set("mauticform["+k+"]", v)
			}
			r := post("/form/submit", form(body), formCT)
			r.RemoteAddr = "203.0.113." + string(rune('1'+i)) + ":9"
			if w := p.do(r); w.Code != 200 {
				t.Fatalf("submit: %d %s", w.Code, w.Body)
			}
			p.flush(t)
			var contact, company string
			if err := p.d.R.QueryRow("SELECT id, coalesce(company, '') FROM contacts WHERE email = ? AND deleted = 0", c.vals["email"]).Scan(&contact, &company); err != nil {
				t.Fatal(err)
			}
			if company != c.wantCompany {
				t.Fatalf("contact company %q, want %q", company, c.wantCompany)
			}
			var n int
			p.d.R.QueryRow("SELECT count(*) FROM companies WHERE deleted = 0").Scan(&n)
			if n != c.wantCompanies {
				t.Fatalf("%d companies, want %d", n, c.wantCompanies)
			}
			if c.wantCompany != "" {
				var city, staff string
				err := p.d.R.QueryRow(`SELECT coalesce(co.companycity, ''), coalesce(CAST(co.companynumber_of_employees AS TEXT), '')
					FROM company_contacts cc JOIN companies co ON co.id = cc.company_id
					WHERE cc.contact_id = ? AND cc.is_primary = 1 AND cc.deleted = 0`, contact).Scan(&city, &staff)
				if err != nil {
					t.Fatal(err)
				}
				staff = strings.TrimSuffix(staff, ".0")
				if city != c.wantCity || staff != c.wantStaff {
					t.Fatalf("company city %q staff %q, want %q %q", city, staff, c.wantCity, c.wantStaff)
				}
			}
			res, err := p.forms.Results(ctx, f.ID, 0, 1)
			if err != nil || len(res.Rows) == 0 {
				t.Fatal(err, res)
			}
			issues := strings.Join(res.Rows[0].Issues, ";")
			if (c.issue == "") != (issues == "") || !strings.Contains(issues, c.issue) {
				t.Fatalf("issues %q, want %q", issues, c.issue)
			}
		})
	}
}
