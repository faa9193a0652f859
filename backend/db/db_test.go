package db_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/internal/testenv"
)

func TestOpen_BadFiles(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notdb.db")
	os.WriteFile(notDB, []byte(strings.Repeat("this is a text file, not sqlite\n", 200)), 0o600)
	roDir := filepath.Join(dir, "ro")
	os.MkdirAll(roDir, 0o700)
	roDB := filepath.Join(roDir, "ro.db")
	d, err := db.Open(roDB, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	os.Chmod(roDB, 0o400)
	os.Chmod(roDir, 0o500)
	// A store whose directory stays writable and whose WAL files exist: SQLite opens the
	// file read-only without an error, only a write attempt reveals it.
	walDir := filepath.Join(dir, "wal")
	os.MkdirAll(walDir, 0o700)
	walDB := filepath.Join(walDir, "w.db")
	wd, err := db.Open(walDB, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keep, err := db.Open(walDB, db.Options{}) // a second open keeps the -wal/-shm files
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	wd.Close()
	for _, f := range []string{walDB, walDB + "-wal", walDB + "-shm"} {
		os.Chmod(f, 0o444)
	}
	t.Cleanup(func() {
		for _, f := range []string{walDB, walDB + "-wal", walDB + "-shm"} {
			os.Chmod(f, 0o644)
		}
	})
	t.Cleanup(func() { os.Chmod(roDir, 0o700) })
	scenarios := []struct {
		name string
		path string
		code apperr.Code
		want string
	}{
		{"not sqlite", notDB, apperr.Invalid, "not a Magpie database"},
		{"directory", dir, apperr.Invalid, "is a directory"},
		{"missing parent", filepath.Join(dir, "nope", "x.db"), apperr.Unavailable, "cannot open"},
	}
	if os.Geteuid() != 0 { // root ignores file permissions
		scenarios = append(scenarios, struct {
			name string
			path string
			code apperr.Code
			want string
		}{"read-only", roDB, apperr.Forbidden, "read-only"}, struct {
			name string
			path string
			code apperr.Code
			want string
		}{"read-only file, writable folder", walDB, apperr.Forbidden, "read-only"})
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			d, err := db.Open(s.path, db.Options{})
			if err == nil {
				d.Close()
				t.Fatal("opened")
			}
			if apperr.CodeOf(err) != s.code || !strings.Contains(err.Error(), s.want) {
				t.Fatalf("err = %v (code %s), want %s containing %q", err, apperr.CodeOf(err), s.code, s.want)
			}
		})
	}
	// The text file is untouched.
	b, _ := os.ReadFile(notDB)
	if !strings.HasPrefix(string(b), "this is a text file") {
		t.Fatal("a failed open modified the file")
	}
}

func TestWrite_RollbackAndRecorder(t *testing.T) {
	d, err := db.OpenDir(t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var recorded []db.Change
	d.SetRecorder(recorderFunc(func(tx *db.Tx, ch db.Change) error { recorded = append(recorded, ch); return nil }))
	var hooked int
	d.OnCommit(func(c db.Commit) { hooked += len(c.Changes) })
	ctx := context.Background()
	boom := apperr.Invalidf("x", nil, "boom")
	err = d.Write(ctx, func(tx *db.Tx) error {
		if err := tx.Insert("users", "u1", db.Cols{"name": "Ann", "date_added": 1}); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatal(err)
	}
	var n int
	d.R.QueryRow("SELECT count(*) FROM users").Scan(&n)
	if n != 0 || hooked != 0 {
		t.Fatalf("rolled back write is visible (rows %d, hooks %d)", n, hooked)
	}
	err = d.Write(ctx, func(tx *db.Tx) error {
		if err := tx.Insert("users", "u1", db.Cols{"name": "Ann", "date_added": 1}); err != nil {
			return err
		}
		_, err := tx.Delete("users", "u1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if hooked != 2 || len(recorded) != 3 || recorded[2].Op != db.OpDelete {
		t.Fatalf("hooks %d, recorded %+v", hooked, recorded)
	}
}

// Trash answers the caller's "missing" error for an unknown row and otherwise moves the row
// to the trash and back, recording a delete and a restore.
func TestTrash(t *testing.T) {
	d, err := db.OpenDir(t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var ops []db.Op
	d.SetRecorder(recorderFunc(func(tx *db.Tx, ch db.Change) error { ops = append(ops, ch.Op); return nil }))
	ctx := context.Background()
	if err := d.Write(ctx, func(tx *db.Tx) error {
		return tx.Insert("users", "u1", db.Cols{"name": "Ann", "date_added": 1})
	}); err != nil {
		t.Fatal(err)
	}
	missing := apperr.NotFoundf("x", nil, "no user")
	deleted := func() (n int) {
		d.R.QueryRow("SELECT deleted FROM users WHERE id = 'u1'").Scan(&n)
		return n
	}
	for _, c := range []struct {
		id      string
		del     bool
		want    error
		deleted int
	}{
		{"nope", true, missing, 0},
		{"u1", true, nil, 1},
		{"u1", false, nil, 0},
		{"nope", false, missing, 0},
	} {
		if err := d.Trash(ctx, "users", c.id, c.del, missing); err != c.want || deleted() != c.deleted {
			t.Fatalf("Trash(%s, %v) = %v, deleted %d; want %v, %d", c.id, c.del, err, deleted(), c.want, c.deleted)
		}
	}
	if len(ops) != 3 || ops[1] != db.OpDelete || ops[2] != db.OpRestore {
		t.Fatalf("recorded %v", ops)
	}
}

type recorderFunc func(*db.Tx, db.Change) error

func (f recorderFunc) Record(tx *db.Tx, ch db.Change) error { return f(tx, ch) }

func init() { db.Declare(db.Table{Name: "users", Synced: true}) }

// A write whose context ends mid-transaction reports the cancellation, not the side effect
// database/sql leaves behind (its background rollback closes the transaction's statements,
// so the running one fails with "sql: statement is closed"), and stores nothing.
func TestWriteCanceledReportsCancel(t *testing.T) {
	d, _ := testenv.NewDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := d.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec("CREATE TABLE cancel_probe(x)"); err != nil {
			return err
		}
		cancel()
		return errors.New("sql: statement is closed")
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var n int
	if err := d.R.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'cancel_probe'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("table survived a canceled write: %d %v", n, err)
	}
}

// The writer checkpoints the WAL every ~80 MB — 20,000 pages of 4 KiB, 5,000 of 16 KiB —
// (batch writers rewrite hot pages).
func TestWriterCheckpointsLessOften(t *testing.T) {
	d, _ := testenv.NewDB(t)
	var n, ps int
	if err := d.W.QueryRow("PRAGMA page_size").Scan(&ps); err != nil {
		t.Fatal(err)
	}
	if err := d.W.QueryRow("PRAGMA wal_autocheckpoint").Scan(&n); err != nil || n != 20000*4096/ps {
		t.Fatalf("wal_autocheckpoint = %d, %v; want %d pages of %d bytes", n, err, 20000*4096/ps, ps)
	}
}

// Read connections map the file (a commit elsewhere no longer means copying every page
// again); the writer keeps plain reads. Every pooled reader gets it, not just the first.
func TestReadConnectionsAreMemoryMapped(t *testing.T) {
	d, _ := testenv.NewDB(t)
	ctx := context.Background()
	// Only the mapped pool M maps the file; R and the writer read into their page caches
	// (mapped pages count in RSS, once per connection).
	for _, tc := range []struct {
		name   string
		pool   *sql.DB
		mapped bool
	}{{"M", d.M, true}, {"R", d.R, false}} {
		var conns []*sql.Conn
		for i := 0; i < 2; i++ {
			c, err := tc.pool.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for i, c := range conns {
			var n, qo int64
			if err := c.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if err := c.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != 1 {
				t.Errorf("%s reader %d: query_only = %d, %v", tc.name, i, qo, err)
			}
			if tc.mapped && (n <= 0 || n > db.ReadMmapSize) {
				t.Errorf("%s reader %d: mmap_size = %d, want > 0 (at most %d)", tc.name, i, n, int64(db.ReadMmapSize))
			}
			if !tc.mapped && n != 0 {
				t.Errorf("%s reader %d: mmap_size = %d, want 0", tc.name, i, n)
			}
			c.Close()
		}
	}
	var w int64
	if err := d.W.QueryRow("PRAGMA mmap_size").Scan(&w); err != nil || w != 0 {
		t.Fatalf("writer mmap_size = %d, %v; want 0", w, err)
	}
}
