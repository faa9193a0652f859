package db

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSmallCommit: one transaction per row (what a form submit, a contact edit or one
// tracker batch of a few hits costs) on stores created with each page size: a row with
// three indexes into a table of 200k rows, fsync per commit as in the app (WAL,
// synchronous=NORMAL: the WAL is synced at checkpoints only). Reports the WAL bytes each
// commit appends. MAGPIE_BENCH_SIZES="4096 16384" picks the sizes.
func BenchmarkSmallCommit(b *testing.B) {
	sizes := []int{4096, 8192, 16384}
	if s := os.Getenv("MAGPIE_BENCH_SIZES"); s != "" {
		sizes = nil
		for _, f := range splitFields(s) {
			var n int
			fmt.Sscan(f, &n)
			sizes = append(sizes, n)
		}
	}
	for _, ps := range sizes {
		b.Run(fmt.Sprint(ps), func(b *testing.B) {
			ctx := context.Background()
			path := filepath.Join(b.TempDir(), FileName)
			d, err := Open(path, Options{PageSize: ps})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			err = d.Write(ctx, func(tx *Tx) error {
				for _, q := range []string{
					"CREATE TABLE small(id INTEGER PRIMARY KEY, k TEXT, at INTEGER, v TEXT)",
					"CREATE INDEX small_k ON small(k)", "CREATE INDEX small_at ON small(at)", "CREATE INDEX small_v ON small(v)",
					`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 200000)
					 INSERT INTO small(k, at, v) SELECT printf('%08x', i * 2654435761 % 4294967296), i, printf('value %d', i) FROM s`,
				} {
					if _, err := tx.Exec(q); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := d.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				err := d.Write(ctx, func(tx *Tx) error {
					_, err := tx.Exec("INSERT INTO small(k, at, v) VALUES(printf('%08x', ?1 * 2654435761 % 4294967296), ?1, 'new')", 300000+i)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			// WAL bytes per commit, over 50 more commits after an emptied WAL.
			if _, err := d.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < 50; i++ {
				err := d.Write(ctx, func(tx *Tx) error {
					_, err := tx.Exec("INSERT INTO small(k, at, v) VALUES(printf('%08x', ?1 * 2654435761 % 4294967296), ?1, 'new')", 900000+i)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(fileSize(path+"-wal"))/50, "WAL-B/commit")
		})
	}
}

func splitFields(s string) []string {
	var out []string
	f := ""
	for _, r := range s + " " {
		if r == ' ' || r == ',' {
			if f != "" {
				out = append(out, f)
			}
			f = ""
			continue
		}
		f += string(r)
	}
	return out
}
