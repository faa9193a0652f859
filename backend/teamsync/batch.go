package teamsync

import (
	"fmt"
	"strconv"

	"magpie/backend/db"
	"magpie/backend/ids"
)

// RecordMany is Record for the many rows of one bulk insert (db.Tx.InsertMany: imports,
// demo data): the very same clock and outbox rows, written with multi-row statements, and
// the HLC high-water mark saved once. TestRecordManyMatchesRecord keeps the two in step.
func (e *Engine) RecordMany(tx *db.Tx, chs []db.Change) error {
	clocks := make([][]any, 0, len(chs)*8)
	outbox := make([][]any, 0, len(chs))
	var last int64
	for _, ch := range chs {
		tb, ok := db.TableOf(ch.Table)
		if !ok {
			return fmt.Errorf("sync: table %s is not declared", ch.Table)
		}
		cols := make(db.Cols, len(ch.Cols))
		for k, v := range ch.Cols {
			if !isLocal(tb, k) {
				cols[k] = v
			}
		}
		if len(cols) == 0 {
			continue
		}
		enc, err := encodeCols(cols)
		if err != nil {
			return fmt.Errorf("sync: %s %s: %w", ch.Table, ch.ID, err)
		}
		h := e.hlc.Now()
		for k := range cols {
			clocks = append(clocks, []any{ch.Table, ch.ID, k, h, e.site})
		}
		outbox = append(outbox, []any{ids.New(), ch.Table, ch.ID, enc, h, e.site, e.opt.SchemaVersion, tx.NowMs()})
		last = h
	}
	if len(outbox) == 0 {
		return nil
	}
	if err := tx.ExecMany("INSERT INTO sync_clock(tbl, row_id, col, hlc, site)",
		" ON CONFLICT(tbl, row_id, col) DO UPDATE SET hlc = excluded.hlc, site = excluded.site", 5, clocks); err != nil {
		return fmt.Errorf("sync: clocks: %w", err)
	}
	if err := tx.ExecMany("INSERT INTO sync_outbox(change_id, tbl, row_id, cols, hlc, site, schema_ver, created_at)", "", 8, outbox); err != nil {
		return fmt.Errorf("sync: outbox: %w", err)
	}
	return tx.SetMeta(keyHLC, strconv.FormatInt(last, 10))
}
