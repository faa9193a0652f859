package imports_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/imports"
)

// A big import into a store without contacts runs in one transaction in the store (the
// app's path): the same merge rules and rejections as batch by batch, the rows to look up
// held until the email index is built in that transaction (at the end, or once maxHeld
// rows wait), the contacts' insert triggers applied once, and the commit hooks told of one
// bulk write instead of every row.
func TestOneTransactionImport(t *testing.T) {
	for _, maxHeld := range []int{20000, 1} {
		t.Run(fmt.Sprint("maxHeld=", maxHeld), func(t *testing.T) {
			defer imports.SetMaxHeld(maxHeld)()
			testOneTransactionImport(t)
		})
	}
}

func testOneTransactionImport(t *testing.T) {
	e := newEnv(t)
	var commits []db.Commit
	e.d.OnCommit(func(c db.Commit) { commits = append(commits, c) })
	var gen0 int64
	if err := e.d.R.QueryRow("SELECT gen FROM contacts_order_gen WHERE k = '*'").Scan(&gen0); err != nil {
		t.Fatal(err)
	}
	defer imports.SetBulk(1, 2)() // every file is big; groups of 2 rows would show as commits
	content := "Courriel;Prénom;Ville;Société;Points;Tags\n" +
		"zoe@x.io;Zoé;Köln;Acme SA;10;vip|b2b\n" +
		"ann@x.io;Ann;Lyon;;5;\n" +
		"ZOE@x.io;;Berlin;;99;newsletter\n" +
		"bad@x.io;Bad;;;abc;\n" +
		"bob@x.io;Bob;;;;\n" +
		"ann@x.io;Anne;;;;vip\n"
	r := e.run(t, e.file(t, "one.csv", content), imports.Options{BatchSize: 2})
	if r.Status != imports.StatusDone || r.Inserted != 3 || r.Updated != 2 || r.Failed != 1 || r.Offset != int64(len(content)) {
		t.Fatalf("record %+v", r)
	}
	z, a := e.byEmail(t, "zoe@x.io"), e.byEmail(t, "ann@x.io")
	if z.Str("city") != "Berlin" || z.Points != 10 || strings.Join(z.Tags, ",") != "b2b,newsletter,vip" ||
		len(z.Companies) != 1 || z.Companies[0].Name != "Acme SA" {
		t.Fatalf("zoe = %v, points %d, tags %v, companies %v", z.Values, z.Points, z.Tags, z.Companies)
	}
	if a.Str("firstname") != "Anne" || strings.Join(a.Tags, ",") != "vip" {
		t.Fatalf("ann = %v, tags %v", a.Values, a.Tags)
	}
	var gen int64
	var days int
	if err := e.d.R.QueryRow("SELECT (SELECT gen FROM contacts_order_gen WHERE k = '*'), (SELECT count(*) FROM dash_cdirty)").Scan(&gen, &days); err != nil {
		t.Fatal(err)
	}
	if gen <= gen0 || days == 0 {
		t.Fatalf("insert triggers' effect: order generation %d → %d, %d days marked", gen0, gen, days)
	}
	var bulk *db.Commit
	for i, c := range commits {
		for _, ch := range c.Changes {
			if ch.Table == "contacts" {
				t.Fatalf("commit %d lists a contact change: %+v", i, ch)
			}
		}
		if c.InBulk("contacts") {
			if bulk != nil {
				t.Fatal("more than one bulk commit: the file was not written in one transaction")
			}
			bulk = &commits[i]
		}
	}
	if bulk == nil || !slices.Contains(bulk.Bulk, "contact_tags") || !slices.Contains(bulk.Bulk, "company_contacts") {
		t.Fatalf("no bulk commit naming contacts, tags and company links: %+v", commits)
	}
	var idx int
	if err := e.d.R.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'contacts_email'").Scan(&idx); err != nil || idx != 1 {
		t.Fatalf("the email index after the import: %d, %v", idx, err)
	}
}

// Contacts stored by another writer between the import's check of an empty store and its
// one transaction send it to the batches with look-ups: the file's row of that email merges
// into the stored contact instead of duplicating it.
func TestOneTransactionFallsBackWhenContactsAppear(t *testing.T) {
	e := newEnv(t)
	defer imports.SetBulk(1, 2)()
	defer imports.SetBeforeOneTransaction(func() {
		if _, err := e.cs.Create(context.Background(), contacts.Input{Values: map[string]string{"email": "bob@x.io", "firstname": "Bob"}}, "test"); err != nil {
			t.Error(err)
		}
	})()
	var commits []db.Commit
	e.d.OnCommit(func(c db.Commit) { commits = append(commits, c) })
	r := e.run(t, e.file(t, "race.csv", "email;city\nann@x.io;Lyon\nbob@x.io;Nîmes\nzoe@x.io;Köln\n"), imports.Options{BatchSize: 1, UpdateExisting: true})
	if r.Status != imports.StatusDone || r.Inserted != 2 || r.Updated != 1 {
		t.Fatalf("record %+v", r)
	}
	if b := e.byEmail(t, "bob@x.io"); b.Str("firstname") != "Bob" || b.Str("city") != "Nîmes" {
		t.Fatalf("bob = %v", b.Values)
	}
	var n, idx int
	if err := e.d.R.QueryRow("SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'contacts_email')").Scan(&n, &idx); err != nil || n != 3 || idx != 1 {
		t.Fatalf("%d contacts, email index %d, %v", n, idx, err)
	}
	groups := 0
	for _, c := range commits {
		if c.InBulk("contacts") {
			groups++
		}
	}
	if groups != 2 {
		t.Fatalf("%d commits of contacts, want 2 groups of 2 rows (1: the import still ran in one transaction)", groups)
	}
}

// A bulk import into a store that has contacts commits groups of rows, each announced as a
// bulk write.
func TestGroupsAnnouncedAsBulk(t *testing.T) {
	e := newEnv(t)
	if _, err := e.cs.Create(context.Background(), contacts.Input{Values: map[string]string{"email": "old@x.io"}}, "test"); err != nil {
		t.Fatal(err)
	}
	defer imports.SetBulk(1, 2)()
	var bulks int
	e.d.OnCommit(func(c db.Commit) {
		for _, ch := range c.Changes {
			if ch.Table == "contacts" {
				t.Errorf("a group lists a contact change: %+v", ch)
			}
		}
		if c.InBulk("contacts") {
			bulks++
		}
	})
	// (≥ 200 bytes a stored contact: big)
	content := "email;city;position\n"
	for _, e := range []string{"a", "old", "b", "c", "d", "f"} {
		content += e + "@x.io;Nîmes;Responsable des achats régionaux\n"
	}
	r := e.run(t, e.file(t, "groups.csv", content), imports.Options{BatchSize: 1, UpdateExisting: true})
	if r.Status != imports.StatusDone || r.Inserted != 5 || r.Updated != 1 || bulks != 3 {
		t.Fatalf("record %+v, %d bulk commits (want 3 groups of 2 rows)", r, bulks)
	}
}
