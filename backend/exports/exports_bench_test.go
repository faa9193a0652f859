package exports_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"magpie/backend/core"
	"magpie/backend/exports"
)

// BenchmarkExportXLSX exports every contact of EXPORT_BENCH_DIR (a seeded data dir) to
// XLSX, b.N times.
func BenchmarkExportXLSX(b *testing.B) {
	dir := os.Getenv("EXPORT_BENCH_DIR")
	if dir == "" {
		b.Skip("set EXPORT_BENCH_DIR to a seeded data dir")
	}
	c, err := core.Open(context.Background(), dir, core.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	out := filepath.Join(b.TempDir(), "x.xlsx")
	for i := 0; i < b.N; i++ {
		res, err := c.Exports.Write(context.Background(), exports.Request{Format: "xlsx", Path: out}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Rows), "rows")
	}
}
