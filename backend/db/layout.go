package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"

	"magpie/backend/apperr"
)

// DefaultPageSize is the SQLite page size of a store Magpie creates: 16 KiB since
// 2026-12-07 (docs/BENCHMARKS.md "at a glance": every speed target measured at both sizes on
// the same code — the bulk writers, the campaign engine, ingest and the tracker's group
// commits all faster at 16 KiB, the grid and search reads within their targets; a one-row
// commit writes more WAL bytes, ≈ 0.2 ms instead of 0.1). An existing store keeps the page
// size it was created with; `magpie db compact --page-size N` rebuilds it with another one.
const DefaultPageSize = 16384

// PageSizeEnv overrides DefaultPageSize for stores created by this process (benchmarks and
// experiments: MAGPIE_PAGE_SIZE=16384). It is read only when a store is created.
const PageSizeEnv = "MAGPIE_PAGE_SIZE"

// ValidPageSize reports whether n is a page size SQLite accepts: a power of two from 512 to
// 65536.
func ValidPageSize(n int) bool {
	return n >= 512 && n <= 65536 && n&(n-1) == 0
}

// newStorePageSize is the page size for a store created now: opt, else the environment,
// else DefaultPageSize.
func newStorePageSize(opt int) (int, error) {
	if opt != 0 {
		if !ValidPageSize(opt) {
			return 0, fmt.Errorf("db: page size %d: want a power of two from 512 to 65536", opt)
		}
		return opt, nil
	}
	if s := os.Getenv(PageSizeEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || !ValidPageSize(n) {
			return 0, fmt.Errorf("db: %s=%q: want a power of two from 512 to 65536", PageSizeEnv, s)
		}
		return n, nil
	}
	return DefaultPageSize, nil
}

// createIfNew gives a store that does not exist yet (no file, or an empty one) its page
// size. The page size must be set before the first table, and before the file enters WAL
// mode — which the pools' DSN does on their first connection — so a plain connection
// writes the header first: page size, then WAL. An existing store is left untouched.
func createIfNew(path string, optPageSize int) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil
	} else if err != nil && !os.IsNotExist(err) {
		return openError(path, err)
	}
	pageSize, err := newStorePageSize(optPageSize)
	if err != nil {
		return apperr.Invalidf("errors.dbPageSize", map[string]any{"pageSize": optPageSize}, "%v", err)
	}
	c, err := sql.Open(DriverName, "file:"+uriPath.Replace(path)+"?_busy_timeout=10000")
	if err != nil {
		return openError(path, err)
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	ctx := context.Background()
	var tables int
	if err := c.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil {
		return openError(path, err)
	}
	if tables > 0 { // another process created it meanwhile
		return nil
	}
	for _, q := range []string{fmt.Sprintf("PRAGMA page_size = %d", pageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return openError(path, fmt.Errorf("%s: %w", q, err))
		}
	}
	return nil
}

// PageSize is the store's page size in bytes.
func (d *DB) PageSize(ctx context.Context) (int, error) {
	var n int
	err := d.R.QueryRowContext(ctx, "PRAGMA page_size").Scan(&n)
	return n, err
}
