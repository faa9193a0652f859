package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"magpie/backend/apperr"
)

// fillStore makes a store at path with rows in two tables and free pages (a deleted half).
func fillStore(t *testing.T, path string, pageSize int) {
	t.Helper()
	d, err := Open(path, Options{PageSize: pageSize})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	err = d.Write(ctx, func(tx *Tx) error {
		for _, q := range []string{
			"CREATE TABLE pack_a(id INTEGER PRIMARY KEY, name TEXT, blob BLOB)",
			"CREATE INDEX pack_a_name ON pack_a(name)",
			"CREATE TABLE pack_b(k TEXT PRIMARY KEY, v REAL) WITHOUT ROWID",
			`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 6000)
			 INSERT INTO pack_a SELECT i, printf('name %d', i * 7919 % 6000), zeroblob(200 + i % 300) FROM s`,
			`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)
			 INSERT INTO pack_b SELECT printf('k%05d', i * 31 % 3000), i / 7.0 FROM s`,
			"DELETE FROM pack_a WHERE id % 2 = 0",
		} {
			if _, err := tx.Exec(q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// digest is a checksum of every row of the test tables and the count of every table.
func digest(t *testing.T, path string) string {
	t.Helper()
	c, err := sql.Open(DriverName, "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	counts, err := tableCounts(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	fmt.Fprint(h, len(counts))
	for _, q := range []string{
		"SELECT id || ':' || name || ':' || hex(blob) FROM pack_a ORDER BY id",
		"SELECT k || ':' || v FROM pack_b ORDER BY k",
		"SELECT k || ':' || v FROM meta WHERE k <> 'store.compacted_at' ORDER BY k",
		"SELECT version || name FROM schema_migrations ORDER BY version",
	} {
		rows, err := Strings(c.QueryContext(ctx, q))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(h, len(rows), strings.Join(rows, "\n"))
	}
	return fmt.Sprint(counts["pack_a"], "/", counts["pack_b"], "/", len(counts), " ", hex.EncodeToString(h.Sum(nil))[:16])
}

func pageSizeOf(t *testing.T, path string) int {
	t.Helper()
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	n, err := d.PageSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := d.W.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q (%v) after compact, want wal", mode, err)
	}
	return n
}

// Compact keeps every row (counts and a checksum), drops the free pages, changes the page
// size when asked, and the store opens again in WAL mode.
func TestCompact(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name         string
		from, to     int
		wantPageSize int
	}{
		{"pack, keep 4 KiB", 4096, 0, 4096},
		{"4 KiB to 16 KiB", 4096, 16384, 16384},
		{"16 KiB to 8 KiB", 16384, 8192, 8192},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			fillStore(t, path, tc.from)
			before := digest(t, path)
			var calls int
			res, err := Compact(ctx, path, CompactOptions{PageSize: tc.to, Progress: func(done, total int64) { calls++ }})
			if err != nil {
				t.Fatal(err)
			}
			if after := digest(t, path); after != before {
				t.Fatalf("rows changed: %s, want %s", after, before)
			}
			if res.PageSizeBefore != tc.from || res.PageSizeAfter != tc.wantPageSize || res.Rows < 4500 {
				t.Fatalf("result %+v", res)
			}
			if tc.wantPageSize <= tc.from && res.BytesAfter >= res.BytesBefore { // half the rows were deleted
				t.Errorf("not smaller: %d bytes before, %d after", res.BytesBefore, res.BytesAfter)
			}
			if got := pageSizeOf(t, path); got != tc.wantPageSize {
				t.Fatalf("page size %d, want %d", got, tc.wantPageSize)
			}
			for _, leftover := range []string{path + CompactSuffix, path + "-journal"} {
				if _, err := os.Stat(leftover); err == nil {
					t.Errorf("%s left behind", leftover)
				}
			}
		})
	}
}

// Compact is refused while the store is open elsewhere (here: another handle of this
// process, which SQLite locks like another process), and a bad page size is refused.
func TestCompactRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	fillStore(t, path, 4096)
	before := digest(t, path)
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Meta(ctx, "x"); err != nil { // a read connection stays open and idle
		t.Fatal(err)
	}
	_, err = Compact(ctx, path, CompactOptions{})
	if e, ok := apperr.As(err); !ok || e.Key != "errors.dbInUse" {
		t.Fatalf("compact while open: %v, want errors.dbInUse", err)
	}
	d.Close()
	if _, err := Compact(ctx, path, CompactOptions{PageSize: 3000}); err == nil {
		t.Fatal("page size 3000 accepted")
	}
	if after := digest(t, path); after != before {
		t.Fatalf("rows changed: %s, want %s", after, before)
	}
	if got := pageSizeOf(t, path); got != 4096 {
		t.Fatalf("page size %d", got)
	}
}

// A canceled compact leaves the store as it was.
func TestCompactCanceled(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	fillStore(t, path, 4096)
	before := digest(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Compact(ctx, path, CompactOptions{PageSize: 16384}); err == nil {
		t.Fatal("canceled compact succeeded")
	}
	if after := digest(t, path); after != before {
		t.Fatalf("rows changed: %s, want %s", after, before)
	}
	if got := pageSizeOf(t, path); got != 4096 {
		t.Fatalf("page size %d", got)
	}
}

// An Open that starts while a compact holds the store waits for it and then works on the
// packed file, not on the old one the rename unlinked: what it writes is kept.
func TestOpenDuringCompact(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	fillStore(t, path, 4096)
	opened := make(chan *DB, 1)
	t.Cleanup(func() { compactHook = nil })
	compactHook = func(s string) {
		if s != "synced" {
			return
		}
		go func() {
			d, err := Open(path, Options{})
			if err != nil {
				t.Error(err)
			}
			opened <- d
		}()
		time.Sleep(300 * time.Millisecond) // the Open has its file and waits for the lock
	}
	if _, err := Compact(ctx, path, CompactOptions{PageSize: 8192}); err != nil {
		t.Fatal(err)
	}
	compactHook = nil
	d := <-opened
	if d == nil {
		t.FailNow()
	}
	if err := d.SetMeta(ctx, "written.after", "yes"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if v, err := d2.Meta(ctx, "written.after"); err != nil || v != "yes" {
		t.Fatalf("write after the compact lost: %q (%v)", v, err)
	}
	if ps, _ := d2.PageSize(ctx); ps != 8192 {
		t.Fatalf("page size %d", ps)
	}
}
