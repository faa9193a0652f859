// Package db opens Magpie's SQLite store and owns its one write path.
//
// Invariants:
//   - one writer connection (W, MaxOpenConns 1) and a pool of read-only connections (R);
//   - every change to a synced table goes through Tx.Insert/Update/Delete/Restore, so the
//     sync layer can record it (Recorder) without touching feature code;
//   - the schema comes from numbered, embedded migrations applied in order, each in one
//     transaction; custom-field columns are added at run time by package fields.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	sqlite3 "github.com/mattn/go-sqlite3"

	"magpie/backend/apperr"
	"magpie/backend/clock"
)

// FileName is the database file inside a data dir.
const FileName = "magpie.db"

// DB is an open store.
type DB struct {
	W *sql.DB // the one writer
	R *sql.DB // read-only pool
	// M is a small read-only pool whose connections memory-map the file (ReadMmapSize):
	// for queries that scan much of the store again after every commit (segment counts and
	// previews). Everything else reads through R, whose pages do not count in RSS.
	M     *sql.DB
	Path  string
	Clock clock.Clock

	recMu    sync.RWMutex
	recorder Recorder
	hooks    []CommitHook

	bulkMu sync.Mutex // BulkCache: how many bulk loads hold the writer's big cache
	bulkN  int

	ckpt      checkpointer // BackgroundCheckpoints
	ckptPages int          // the writer's wal_autocheckpoint, ~80 MB in this store's pages

	commits atomic.Int64 // transactions committed by Write (Commits)

	scratch bool          // OpenScratch: no WAL, one connection
	syncing chan struct{} // SyncAhead's fsync, closed when done
	raw     *rawConn      // a scratch store's connection for bulk inserts (nil: database/sql)
}

// Options tune Open.
type Options struct {
	Clock clock.Clock // defaults to the system clock
	// ReadOnly opens without migrating or writing (inspection tools).
	ReadOnly bool
	// PageSize is the page size of a store created by this Open (0: MAGPIE_PAGE_SIZE, else
	// DefaultPageSize); an existing store keeps its own.
	PageSize int

	swaps int // reopened after a compact swapped the file
}

// OpenDir opens (creating if needed) the store inside dataDir.
func OpenDir(dataDir string, opt Options) (*DB, error) {
	if dataDir == "" {
		return nil, apperr.Invalidf("errors.dataDirEmpty", nil, "no data directory given")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, apperr.New(apperr.Unavailable, "errors.dataDirCreate",
			fmt.Sprintf("cannot create data directory %s: %v", dataDir, unwrapPathErr(err)),
			map[string]any{"path": dataDir})
	}
	return Open(filepath.Join(dataDir, FileName), opt)
}

// Open opens (creating if needed) the SQLite file at path and migrates it.
func Open(path string, opt Options) (*DB, error) {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, apperr.New(apperr.Invalid, "errors.dbIsDir",
			fmt.Sprintf("%s is a directory, not a database file", path), map[string]any{"path": path})
	}
	d := &DB{Path: path, Clock: opt.Clock}
	var err error
	if !opt.ReadOnly {
		if err := createIfNew(path, opt.PageSize); err != nil {
			return nil, err
		}
		d.W, err = sql.Open(DriverName, dsn(path, false))
		if err != nil {
			return nil, err
		}
		d.W.SetMaxOpenConns(1)
		d.W.SetMaxIdleConns(1)
		d.W.SetConnMaxLifetime(0)
	}
	d.R, err = sql.Open(DriverName, dsn(path, true))
	if err != nil {
		return nil, err
	}
	n := runtime.NumCPU() * 2
	if n < 4 {
		n = 4
	}
	d.R.SetMaxOpenConns(n)
	d.R.SetMaxIdleConns(n)
	if d.M, err = sql.Open(MappedDriverName, dsn(path, true)); err != nil {
		d.Close()
		return nil, err
	}
	d.M.SetMaxOpenConns(2)
	d.M.SetMaxIdleConns(2)
	var before os.FileInfo
	if !opt.ReadOnly {
		before, _ = os.Stat(path)
	}
	err = d.check(opt.ReadOnly)
	// `magpie db compact` renames a packed copy over the file while it holds the store's
	// lock; an Open that waited for that lock holds the old, unlinked file (SQLite then
	// refuses to write it: SQLITE_READONLY_DBMOVED): start again on the new one.
	if before != nil && opt.swaps < 3 {
		if now, serr := os.Stat(path); serr == nil && !os.SameFile(before, now) {
			d.Close()
			opt.swaps++
			return Open(path, opt)
		}
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	if !opt.ReadOnly {
		if err := d.migrate(context.Background()); err != nil {
			d.Close()
			return nil, openError(path, err)
		}
		// A bulk load killed midway left its indexes dropped: rebuild them now.
		if err := d.restoreOrphaned(context.Background()); err != nil {
			d.Close()
			return nil, openError(path, err)
		}
	}
	return d, nil
}

var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	// busy_timeout first, so every later pragma waits for a lock instead of failing.
	q.Set("_busy_timeout", "10000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_foreign_keys", "on")
	q.Set("_cache_size", fmt.Sprint(-WriterCacheMiB<<10)) // 64 MiB page cache per connection
	if readOnly {
		q.Set("mode", "ro")
		q.Set("_query_only", "true")
	} else {
		q.Set("_txlock", "immediate")
	}
	// A '?' or '#' in the path would end it inside the URI (a data dir named "a#1" opened
	// the file "a"): escape them, and '%' itself, as SQLite's URI filenames expect.
	return "file:" + uriPath.Replace(path) + "?" + q.Encode()
}

// check touches the file so that a locked, read-only, or non-SQLite file fails here with a
// clear message instead of deep inside a feature.
func (d *DB) check(readOnly bool) error {
	ctx := context.Background()
	conn := d.R
	if !readOnly {
		conn = d.W
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return openError(d.Path, err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		return openError(d.Path, err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return openError(d.Path, err)
	}
	if !readOnly {
		// A write probe: BEGIN IMMEDIATE takes the write lock, so a read-only file or a
		// database held by another writer fails now.
		if _, err := conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
			return openError(d.Path, err)
		}
		// On an existing store the statement above writes nothing (and SQLite silently opens
		// a file it may not write read-only): take the write lock explicitly.
		tx, err := conn.BeginTx(ctx, nil) // BEGIN IMMEDIATE (dsn _txlock)
		if err != nil {
			return openError(d.Path, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM meta WHERE k = '' AND k <> ''"); err != nil {
			tx.Rollback()
			return openError(d.Path, err)
		}
		if err := tx.Rollback(); err != nil {
			return openError(d.Path, err)
		}
		// Checkpoint the WAL every ~80 MB instead of SQLite's 4 MB: batch writers (campaign
		// runs, imports) rewrite the same hot pages commit after commit, and each automatic
		// checkpoint copies and fsyncs them again (campaign five-step benchmark: about
		// 30 % less CPU, docs/BENCHMARKS.md § Campaigns). In pages of this store's size.
		var ps int
		if err := conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&ps); err != nil {
			return openError(d.Path, err)
		}
		d.ckptPages = autoCheckpointPages(ps)
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", d.ckptPages)); err != nil {
			return openError(d.Path, err)
		}
		// SQLite reuses the WAL file from its start once a checkpoint has copied it all,
		// never shrinking it: one big transaction (an import of 1M rows into a store without
		// contacts writes ≈ 2 GB of frames) would keep that much disk until the app closes.
		// Past twice the checkpoint threshold the file is truncated when it restarts.
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA journal_size_limit = %d", WALSizeLimit(ps))); err != nil {
			return openError(d.Path, err)
		}
	}
	return nil
}

// openError turns SQLite's open failures into messages naming the file.
func openError(path string, err error) error {
	var se sqlite3.Error
	p := map[string]any{"path": path}
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB:
			return &apperr.Error{Code: apperr.Invalid, Key: "errors.dbNotSqlite", Params: p, Err: err,
				Msg: fmt.Sprintf("%s is not a Magpie database (not an SQLite file)", path)}
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return &apperr.Error{Code: apperr.Unavailable, Key: "errors.dbLocked", Params: p, Err: err,
				Msg: fmt.Sprintf("%s is locked by another program; close it and retry", path)}
		case sqlite3.ErrReadonly, sqlite3.ErrPerm:
			return &apperr.Error{Code: apperr.Forbidden, Key: "errors.dbReadOnly", Params: p, Err: err,
				Msg: fmt.Sprintf("%s is read-only; Magpie needs to write to it", path)}
		case sqlite3.ErrCantOpen:
			return &apperr.Error{Code: apperr.Unavailable, Key: "errors.dbCantOpen", Params: p, Err: err,
				Msg: fmt.Sprintf("cannot open %s (missing directory or no permission)", path)}
		case sqlite3.ErrCorrupt:
			return &apperr.Error{Code: apperr.Invalid, Key: "errors.dbCorrupt", Params: p, Err: err,
				Msg: fmt.Sprintf("%s is damaged (SQLite reports corruption)", path)}
		}
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	return &apperr.Error{Code: apperr.Unavailable, Key: "errors.dbOpen", Params: p, Err: err,
		Msg: fmt.Sprintf("cannot open %s: %v", path, err)}
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Close closes both handles.
func (d *DB) Close() error {
	if d.scratch {
		if d.raw != nil {
			d.raw.close()
		}
		return d.W.Close()
	}
	// The writer closes last: the last connection to close a WAL store checkpoints it and
	// deletes the WAL, which only a connection that may write can do. With the read-only
	// pools closing last the WAL stayed behind (200 MB–1 GB after a seed), and the next
	// Open read all of it back (recovery) and served pages from it until a checkpoint
	// (docs/BENCHMARKS.md "Store layout: page size and packing").
	var errs []error
	if d.M != nil {
		errs = append(errs, d.M.Close())
	}
	if d.R != nil {
		errs = append(errs, d.R.Close())
	}
	if d.W != nil {
		errs = append(errs, d.W.Close())
	}
	return errors.Join(errs...)
}

// Meta reads a local key (site id, cursors, settings); "" when unset.
func (d *DB) Meta(ctx context.Context, k string) (string, error) {
	var v string
	err := d.R.QueryRowContext(ctx, "SELECT v FROM meta WHERE k = ?", k).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta writes a local key.
func (d *DB) SetMeta(ctx context.Context, k, v string) error {
	return d.Write(ctx, func(tx *Tx) error { return tx.SetMeta(k, v) })
}

// Quote quotes an identifier. Identifiers only ever come from code or from the field
// registry (validated aliases), never from raw user input; quoting is belt and braces.
func Quote(ident string) string {
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}
