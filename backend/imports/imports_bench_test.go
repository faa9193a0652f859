package imports_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"magpie/backend/core"
	"magpie/backend/imports"
	"magpie/backend/seed"
)

// writeCSV writes n contact rows with accented names, ; delimiters and 10 typed columns.
func writeCSV(tb testing.TB, dir string, n int) string {
	tb.Helper()
	p := filepath.Join(dir, fmt.Sprintf("bench-%d.csv", n))
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	first := []string{"Zoé", "Jürgen", "José", "Anaïs", "Olivia", "Björn", "María", "Théo"}
	last := []string{"Müller", "García", "Lefèvre", "Smith", "Côté", "Schäfer", "Muñoz", "Dubois"}
	cities := []string{"Paris", "München", "Sevilla", "Lyon", "Québec"}
	countries := []string{"France", "Germany", "Spain", "Canada", "Belgium"}
	fmt.Fprintln(w, "E-mail;Prénom;Nom;Ville;Pays;Téléphone;Points;Fonction;Société;Code postal")
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "user%d@example.com;%s;%s;%s;%s;+33 1 %08d;%d;Manager;%s;%05d\n", i, first[i%8], last[i%7],
			cities[i%5], countries[i%5], i, i%100, "", i%100000)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return p
}

// BenchmarkImport imports b.N new contacts from one CSV into an empty store.
func BenchmarkImport(b *testing.B) {
	e := newEnv(&testing.T{})
	p := writeCSV(b, b.TempDir(), b.N)
	ctx := context.Background()
	r, err := e.svc.Create(ctx, p, imports.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if err := e.svc.Run(ctx, r.ID, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkImportCore is BenchmarkImport through core.Open (sync recorder and every commit
// hook installed), as the CLI and the app run it.
func BenchmarkImportCore(b *testing.B) {
	c, err := core.Open(context.Background(), b.TempDir(), core.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	p := writeCSV(b, b.TempDir(), b.N)
	ctx := context.Background()
	r, err := c.Imports.Create(ctx, p, imports.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if err := c.Imports.Run(ctx, r.ID, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkImportFile imports the CSV named by IMPORT_BENCH_CSV (e.g. the 21-column export
// of a seeded store, as tests/bench/contacts.sh makes it) into a fresh store made by
// core.Open with the seed's custom fields, once; skipped without the variable. With
// IMPORT_BENCH_DIR it imports into the store of that data directory instead (a copy of the
// 1M store tests/bench/targets.sh's import step leaves: it is written to), and with
// IMPORT_BENCH_UPDATE=1 it merges rows into existing contacts (--update-existing). Profile:
// IMPORT_BENCH_CSV=all.csv go test -run '^$' -bench ImportFile -benchtime 1x -cpuprofile cpu.prof
func BenchmarkImportFile(b *testing.B) {
	p := os.Getenv("IMPORT_BENCH_CSV")
	if p == "" {
		b.Skip("IMPORT_BENCH_CSV not set")
	}
	dir, fresh := os.Getenv("IMPORT_BENCH_DIR"), false
	if dir == "" {
		dir, fresh = b.TempDir(), true
	}
	c, err := core.Open(context.Background(), dir, core.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if fresh {
		if _, err := seed.Run(ctx, c.Contacts, seed.Options{}, nil); err != nil {
			b.Fatal(err)
		}
	}
	var opt imports.Options
	if v := os.Getenv("IMPORT_BENCH_BATCH"); v != "" {
		opt.BatchSize, _ = strconv.Atoi(v) // rows per transaction (default 5,000)
	}
	opt.UpdateExisting = os.Getenv("IMPORT_BENCH_UPDATE") == "1"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := c.Imports.Create(ctx, p, opt)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Imports.Run(ctx, r.ID, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportFresh is BenchmarkImportFile through RunFresh: the import into the empty
// store runs in a side file (db.OpenScratch), as the CLI's does; the install is not timed.
func BenchmarkImportFresh(b *testing.B) {
	p := os.Getenv("IMPORT_BENCH_CSV")
	if p == "" {
		b.Skip("IMPORT_BENCH_CSV not set")
	}
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c, err := core.Open(ctx, b.TempDir(), core.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := seed.Run(ctx, c.Contacts, seed.Options{}, nil); err != nil {
			b.Fatal(err)
		}
		r, err := c.Imports.Create(ctx, p, imports.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		side, err := c.Imports.RunFresh(ctx, r.ID, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if side == "" {
			b.Fatal("the import did not run in a side file")
		}
		os.Remove(side)
		c.Close()
	}
}
