package contacts_test

import (
	"slices"
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/internal/testenv"
)

// TestEmailLookupPlans: every exact email look-up reads the contacts_email index (migration
// 0088 dropped contacts_email_lookup) — the shapes of contacts' emailFree and ByEmail,
// imports' merge look-up, eventimport's contactFor and tracking's findByIdentifiers.
func TestEmailLookupPlans(t *testing.T) {
	d, _ := testenv.NewDB(t)
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'contacts_email_lookup'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("contacts_email_lookup still there (%d, %v)", n, err)
	}
	for _, tc := range []struct {
		from, q string
		args    []any
	}{
		{"contacts emailFree", "SELECT id FROM contacts WHERE " + contacts.EmailEq + " AND deleted = 0 AND id <> ? LIMIT 1", []any{"a@x.fr", "a@x.fr", "c1"}},
		{"contacts ByEmail", "SELECT id FROM contacts WHERE " + contacts.EmailEq + " AND deleted = 0 ORDER BY date_added DESC LIMIT 1", []any{"a@x.fr", "a@x.fr"}},
		{"imports lookup", "SELECT id, email FROM contacts WHERE deleted = 0 AND " + contacts.EmailIn(3) + " ORDER BY date_added DESC, id DESC", []any{"a@x.fr", "b@x.fr", "c@x.fr"}},
		{"eventimport contactFor", "SELECT id FROM contacts WHERE " + contacts.EmailEq + " AND deleted = 0 LIMIT 1", []any{"a@x.fr", "a@x.fr"}},
		{"tracking findByIdentifiers", "SELECT id FROM contacts WHERE deleted = 0 AND id != ? AND (" + contacts.EmailEq + ") ORDER BY date_added DESC, id DESC LIMIT 1", []any{"c1", "a@x.fr", "a@x.fr"}},
	} {
		p := testenv.QueryPlan(t, d.R.Query, tc.q, tc.args...)
		if !strings.Contains(p, "SEARCH contacts USING INDEX contacts_email (") {
			t.Errorf("%s: plan %q does not search contacts_email", tc.from, p)
		}
	}
}

// TestEmailEqSameRows: EmailEq and EmailIn find exactly the live contacts that email = ?
// finds under the column's NOCASE collation (ASCII letters fold, accented ones do not; an
// empty value matches no contact without an email).
func TestEmailEqSameRows(t *testing.T) {
	d, _ := testenv.NewDB(t)
	stored := []struct {
		id      string
		email   any
		deleted int
	}{
		{"c1", "Anna.Meyer@Example.com", 0},
		{"c2", "anna.meyer@example.com", 0},
		{"c3", "josé@x.fr", 0},
		{"c4", "JOSÉ@X.FR", 0},
		{"c5", nil, 0},
		{"c6", "anna.meyer@example.com", 1},
		{"c7", "", 0},
		{"c8", " anna.meyer@example.com", 0},
	}
	for _, s := range stored {
		if _, err := d.W.Exec(`INSERT INTO contacts(id, email, deleted, date_added, date_modified) VALUES (?, ?, ?, 0, 0)`, s.id, s.email, s.deleted); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(q string, args ...any) []string {
		t.Helper()
		out, err := db.Strings(d.R.Query(q, args...))
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	for _, v := range []string{"anna.meyer@example.com", "ANNA.MEYER@EXAMPLE.COM", "josé@x.fr", "JOSé@x.fr", "JOSÉ@x.fr", "", " anna.meyer@example.com", "nobody@x.fr"} {
		want := ids(`SELECT id FROM contacts NOT INDEXED WHERE email = ? AND deleted = 0`, v)
		if got := ids(`SELECT id FROM contacts WHERE `+contacts.EmailEq+` AND deleted = 0`, v, v); !slices.Equal(got, want) {
			t.Errorf("EmailEq(%q) = %v, want %v", v, got, want)
		}
		if v == "" {
			continue // EmailIn takes no empty value
		}
		if got := ids(`SELECT id FROM contacts WHERE deleted = 0 AND `+contacts.EmailIn(2), v, "nobody@y.fr"); !slices.Equal(got, want) {
			t.Errorf("EmailIn(%q) = %v, want %v", v, got, want)
		}
	}
}
