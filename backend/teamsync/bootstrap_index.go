package teamsync

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"magpie/backend/db"
)

// A new desktop's bootstrap inserts every row of the team database. Keeping a table's
// secondary indexes current row by row is most of that cost (contacts have 15), so a large
// bootstrap into an empty store drops the table's non-unique indexes in the transaction of
// its first page and builds them again, by sorting, in the bootstrap's last transaction.
// Their DDL waits in meta (keyDeferredIdx, written with the drop) so a crash in between
// loses nothing: Open and the next Bootstrap put them back first. UNIQUE indexes stay (they
// carry constraints, not just speed).

const keyDeferredIdx = "sync.bootstrap_deferred_indexes"

// deferIndexMinCells is the bootstrap size (cells) from which indexes are deferred.
var deferIndexMinCells int64 = 200000

// sparseIndex says whether a partial index only holds rows that a bootstrap rarely brings
// (the trash: WHERE deleted = 1; a column most rows leave NULL: WHERE … IS NOT NULL). Such
// an index costs next to nothing to keep while the rows go in (SQLite only evaluates its
// WHERE), whereas building it again costs a full scan of the table for a handful of
// entries — 3 of the 16 contacts indexes, ≈ 1.4 s of CPU at 1M contacts. So it is kept.
func sparseIndex(ddl string) bool {
	u := strings.ToUpper(strings.Join(strings.Fields(ddl), " "))
	i := strings.LastIndex(u, " WHERE ")
	if i < 0 {
		return false
	}
	w := u[i:]
	return strings.Contains(w, "DELETED = 1") || strings.Contains(w, "IS NOT NULL")
}

// deferIndexes drops tbl's non-unique indexes but the sparse ones, recording their DDL in
// meta first.
func deferIndexes(tx *db.Tx, tbl string) error {
	rows, err := tx.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL
		AND upper(substr(sql, 1, 13)) = 'CREATE INDEX '`, tbl)
	if err != nil {
		return err
	}
	var names, ddl []string
	for rows.Next() {
		var n, s string
		if err := rows.Scan(&n, &s); err != nil {
			rows.Close()
			return err
		}
		if sparseIndex(s) {
			continue
		}
		names, ddl = append(names, n), append(ddl, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(names) == 0 {
		return err
	}
	saved, err := deferredIndexes(tx)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(append(saved, ddl...))
	if err := tx.SetMeta(keyDeferredIdx, string(b)); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := tx.Exec(`DROP INDEX ` + db.Quote(n)); err != nil {
			return fmt.Errorf("sync: bootstrap: drop index %s: %w", n, err)
		}
	}
	return nil
}

func deferredIndexes(tx *db.Tx) ([]string, error) {
	var v string
	if err := tx.QueryRow(`SELECT coalesce((SELECT v FROM meta WHERE k = ?), '')`, keyDeferredIdx).Scan(&v); err != nil {
		return nil, err
	}
	if v == "" {
		return nil, nil
	}
	var ddl []string
	if err := json.Unmarshal([]byte(v), &ddl); err != nil {
		return nil, fmt.Errorf("sync: unreadable %s: %w", keyDeferredIdx, err)
	}
	return ddl, nil
}

// rebuildIndexes builds again, in a transaction of its own, every index a bootstrap
// deferred; it returns how many.
//
// The store's connections keep temporary data in memory (temp_store = MEMORY), and with it
// SQLite's sorter never spills and never uses helper threads: each CREATE INDEX sorted the
// whole table in RAM (301 MB peak RSS for the rebuild alone at 1M contacts). With FILE the
// sorter keeps about one page cache of sorted runs in memory, merges the rest from temp
// files and sorts on two threads (151 MB, same CPU). temp_store can only change outside a
// transaction, hence the pragma on the writer connection around the Write; it is put back
// afterwards (other writes in between only see their sorts spill).
func (e *Engine) rebuildIndexes(ctx context.Context) (int, error) {
	if v, err := e.d.Meta(ctx, keyDeferredIdx); err != nil || v == "" {
		return 0, err
	}
	if _, err := e.d.W.ExecContext(ctx, `PRAGMA temp_store = FILE`); err == nil {
		defer e.d.W.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = MEMORY`)
	}
	// (A bigger sorter memory — cache_size 128 MiB for the rebuild, one sorted run per
	// 1M-key index instead of two and a merge — saved ≈ 1 s of the rebuild's 17 s of CPU in
	// paired runs but raised the desktop's peak RSS of a 1M bootstrap from 262 to 335 MB:
	// not kept.)
	var n int
	err := e.d.Write(ctx, func(tx *db.Tx) error {
		var err error
		n, err = restoreIndexes(tx)
		return err
	})
	return n, err
}

// restoreIndexes builds again every index a bootstrap deferred (idempotent), inside tx
// (call it through rebuildIndexes, which lets the sorts spill to files).
func restoreIndexes(tx *db.Tx) (int, error) {
	ddl, err := deferredIndexes(tx)
	if err != nil || len(ddl) == 0 {
		return 0, err
	}
	// The builds sort with helper threads: the bootstrap's last step, when the cluster's
	// side is done and the other core is free.
	// (No mmap_size for the table scans: mapped pages count in the process's RSS, and a
	// 1M-contact table is ~450 MB.)
	if _, err := tx.Exec(`PRAGMA threads = 2`); err != nil {
		return 0, err
	}
	defer tx.Exec(`PRAGMA threads = 0`)
	for _, s := range ddl {
		if !strings.Contains(strings.ToUpper(s[:min(len(s), 40)]), "IF NOT EXISTS") {
			s = "CREATE INDEX IF NOT EXISTS " + s[len("CREATE INDEX "):]
		}
		if _, err := tx.Exec(s); err != nil {
			return 0, fmt.Errorf("sync: rebuild deferred index (%.80s): %w", s, err)
		}
	}
	return len(ddl), tx.SetMeta(keyDeferredIdx, "")
}

// restoreDeferredIndexes puts back the indexes of a bootstrap that did not finish.
func (e *Engine) restoreDeferredIndexes(ctx context.Context) error {
	v, err := e.d.Meta(ctx, keyDeferredIdx)
	if err != nil || v == "" {
		return err
	}
	n, err := e.rebuildIndexes(ctx)
	if n > 0 {
		e.log.Warn("sync: rebuilt the indexes an interrupted bootstrap had deferred", "indexes", n)
	}
	return err
}
