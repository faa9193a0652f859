package imports_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"magpie/backend/imports"
)

// TestRunFreshHeld: duplicates spread through a big file — rows of an email met before,
// some met twice before, with blank cells (never overwrite), NULL cells (clear) and other
// points (only a new contact's count) — give the same store through a side file as in
// place, whether the held-back rows are applied at the file's end or the hold-back bound is
// passed early and the rest of the file goes through the email index then built.
func TestRunFreshHeld(t *testing.T) {
	p := filepath.Join(t.TempDir(), "dups.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "E-mail;Prénom;Nom;Ville;Pays;Téléphone;Points;Fonction;Société;Code postal")
	dups := 0
	for i := 0; i < 56000; i++ {
		switch {
		case i%97 == 50: // a duplicate of an earlier row, one of its cells cleared
			fmt.Fprintf(w, "USER%d@example.com;Dup%d;;NULL;;+49 %08d;%d;;;\n", i/2, i, i, i%7+1)
			dups++
		case i%389 == 200: // the second duplicate of an email (i/2 of the row above's kind)
			fmt.Fprintf(w, "user%d@example.com;Again%d;Last%d;;;;9;;;\n", (i-150)/2, i, i)
			dups++
		default:
			fmt.Fprintf(w, "user%d@example.com;First%d;Last%d;City%d;France;+33 1 %08d;%d;Manager;;%05d\n", i, i%8, i%7, i%5, i, i%100, i%100000)
		}
	}
	fmt.Fprintln(w, "not-an-email;Jürgen;Müller;Paris;France;;1;;;") // rejected
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	want, _ := runImport(t, p, false, nil)
	var ins, upd, ign, failed int
	counters := strings.Split(want, "\n")[2]
	if _, err := fmt.Sscanf(counters, "done %d %d %d %d", &ins, &upd, &ign, &failed); err != nil ||
		ins+upd != 56000 || upd < dups-10 || failed != 1 { // (a few "duplicates" name an email no row made)
		t.Fatalf("in place (%d duplicates): %q", dups, counters)
	}
	for _, bound := range []int{100000, 40} {
		t.Run(fmt.Sprint("bound ", bound), func(t *testing.T) {
			defer imports.SetMaxHeld(bound)()
			got, side := runImport(t, p, true, nil)
			if side == "" {
				t.Fatal("the import did not run in a side file")
			}
			sameState(t, got, want)
		})
	}
}
