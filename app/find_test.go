package app

import (
	"testing"
)

// The palette finds named objects of every kind by a part of their name, case-insensitive,
// names that start with the text first; the trash is left out and % or _ are plain text.
// The trash screen lists the trashed ones.
func TestFindNamedObjects(t *testing.T) {
	sh := newShell(t, "")
	exec(t, sh,
		`INSERT INTO segments(id, name, alias, filters, date_added, date_modified) VALUES('s1', 'Spring buyers', 'a', '[]', 0, 0), ('s2', 'Old spring list', 'b', '[]', 0, 0)`,
		`INSERT INTO segments(id, name, alias, filters, date_added, date_modified, deleted, deleted_at) VALUES('s3', 'Spring (trashed)', 'c', '[]', 0, 0, 1, 5000)`,
		`INSERT INTO campaigns(id, name, date_added, date_modified, deleted, deleted_at) VALUES('c2', 'Gone', 0, 0, 1, 9000)`,
		`INSERT INTO campaigns(id, name, date_added, date_modified) VALUES('c1', 'Spring welcome', 0, 0)`,
		`INSERT INTO reports(id, name, source, definition, date_added, date_modified) VALUES('r1', 'Promo -50% spring', 'contacts', '{}', 0, 0)`,
		`INSERT INTO companies(id, companyname, date_added, date_modified) VALUES('co1', 'Springfield Nuclear', 0, 0), ('co2', 'Acme', 0, 0)`,
	)
	sys := &System{sh}
	got := func(q string) string {
		hits, err := sys.Find(q, 5)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, h := range hits {
			s += h.Kind + ":" + h.Name + ";"
		}
		return s
	}
	for q, want := range map[string]string{
		"SPRING": "segments:Spring buyers;segments:Old spring list;campaigns:Spring welcome;reports:Promo -50% spring;companies:Springfield Nuclear;",
		"50%":    "reports:Promo -50% spring;",
		"%":      "",
		"a_m":    "",
		"acm":    "companies:Acme;",
	} {
		if g := got(q); g != want {
			t.Errorf("Find(%q) = %s, want %s", q, g, want)
		}
	}
	// The trash lists them, the last deleted first.
	trashed, err := sys.Trashed(10)
	if err != nil {
		t.Fatal(err)
	}
	if len(trashed) != 2 || trashed[0].ID != "c2" || trashed[0].Kind != "campaigns" || trashed[1].ID != "s3" || trashed[1].DeletedAt == "" {
		t.Errorf("trashed %+v", trashed)
	}
}
