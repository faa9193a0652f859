package seed_test

import (
	"context"
	"testing"

	"magpie/backend/core"
	"magpie/backend/db"
	"magpie/backend/seed"
)

// BenchmarkSeedCore is BenchmarkSeed through core.Open, with every commit hook and the
// sync recorder installed, as the CLI runs it.
func BenchmarkSeedCore(b *testing.B) {
	c, err := core.Open(context.Background(), b.TempDir(), core.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ResetTimer()
	if _, err := seed.Run(context.Background(), c.Contacts, seed.Options{Contacts: b.N, Companies: -1, Events: -1, Seed: 1}, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
}

// BenchmarkSeedFresh is BenchmarkSeedCore into a fresh store: built in a side file
// (RunFresh), then installed, as the CLI does.
func BenchmarkSeedFresh(b *testing.B) {
	dir := b.TempDir()
	c, err := core.Open(context.Background(), dir, core.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	_, side, err := seed.RunFresh(context.Background(), c.Contacts, seed.Options{Contacts: b.N, Companies: -1, Events: -1, Seed: 1}, nil)
	path := c.DB.Path
	c.Close()
	if err != nil {
		b.Fatal(err)
	}
	if side != "" {
		if err := db.InstallFile(path, side); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
}
