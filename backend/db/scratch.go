package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"magpie/backend/clock"
)

// A scratch store is a private file a bulk load into a FRESH store is built in, then put in
// place of the store in one rename (InstallFile). Nothing in it needs to survive a crash —
// a crash or kill leaves the store as it was and the scratch file is thrown away — so it is
// written without a journal, without fsync and under an exclusive lock: no WAL writes, no
// checkpoints, no commit fsyncs (docs/BENCHMARKS.md § Contacts, "Seed into a side file").

// ErrInUse is returned by InstallFile (and reported by InUseElsewhere) when another process
// has the store open: replacing its file under it would leave it writing to a deleted file.
var ErrInUse = errors.New("db: the store is open in another program")

// ScratchPath is the side file of the store at path for this process.
func ScratchPath(path string) string { return path + ".build-" + strconv.Itoa(os.Getpid()) }

// CopyToScratch writes a copy of the store (schema, migrations applied, every row) to
// ScratchPath(d.Path) with VACUUM INTO and returns its path; values naming the store's file
// by its identity (team sync's "sync.site_file") name the copy's, as Compact's do; a file left there by an
// earlier run is removed first, and so are those of processes that no longer run.
func (d *DB) CopyToScratch(ctx context.Context) (string, error) {
	RemoveStaleScratch(d.Path)
	side := ScratchPath(d.Path)
	_ = os.Remove(side)
	if _, err := d.W.ExecContext(ctx, "VACUUM INTO ?", side); err != nil {
		_ = os.Remove(side)
		return "", fmt.Errorf("db: copy %s to %s: %w", d.Path, side, err)
	}
	// The copy is renamed over the store (InstallFile): it is the same store in a new file.
	if err := keepIdentity(ctx, side, FileIdentity(d.Path), FileIdentity(side)); err != nil {
		_ = os.Remove(side)
		return "", fmt.Errorf("db: copy %s to %s: %w", d.Path, side, err)
	}
	return side, nil
}

// RemoveStaleScratch deletes the scratch files of the store at path whose process is gone
// (a bulk load killed midway).
func RemoveStaleScratch(path string) {
	list, _ := filepath.Glob(path + ".build-*")
	for _, f := range list {
		pid, err := strconv.Atoi(strings.TrimPrefix(f, path+".build-"))
		if err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		_ = os.Remove(f)
	}
}

// OpenScratch opens a scratch copy made by CopyToScratch: one connection (W, and R and M
// are the same handle, so never read through R inside a write), journal off, no fsync,
// exclusive locking. Migrations are not run (the copy has them).
func OpenScratch(path string, clk clock.Clock) (*DB, error) {
	if clk == nil {
		clk = clock.System{}
	}
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_locking_mode", "EXCLUSIVE")
	q.Set("_journal_mode", "OFF")
	q.Set("_synchronous", "OFF")
	q.Set("_foreign_keys", "on")
	q.Set("_cache_size", fmt.Sprint(-WriterCacheMiB<<10))
	q.Set("_txlock", "immediate")
	w, err := sql.Open(DriverName, "file:"+uriPath.Replace(path)+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	d := &DB{W: w, R: w, M: w, Path: path, Clock: clk, scratch: true}
	var mode string
	if err := w.QueryRowContext(context.Background(), "PRAGMA journal_mode").Scan(&mode); err != nil {
		w.Close()
		return nil, openError(path, err)
	}
	if mode != "off" {
		w.Close()
		return nil, fmt.Errorf("db: scratch %s: journal mode %s, want off", path, mode)
	}
	if _, err := w.ExecContext(context.Background(), "PRAGMA temp_store = MEMORY"); err != nil {
		w.Close()
		return nil, openError(path, err)
	}
	d.raw = dbHandle(context.Background(), w)
	return d, nil
}

// Recorder returns the installed sync recorder (nil when none): a scratch store built for
// this store records its rows with the same one.
func (d *DB) Recorder() Recorder {
	d.recMu.RLock()
	defer d.recMu.RUnlock()
	return d.recorder
}

// CloseScratch closes a scratch store and flushes its file to disk (it was written without
// fsync), ready for InstallFile.
func (d *DB) CloseScratch() error {
	// Leave the file in WAL mode, as every store is (a read-only first opener could not
	// switch it); with the exclusive lock the WAL is checkpointed and removed at close.
	if d.raw != nil {
		d.raw.close()
	}
	if _, err := d.W.Exec("PRAGMA journal_mode = WAL"); err != nil {
		return err
	}
	if err := d.W.Close(); err != nil {
		return err
	}
	if d.syncing != nil {
		<-d.syncing
	}
	f, err := os.OpenFile(d.Path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// SyncAhead starts writing a scratch store's file to disk (an fsync of a descriptor of its
// own, on another goroutine) while the caller goes on with CPU-bound work — a bulk load's
// index rebuilds —, so that CloseScratch's fsync, which waits for it, only writes what came
// after: at the end of a 1M import that fsync wrote ≈ 2.3 GB in 1.7 s with both cores idle.
// No-op for other stores, and after the first call.
func (d *DB) SyncAhead() {
	if !d.scratch || d.syncing != nil {
		return
	}
	done := make(chan struct{})
	d.syncing = done
	go func() {
		defer close(done)
		if f, err := os.OpenFile(d.Path, os.O_RDWR, 0); err == nil {
			_ = f.Sync() // (CloseScratch's own fsync reports a failure)
			f.Close()
		}
	}()
}

// Scratch reports whether d is a scratch store (OpenScratch): nobody else reads it while
// it is built.
func (d *DB) Scratch() bool { return d.scratch }
