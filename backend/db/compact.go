package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"magpie/backend/apperr"
)

// CompactOptions tune Compact.
type CompactOptions struct {
	// PageSize is the page size of the packed store (0: keep the store's).
	PageSize int
	// Progress, if set, is called about every 250 ms while copying with the bytes written
	// so far and the bytes expected (the store's used pages).
	Progress func(done, total int64)
}

// CompactResult describes a packed store.
type CompactResult struct {
	BytesBefore, BytesAfter       int64 // the file plus its WAL
	PageSizeBefore, PageSizeAfter int
	FreePagesBefore               int64
	Tables                        int
	Rows                          int64 // rows of every table, equal before and after
}

// compactHook, when set (tests), is called at each stage of Compact: "copying" (the copy
// has begun to grow), "copied", "verified", "synced", "renamed". A crash test kills the
// process there.
var compactHook func(stage string)

// progressEvery is how often the copy's progress is reported.
var progressEvery = 250 * time.Millisecond

// CompactSuffix names the packed copy while it is written, next to the store.
const CompactSuffix = ".compact"

// Compact packs the store at path — every table and index rewritten in order, free pages
// dropped — optionally with another page size, and swaps the packed copy in.
//
// It needs the store to itself: it takes SQLite's exclusive lock for its whole run, so it
// is refused (errors.dbInUse) while any other connection — the app, a tracker, a CLI
// command — has the store open, and nobody can open it meanwhile. Steps: leave WAL mode
// (the WAL is copied into the file and removed), VACUUM INTO path+".compact", check the
// copy (quick_check, page size, the row count of every table equal to the original's),
// fsync it, rename it over the store, fsync the directory. A crash or a cancel before the
// rename leaves the original untouched (the next Open returns it to WAL mode; the next
// Compact removes the partial copy); the rename itself is atomic. Opening the store again
// turns WAL mode back on.
func Compact(ctx context.Context, path string, opt CompactOptions) (CompactResult, error) {
	var res CompactResult
	fi, err := os.Stat(path)
	if err != nil {
		return res, openError(path, err)
	}
	if opt.PageSize != 0 && !ValidPageSize(opt.PageSize) {
		return res, apperr.Invalidf("errors.dbPageSize", map[string]any{"pageSize": opt.PageSize},
			"page size %d: want a power of two from 512 to 65536", opt.PageSize)
	}
	res.BytesBefore = fi.Size() + fileSize(path+"-wal")
	tmp := path + CompactSuffix
	if err := removeIfExists(tmp); err != nil {
		return res, err
	}
	removeIfExists(tmp + "-journal")

	x, err := sql.Open(DriverName, "file:"+uriPath.Replace(path)+"?_busy_timeout=1000&_locking_mode=EXCLUSIVE")
	if err != nil {
		return res, err
	}
	defer x.Close()
	x.SetMaxOpenConns(1)
	c, err := x.Conn(ctx)
	if err != nil {
		return res, compactError(path, err)
	}
	defer c.Close()
	// Leaving WAL mode needs every other connection gone; in exclusive locking mode the
	// connection keeps its lock until it closes, after the swap.
	var mode string
	if err := c.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode); err != nil {
		return res, compactError(path, err)
	}
	if mode != "delete" {
		return res, compactError(path, fmt.Errorf("journal mode stays %q", mode))
	}
	// A write takes the EXCLUSIVE lock, kept until close: nobody reads the old file after
	// the copy starts.
	if _, err := c.ExecContext(ctx, "INSERT OR REPLACE INTO meta(k, v) VALUES('store.compacted_at', ?)",
		fmt.Sprint(time.Now().UnixMilli())); err != nil {
		return res, compactError(path, err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return res, fmt.Errorf("db: compact %s: the WAL file is still there after leaving WAL mode", path)
	}
	var pages, free int64
	if err := c.QueryRowContext(ctx, "PRAGMA page_size").Scan(&res.PageSizeBefore); err != nil {
		return res, err
	}
	if err := c.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return res, err
	}
	if err := c.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
		return res, err
	}
	res.FreePagesBefore = free
	want := opt.PageSize
	if want == 0 {
		want = res.PageSizeBefore
	}
	counts, err := tableCounts(ctx, c)
	if err != nil {
		return res, err
	}
	res.Tables = len(counts)
	for _, n := range counts {
		res.Rows += n
	}

	// The copy. VACUUM INTO writes the output with the page size set on the source
	// connection (outside WAL mode, which is why the store left it above).
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", want)); err != nil {
		return res, err
	}
	stop := watchSize(tmp, (pages-free)*int64(res.PageSizeBefore), opt.Progress)
	_, err = c.ExecContext(ctx, "VACUUM INTO ?", tmp)
	stop()
	if err != nil {
		removeIfExists(tmp)
		if ctx.Err() != nil {
			return res, apperr.New(apperr.Canceled, "errors.canceled", "compact canceled; the store is unchanged", nil)
		}
		return res, fmt.Errorf("db: compact %s: copy: %w", path, err)
	}
	if compactHook != nil {
		compactHook("copied")
	}
	if err := keepIdentity(ctx, tmp, FileIdentity(path), FileIdentity(tmp)); err != nil {
		removeIfExists(tmp)
		return res, fmt.Errorf("db: compact %s: %w", path, err)
	}
	if err := verifyCopy(ctx, tmp, want, counts); err != nil {
		removeIfExists(tmp)
		return res, fmt.Errorf("db: compact %s: the packed copy failed its check, the store is unchanged: %w", path, err)
	}
	if compactHook != nil {
		compactHook("verified")
	}
	if err := syncFile(tmp); err != nil {
		removeIfExists(tmp)
		return res, err
	}
	if compactHook != nil {
		compactHook("synced")
	}
	if err := ctx.Err(); err != nil {
		removeIfExists(tmp)
		return res, apperr.New(apperr.Canceled, "errors.canceled", "compact canceled; the store is unchanged", nil)
	}
	if err := os.Rename(tmp, path); err != nil {
		removeIfExists(tmp)
		return res, err
	}
	if compactHook != nil {
		compactHook("renamed")
	}
	if err := syncFile(filepath.Dir(path)); err != nil {
		return res, err
	}
	res.PageSizeAfter = want
	res.BytesAfter = fileSize(path)
	return res, nil
}

// keepIdentity carries over the meta values that name the store's file by its identity
// (team sync's "sync.site_file": a store whose file changed identity is taken for a copy and
// gets a new site id). The packed copy is the same store in a new file: it is renamed over
// the old one, keeping its own inode, so those values are rewritten to it.
func keepIdentity(ctx context.Context, path, old, now string) error {
	if old == "" || now == "" {
		return nil
	}
	c, err := sql.Open(DriverName, "file:"+uriPath.Replace(path)+"?_journal_mode=DELETE")
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "UPDATE meta SET v = ? WHERE v = ?", now, old); err != nil {
		return fmt.Errorf("file identity in the copy: %w", err)
	}
	return nil
}

// tableCounts counts the rows of every table (not SQLite's own).
func tableCounts(ctx context.Context, c interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (map[string]int64, error) {
	names, err := Strings(c.QueryContext(ctx,
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"))
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(names))
	for _, n := range names {
		var k int64
		if err := c.QueryRowContext(ctx, "SELECT count(*) FROM "+Quote(n)).Scan(&k); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		out[n] = k
	}
	return out, nil
}

// verifyCopy checks the packed copy: SQLite's quick_check, the page size, and every
// table's row count equal to the original's.
func verifyCopy(ctx context.Context, path string, pageSize int, want map[string]int64) error {
	v, err := sql.Open(DriverName, "file:"+uriPath.Replace(path)+"?mode=ro")
	if err != nil {
		return err
	}
	defer v.Close()
	v.SetMaxOpenConns(1)
	var check string
	if err := v.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
		return err
	}
	if check != "ok" {
		return fmt.Errorf("quick_check: %s", check)
	}
	var ps int
	if err := v.QueryRowContext(ctx, "PRAGMA page_size").Scan(&ps); err != nil {
		return err
	}
	if ps != pageSize {
		return fmt.Errorf("page size %d, want %d", ps, pageSize)
	}
	got, err := tableCounts(ctx, v)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if got[n] != want[n] {
			return fmt.Errorf("table %s: %d rows in the copy, %d in the store", n, got[n], want[n])
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d tables in the copy, %d in the store", len(got), len(want))
	}
	return nil
}

// watchSize reports the size of the growing file every 250 ms until stopped.
func watchSize(path string, total int64, progress func(done, total int64)) (stop func()) {
	if progress == nil && compactHook == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				n := fileSize(path)
				if compactHook != nil && n > 0 {
					compactHook("copying")
				}
				if progress != nil {
					progress(min(n, total), total)
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

func compactError(path string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
		return &apperr.Error{Code: apperr.Unavailable, Key: "errors.dbInUse", Params: map[string]any{"path": path}, Err: err,
			Msg: fmt.Sprintf("%s is open in another program (the Magpie window, a tracker or another command); close it and retry", path)}
	}
	return openError(path, err)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("db: fsync %s: %w", path, err)
	}
	return nil
}
