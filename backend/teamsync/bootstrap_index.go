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

// deferIndexes drops tbl's non-unique indexes, recording their DDL in meta first.
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

// restoreIndexes builds again every index a bootstrap deferred (idempotent).
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
	return e.d.Write(ctx, func(tx *db.Tx) error {
		n, err := restoreIndexes(tx)
		if n > 0 {
			e.log.Warn("sync: rebuilt the indexes an interrupted bootstrap had deferred", "indexes", n)
		}
		return err
	})
}
