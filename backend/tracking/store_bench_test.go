package tracking

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"magpie/backend/ids"
	"magpie/backend/internal/testenv"
)

// BenchmarkPumpStore: the pump's work per stored hit into the local SQLite store — decoding
// 500 spooled records and storing them in one transaction (multi-row INSERTs), as put does.
// One op = one batch; hit/op figures are reported per hit.
func BenchmarkPumpStore(b *testing.B) {
	d, _ := testenv.NewDB(b)
	st := &SQLiteStore{DB: d}
	const batch = 500
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	recs := make([]Record, batch)
	mk := func() {
		for i := range recs {
			h := Hit{ID: ids.New(), Kind: KindPage, At: time.Now().UnixMilli(), Device: ids.New(),
				URL: fmt.Sprintf("https://www.example.com/pricing/%d?utm_source=news", i%50), Title: "Pricing — Example",
				Referrer: "https://www.google.com/", Lang: "fr-FR", UA: ua, IP: "203.0.113.0",
				Data: map[string]string{"utm_source": "news", "utm_medium": "email", "utm_campaign": "dec"}}
			recs[i].Data = appendHit(nil, &h)
		}
	}
	var hits []Hit
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		mk() // new ids each batch: every row is inserted, as under load
		b.StartTimer()
		hits = decodeRecords(hits[:0], recs, slog.Default()) // as put does, into the previous batch
		if err := st.StoreHits(context.Background(), hits); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/hit")
}
