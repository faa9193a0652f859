package imports_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/imports"
)

// Company columns (Mautic's company fields in a contact import): the company is found by
// name, case and accent-insensitive, or created; its fields are written with the contact
// merge rules; it becomes the contact's primary company.
func TestCompanyColumns(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.cs.Create(ctx, contacts.Input{Values: map[string]string{"email": "old@x.io", "company": "Élan SARL"}}, "test"); err != nil {
		t.Fatal(err)
	}
	var elanID string
	if err := e.d.R.QueryRow("SELECT id FROM companies WHERE companyname = 'Élan SARL'").Scan(&elanID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.R.Exec("SELECT 1"); err != nil {
		t.Fatal(err)
	}
	path := e.file(t, "c.csv", "email;Company Name;Company City;Company Website;Employees\n"+
		"zoe@x.io;Acme SA;Lyon;https://acme.example;12\n"+
		"ann@x.io;ACME sa;;;15\n"+ // same company: blank city keeps Lyon, employees updated
		"old@x.io;elan sarl;Nîmes;;NULL\n"+ // existing company, found accent-insensitively
		"bob@x.io;;Paris;;\n"+ // company fields without a name: no company
		"bad@x.io;Bad Co;;not a url;\n")
	a, err := e.svc.Analyze(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"email", "company:companyname", "company:companycity", "company:companywebsite", ""}
	if strings.Join(a.Mapping, ",") != strings.Join(want, ",") {
		t.Fatalf("auto mapping %q, want %q", a.Mapping, want)
	}
	mapping := append([]string(nil), want...)
	mapping[4] = "company:companynumber_of_employees"
	r := e.run(t, path, imports.Options{Mapping: mapping, UpdateExisting: true})
	if r.Inserted != 3 || r.Updated != 1 || r.Failed != 1 {
		t.Fatalf("counts ins=%d upd=%d failed=%d ign=%d", r.Inserted, r.Updated, r.Failed, r.Ignored)
	}
	type company struct {
		city, website sql.NullString
		employees     sql.NullFloat64
		n             int
	}
	get := func(name string) (string, company) {
		var id string
		var c company
		err := e.d.R.QueryRow(`SELECT id, companycity, companywebsite, companynumber_of_employees,
			(SELECT count(*) FROM company_contacts cc WHERE cc.company_id = companies.id AND cc.deleted = 0 AND cc.is_primary = 1)
			FROM companies WHERE name_key = lower(?) AND deleted = 0`, name).Scan(&id, &c.city, &c.website, &c.employees, &c.n)
		if err != nil {
			t.Fatalf("company %s: %v", name, err)
		}
		return id, c
	}
	_, acme := get("acme sa")
	if acme.city.String != "Lyon" || acme.website.String != "https://acme.example" || acme.employees.Float64 != 15 || acme.n != 2 {
		t.Errorf("Acme = %+v, want Lyon, https://acme.example, 15 employees, 2 primary contacts", acme)
	}
	id, elan := get("elan sarl")
	if id != elanID || elan.city.String != "Nîmes" || elan.employees.Valid || elan.n != 1 {
		t.Errorf("Élan = %s %+v, want the existing company %s in Nîmes", id, elan, elanID)
	}
	var companiesN int
	e.d.R.QueryRow("SELECT count(*) FROM companies WHERE deleted = 0").Scan(&companiesN)
	if companiesN != 2 {
		t.Errorf("%d companies, want 2 (Acme, Élan; none for a row without a name or a rejected row)", companiesN)
	}
	z := e.byEmail(t, "zoe@x.io")
	if z.Str("company") != "Acme SA" || len(z.Companies) != 1 || !z.Companies[0].Primary {
		t.Errorf("zoe company %q %+v", z.Str("company"), z.Companies)
	}
	if b := e.byEmail(t, "bob@x.io"); len(b.Companies) != 0 {
		t.Errorf("bob got companies %+v", b.Companies)
	}
	rej, err := e.svc.Rejected(ctx, r.ID, 0, 10)
	if err != nil || len(rej) != 1 || rej[0].Line != 6 || !strings.Contains(rej[0].Reason, "Company Website") {
		t.Fatalf("rejected %+v %v", rej, err)
	}
}

func TestCompanyTargetUnknown(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Create(context.Background(), e.file(t, "u.csv", "email,x\na@x.io,1\n"), imports.Options{Mapping: []string{"email", "company:shoe"}})
	if err == nil || !strings.Contains(err.Error(), `"company:shoe"`) {
		t.Fatalf("err %v", err)
	}
}

// A company named in several batches is created once and every contact links to it
// (companies are remembered across batches).
func TestCompanyAcrossBatches(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("email;company\n")
	names := []string{"Acme SA", "acme sa", "Élan", "ELAN", "Acme SA"}
	for i := 0; i < 50; i++ {
		b.WriteString("c" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@x.io;" + names[i%len(names)] + "\n")
	}
	r := e.run(t, e.file(t, "c.csv", b.String()), imports.Options{BatchSize: 7})
	if r.Inserted != 50 {
		t.Fatalf("inserted %d, want 50", r.Inserted)
	}
	var companies, links, orphans int
	if err := e.d.R.QueryRowContext(ctx, "SELECT count(*) FROM companies WHERE deleted = 0").Scan(&companies); err != nil {
		t.Fatal(err)
	}
	if err := e.d.R.QueryRowContext(ctx, `SELECT count(*), sum(co.id IS NULL) FROM company_contacts cc
		LEFT JOIN companies co ON co.id = cc.company_id WHERE cc.deleted = 0 AND cc.is_primary = 1`).Scan(&links, &orphans); err != nil {
		t.Fatal(err)
	}
	if companies != 2 || links != 50 || orphans != 0 {
		t.Fatalf("companies %d links %d orphans %d, want 2, 50, 0", companies, links, orphans)
	}
}
