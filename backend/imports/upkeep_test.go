package imports_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"magpie/backend/core"
	"magpie/backend/imports"
)

// TestScatteredInPlace: an import into a store with contacts, big enough against them to
// defer the scattered indexes (company, first and last names) but not big, runs with them
// dropped and leaves the store the same import with every index live leaves — merged
// values (blank cells keep, NULL clears, points only for new contacts), tags, events, sync
// records, rejected lines and every index back.
func TestScatteredInPlace(t *testing.T) {
	dir := t.TempDir()
	base := writeCSV(t, dir, 3000)
	p := filepath.Join(dir, "into.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "E-mail;Prénom;Nom;Ville;Pays;Téléphone;Points;Fonction;Société;Code postal")
	for i := 2000; i < 4000; i++ {
		switch {
		case i%3 == 0 && i < 3000: // an existing contact: blank cells, a cleared city, other points
			fmt.Fprintf(w, "USER%d@example.com;Émile%d;;NULL;;;%d;;Société %d;\n", i, i%11, i%9, i%13)
		case i%101 == 0:
			fmt.Fprintf(w, "not-an-email-%d;Jürgen;Müller;Paris;France;;1;;;\n", i) // rejected
		default:
			fmt.Fprintf(w, "user%d@example.com;Zoé%d;Côté%d;Lyon;France;+33 1 %08d;%d;Dev;Acme %d;75001\n", i, i%17, i%19, i, i%5, i%29)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	run := func(t *testing.T) (state string, deferred bool) {
		ctx := context.Background()
		c, err := core.Open(ctx, t.TempDir(), core.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, file := range []string{base, p} {
			r, err := c.Imports.Create(ctx, file, imports.Options{UpdateExisting: true, BatchSize: 300})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Imports.Run(ctx, r.ID, func(imports.Record) {
				var n int
				if err := c.DB.R.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index'
					AND name IN ('contacts_company', 'contacts_firstname', 'contacts_lastname')`).Scan(&n); err != nil {
					t.Error(err)
				}
				deferred = deferred || file == p && n == 0
			})
			if err != nil {
				t.Fatal(err)
			}
			state = importState(t, c.DB, r.ID)
		}
		return state, deferred
	}
	want, deferred := run(t)
	if deferred {
		t.Fatal("a 2,000-row file into 3,000 contacts deferred indexes with the default bounds")
	}
	if !strings.Contains(want, "\ndone 990 993 0 17\n") {
		t.Fatalf("all live: %.300s", want[strings.Index(want, "\n")+1:])
	}
	restore := imports.SetScatter(0, 1<<20)
	defer restore()
	got, deferred := run(t)
	if !deferred {
		t.Fatal("the scattered indexes were not deferred")
	}
	sameState(t, got, want)
}
