package db

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A new store gets the requested (or default, or MAGPIE_PAGE_SIZE) page size; an existing
// store keeps its own whatever is asked; a bad size is refused with the value named.
func TestNewStorePageSize(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		env       string
		opt       int
		want      int
		wantError bool
	}{
		{"default", "", 0, DefaultPageSize, false},
		{"option", "", 16384, 16384, false},
		{"env", "8192", 0, 8192, false},
		{"option beats env", "8192", 16384, 16384, false},
		{"bad option", "", 5000, 0, true},
		{"bad env", "abc", 0, 0, true},
		{"env too big", "131072", 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(PageSizeEnv, tc.env)
			d, err := OpenDir(t.TempDir(), Options{PageSize: tc.opt})
			if tc.wantError {
				if err == nil {
					d.Close()
					t.Fatal("opened, want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			got, err := d.PageSize(ctx)
			if err != nil || got != tc.want {
				t.Fatalf("page size %d (%v), want %d", got, err, tc.want)
			}
			var mode string
			if err := d.W.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
				t.Fatalf("journal mode %q (%v), want wal", mode, err)
			}
			// The automatic checkpoint keeps ~80 MB of WAL whatever the page size.
			var ckpt int
			if err := d.W.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&ckpt); err != nil || ckpt != 20000*4096/tc.want {
				t.Fatalf("wal_autocheckpoint %d (%v), want %d pages", ckpt, err, 20000*4096/tc.want)
			}
		})
	}
}

// A store made with 4 KiB pages (every store before the layout decision) opens, migrates
// and keeps 4 KiB pages whatever the default or the environment asks for new stores.
func TestOldStoreKeepsPageSize(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	// An "old" store: created by plain SQLite defaults, WAL, a first migration only.
	raw, err := sql.Open(DriverName, dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
		ms[0].SQL,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Exec("INSERT INTO schema_migrations VALUES(?, ?, 0)", ms[0].Version, ms[0].Name); err != nil {
		t.Fatal(err)
	}
	var ps int
	if err := raw.QueryRow("PRAGMA page_size").Scan(&ps); err != nil || ps != 4096 {
		t.Fatalf("old store page size %d (%v)", ps, err)
	}
	raw.Close()
	t.Setenv(PageSizeEnv, "not a size") // read only when a store is created
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got, err := d.PageSize(ctx); err != nil || got != 4096 {
		t.Fatalf("page size %d (%v), want the store's 4096", got, err)
	}
	var n int
	if err := d.R.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(ms) {
		t.Fatalf("%d migrations applied (%v), want %d", n, err, len(ms))
	}
}

// Closing the store leaves no WAL behind (the writer closes last and checkpoints it), so
// the next Open neither recovers a big WAL nor reads pages from it.
func TestCloseRemovesWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetMeta(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Meta(ctx, "k"); err != nil { // a reader connection is open too
		t.Fatal(err)
	}
	if n := fileSize(path + "-wal"); n == 0 {
		t.Fatal("no WAL while open: the test proves nothing")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Fatalf("WAL left after Close (%d bytes)", fileSize(path+"-wal"))
	}
}

// A WAL grown by one big transaction is cut back to WALSizeLimit once it has been copied
// back and a later transaction starts it over, instead of holding that disk until Close.
func TestWALCutBackAfterBigTransaction(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var ps int
	if err := d.R.QueryRowContext(ctx, "PRAGMA page_size").Scan(&ps); err != nil {
		t.Fatal(err)
	}
	limit := WALSizeLimit(ps)
	blob := strings.Repeat("x", 1<<20)
	if err := d.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("CREATE TABLE big(v TEXT)"); err != nil {
			return err
		}
		for written := int64(0); written < limit+limit/2; written += int64(len(blob)) {
			if _, err := tx.Exec("INSERT INTO big(v) VALUES(?)", blob); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := fileSize(path + "-wal"); n <= limit {
		t.Fatalf("WAL of %d bytes after the big transaction, limit %d: the test proves nothing", n, limit)
	}
	if _, err := d.W.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		t.Fatal(err)
	}
	if err := d.SetMeta(ctx, "k", "v"); err != nil { // restarts the WAL
		t.Fatal(err)
	}
	if n := fileSize(path + "-wal"); n > limit {
		t.Fatalf("WAL of %d bytes after it restarted, limit %d", n, limit)
	}
}
