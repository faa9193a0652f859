package db

import (
	"context"
	"fmt"
)

// WriterCacheMiB is the page cache of every connection (the writer's and each reader's).
const WriterCacheMiB = 64

// SortCacheKiB is the writer's page cache while RestoreIndexes rebuilds deferred indexes,
// and so the size of each in-memory sorted run of SQLite's sorter. The 1M seed's store,
// contacts_email + contacts_firstname + events_type in the sqlite3 shell (one helper
// thread): 8.9–11.5 s, 11.4–13.1 s CPU and 204 MB with 64 MiB; 5.5 s, 8.7–8.9 s CPU and
// 17 MB with 4 MiB (docs/BENCHMARKS.md § Contacts, branch seed4).
const SortCacheKiB = 4096

// BulkCacheMiB is the writer's page cache while a bulk load (a big import into a store with
// contacts) holds BulkCache. At 200k contacts the B-trees such an import writes — the live
// email index, sync_row_clock, the event log's kept index, the link tables — outgrow
// 64 MiB, and every page evicted before the commit is written and read again.
const BulkCacheMiB = 128

// BulkCache raises the writer connection's page cache to BulkCacheMiB for a bulk load and
// returns the function that puts it back (call it before rebuilding deferred indexes:
// SQLite's sorter sizes its in-memory runs from the cache, so a rebuild with the big cache
// would hold several times more memory). Calls nest: the cache goes back to
// WriterCacheMiB when the last holder releases it. The release is idempotent.
func (d *DB) BulkCache(ctx context.Context) (release func()) {
	if d.W == nil {
		return func() {}
	}
	d.bulkMu.Lock()
	d.bulkN++
	if d.bulkN == 1 {
		_, _ = d.W.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -BulkCacheMiB<<10))
	}
	d.bulkMu.Unlock()
	done := false
	return func() {
		d.bulkMu.Lock()
		defer d.bulkMu.Unlock()
		if done {
			return
		}
		done = true
		d.bulkN--
		if d.bulkN == 0 {
			// The writer's cache then shrinks to its usual size (SQLite frees pages over it).
			_, _ = d.W.ExecContext(context.Background(), fmt.Sprintf("PRAGMA cache_size = %d", -WriterCacheMiB<<10))
		}
	}
}
