package contacts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
)

// layout0092 puts the sort indexes back as they were before migration 0093: (key, id
// [, deleted]), the 36-byte id in every entry.
const layout0092 = `
DROP INDEX contacts_date_added; CREATE INDEX contacts_date_added ON contacts(date_added, id) WHERE deleted = 0;
DROP INDEX contacts_date_modified; CREATE INDEX contacts_date_modified ON contacts(date_modified, id) WHERE deleted = 0;
DROP INDEX contacts_points; CREATE INDEX contacts_points ON contacts(points, id) WHERE deleted = 0;
DROP INDEX contacts_last_active; CREATE INDEX contacts_last_active ON contacts(coalesce(last_active, 0), id, deleted) WHERE deleted = 0;
DROP INDEX contacts_email; CREATE INDEX contacts_email ON contacts(lower(coalesce(email, '')), id, deleted) WHERE deleted = 0;
DROP INDEX contacts_firstname; CREATE INDEX contacts_firstname ON contacts(coalesce(firstname_key, ''), id, deleted) WHERE deleted = 0;
DROP INDEX contacts_lastname; CREATE INDEX contacts_lastname ON contacts(coalesce(lastname_key, ''), id, deleted) WHERE deleted = 0;
DROP INDEX contacts_company; CREATE INDEX contacts_company ON contacts(lower(coalesce(company, '')), id, deleted) WHERE deleted = 0;
DROP INDEX contacts_city; CREATE INDEX contacts_city ON contacts(lower(coalesce(city, '')), id, deleted) WHERE deleted = 0;
DROP INDEX contacts_country; CREATE INDEX contacts_country ON contacts(lower(coalesce(country, '')), id, deleted) WHERE deleted = 0;
DROP INDEX contacts_trash_sort; CREATE INDEX contacts_trash_sort ON contacts(coalesce(deleted_at, 0), id, deleted) WHERE deleted = 1;
DROP INDEX companies_name; CREATE INDEX companies_name ON companies(coalesce(name_key, ''), id, deleted) WHERE deleted = 0;
DROP INDEX companies_date_added; CREATE INDEX companies_date_added ON companies(date_added, id) WHERE deleted = 0;
DELETE FROM schema_migrations WHERE version = 93;`

// Migration 0093 on a store at the old layout, with a stored sparse index of that layout:
// the indexes come out as a fresh store's, the stored anchors are gone, and every sort's
// pages (live and trash) equal a plain ORDER BY key, rowid walked from covering indexes.
func TestSortIndexesMigration(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	contacts.SetSparseStep(s, 23)
	d := s.DB()
	schema := func() string {
		t.Helper()
		list, err := db.Strings(d.R.Query(`SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index'
			AND tbl_name IN ('contacts', 'companies') AND sql IS NOT NULL ORDER BY name`))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(list, "\n")
	}
	fresh := schema()
	var rows []contacts.NewContact
	for i := 0; i < 250; i++ {
		vals := db.Cols{"firstname": []string{"Élodie", "Zoé", "", "Marc"}[i%4], "lastname": fmt.Sprintf("Nom%02d", (i*17)%31),
			"city": []string{"Paris", "lyon", "", "Zürich"}[i%4], "email": fmt.Sprintf("u%03d@example.com", (i*7)%250)}
		rows = append(rows, contacts.NewContact{Vals: vals, Points: int64(i % 5), At: testenv.Epoch.Add(time.Duration(i%9) * time.Minute)})
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").CreateMany([]string{"firstname", "lastname", "city", "email"}, rows, contacts.BulkOpts{})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.Exec("UPDATE contacts SET deleted = 1, deleted_at = rowid % 4 WHERE rowid % 6 = 0"); err != nil {
		t.Fatal(err)
	}
	m0093 := ""
	ms, err := db.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version == 93 {
			m0093 = m.SQL
		}
	}
	// On the writer's connection, outside the store's write path, as the migration runner does.
	for _, q := range []string{layout0092,
		`INSERT INTO listing_sparse(sig, gen, n, anchors) VALUES ('contacts|lower(coalesce(city, ''''))|false', 0, 200, '[[22,"paris","x"]]')`,
		m0093} {
		if _, err := d.W.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s…: %v", q, err)
		}
	}
	if got := schema(); got != fresh {
		t.Fatalf("indexes after the migration:\n%s\nwant:\n%s", got, fresh)
	}
	var stored int
	if err := d.R.QueryRow("SELECT count(*) FROM listing_sparse").Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("stored sparse indexes after the migration: %d (%v)", stored, err)
	}
	r := newServiceOn(t, d)
	contacts.SetSparseStep(r, 23)
	for sort, key := range contacts.Sorts {
		for _, trash := range []bool{false, true} {
			if trash {
				key = "coalesce(deleted_at, 0)"
			}
			for _, desc := range []bool{false, true} {
				dir := map[bool]string{false: "ASC", true: "DESC"}[desc]
				if trash {
					dir = "DESC" // the trash is listed newest deletion first
				}
				for off := 0; off < 260; off += 37 {
					got, err := r.List(ctx, contacts.Query{Sort: sort, Desc: desc, Deleted: trash, Offset: off, Limit: 13})
					if err != nil {
						t.Fatal(err)
					}
					ids, w := pageIDs(got), referencePage(t, d, trash, key, dir, 13, off)
					if strings.Join(ids, ",") != strings.Join(w, ",") {
						t.Fatalf("sort %s trash=%v desc=%v offset %d:\n got %v\nwant %v", sort, trash, desc, off, ids, w)
					}
				}
			}
		}
	}
	contacts.WaitAnchors(r)
}

// referencePage is a page of contacts in (key, rowid) order read without any index: what
// the grid's pages must be.
func referencePage(t *testing.T, d *db.DB, trash bool, key, dir string, limit, off int) []string {
	t.Helper()
	deleted := map[bool]int{false: 0, true: 1}[trash]
	w, err := db.Strings(d.R.Query(fmt.Sprintf("SELECT id FROM contacts NOT INDEXED WHERE deleted = %d ORDER BY %s %s, rowid %s LIMIT %d OFFSET ?",
		deleted, key, dir, dir, limit), off))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// pageIDs are the ids of a page's contacts.
func pageIDs(p contacts.Page) []string {
	ids := make([]string, len(p.Rows))
	for i, c := range p.Rows {
		ids[i] = c.ID
	}
	return ids
}

// newServiceOn is a contacts service on an existing store (a restart).
func newServiceOn(t *testing.T, d *db.DB) *contacts.Service {
	t.Helper()
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return contacts.New(d, fs)
}
