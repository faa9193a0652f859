package teamsync

import (
	"fmt"
	"strconv"

	"magpie/backend/db"
	"magpie/backend/ids"
)

// RecordMany is Record for the many rows of one bulk insert (db.Tx.InsertMany: imports,
// demo data): the very same clocks (a row clock per new row) and outbox rows, written with multi-row statements, and
// the HLC high-water mark saved once. TestRecordManyMatchesRecord keeps the two in step.
func (e *Engine) RecordMany(tx *db.Tx, chs []db.Change) error {
	var inserted, edited []rowClock
	outbox := make([][]any, 0, len(chs))
	var last int64
	for _, ch := range chs {
		tb, ok := db.TableOf(ch.Table)
		if !ok {
			return fmt.Errorf("sync: table %s is not declared", ch.Table)
		}
		cols := ch.Cols
		if hasLocal(tb, cols) {
			cols = make(db.Cols, len(ch.Cols))
			for k, v := range ch.Cols {
				if !isLocal(tb, k) {
					cols[k] = v
				}
			}
		}
		if len(cols) == 0 {
			continue
		}
		keys := sortedCols(cols)
		enc, err := encodeSorted(cols, keys)
		if err != nil {
			return fmt.Errorf("sync: %s %s: %w", ch.Table, ch.ID, err)
		}
		h := e.hlc.Now()
		rc := rowClock{tbl: ch.Table, row: ch.ID, cols: keys, hlc: h, site: e.site}
		if ch.Op == db.OpInsert {
			inserted = append(inserted, rc)
		} else {
			edited = append(edited, rc)
		}
		outbox = append(outbox, []any{ids.New(), ch.Table, ch.ID, enc, h, e.site, e.opt.SchemaVersion, tx.NowMs()})
		last = h
	}
	if len(outbox) == 0 {
		return nil
	}
	if err := e.writeRowClocks(tx, inserted); err != nil {
		return err
	}
	if err := writeCellClocks(tx, edited); err != nil {
		return err
	}
	if err := tx.ExecMany("INSERT INTO sync_outbox(change_id, tbl, row_id, cols, hlc, site, schema_ver, created_at)", "", 8, outbox); err != nil {
		return fmt.Errorf("sync: outbox: %w", err)
	}
	return tx.SetMeta(keyHLC, strconv.FormatInt(last, 10))
}

// hasLocal reports whether cols holds a column of tb that never replicates.
func hasLocal(tb *db.Table, cols db.Cols) bool {
	for _, l := range tb.Local {
		if _, ok := cols[l]; ok {
			return true
		}
	}
	return false
}
