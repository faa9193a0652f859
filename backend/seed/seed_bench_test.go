package seed_test

import (
	"context"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/seed"
)

// BenchmarkSeed creates b.N contacts (2 events each) in a fresh store.
func BenchmarkSeed(b *testing.B) {
	d, _ := testenv.NewDB(b)
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		b.Fatal(err)
	}
	cs := contacts.New(d, fs)
	b.ResetTimer()
	if _, err := seed.Run(context.Background(), cs, seed.Options{Contacts: b.N, Companies: -1, Events: -1, Seed: 1}, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
}
