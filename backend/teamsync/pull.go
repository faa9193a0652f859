package teamsync

import (
	"context"
	"fmt"
	"strconv"

	"magpie/backend/db"
	"magpie/backend/rqlite"
)

// pullPage fetches the next page of change_log after the cursor (then the cluster's meta,
// read after the page so a compaction that removed rows is always noticed) and applies it
// in one local transaction together with the new cursor. more says a full page came.
func (e *Engine) pullPage(ctx context.Context, c Client) (n int, more bool, err error) {
	cursor, err := e.metaInt(ctx, keyCursor)
	if err != nil {
		return 0, false, err
	}
	epoch, err := e.d.Meta(ctx, keyEpoch)
	if err != nil {
		return 0, false, err
	}
	res, err := c.Query(ctx, rqlite.Weak,
		rqlite.S(`SELECT seq, change_id, site_id, tbl, row_id, cols, hlc, schema_ver FROM change_log
			WHERE seq > ? ORDER BY seq LIMIT ?`, cursor, e.opt.PageSize),
		rqlite.S(`SELECT k, v FROM meta`),
		rqlite.S(`SELECT coalesce(max(seq), 0) FROM change_log`))
	if err != nil {
		return 0, false, err
	}
	e.noteClock(c)
	meta, err := parseMeta(res[1])
	if err != nil {
		return 0, false, err
	}
	serverSeq, _ := asInt(res[2].Values[0][0])
	e.setStatus(func(s *Status) {
		s.ServerSchema = meta.schema
		s.NeedsUpgrade = meta.schema > e.opt.SchemaVersion
		s.Epoch = meta.epoch
		s.ServerSeq = serverSeq
	})
	if epoch == "" || meta.epoch != epoch {
		return 0, false, errNeedBootstrap
	}
	if meta.floor > cursor+1 {
		e.log.Info("sync: the cluster compacted its log past this desktop's cursor; rebuilding from its state",
			"cursor", cursor, "log_floor", meta.floor)
		return 0, false, errNeedBootstrap
	}
	page := res[0].Values
	if len(page) == 0 {
		return 0, false, nil
	}
	changes := make([]change, 0, len(page))
	for _, row := range page {
		ch, err := parseChange(row)
		if err != nil {
			return 0, false, err
		}
		changes = append(changes, ch)
	}
	last := changes[len(changes)-1].seq
	var maxHLC int64
	err = e.d.Write(ctx, func(tx *db.Tx) error {
		m := e.newMerger(tx)
		if err := m.prefetch(changes); err != nil {
			return err
		}
		for _, ch := range changes {
			if ch.cols == nil {
				if err := m.park(ch, db.Cols{"$raw": ch.raw}, "corrupt change row: cols is not valid JSON"); err != nil {
					return err
				}
				continue
			}
			if err := m.apply(ch); err != nil {
				return fmt.Errorf("sync: apply change %s (seq %d, %s %s): %w", ch.id, ch.seq, ch.tbl, ch.row, err)
			}
		}
		if e.beforeSaved != nil {
			if err := e.beforeSaved(); err != nil {
				return err
			}
		}
		if err := tx.SetMeta(keyCursor, strconv.FormatInt(last, 10)); err != nil {
			return err
		}
		maxHLC = m.maxHLC
		return e.observe(tx, maxHLC)
	})
	if err != nil {
		return 0, false, err
	}
	e.setStatus(func(s *Status) { s.Cursor = last })
	tables := map[string]bool{}
	for _, ch := range changes {
		tables[ch.tbl] = true
	}
	if err := e.afterApply(ctx, tables); err != nil {
		return 0, false, err
	}
	return len(changes), len(page) >= e.opt.PageSize, nil
}

// afterApply runs the AfterApply hook and then retries parked changes (the hook may have
// made room for them).
func (e *Engine) afterApply(ctx context.Context, tables map[string]bool) error {
	if e.opt.AfterApply == nil || len(tables) == 0 {
		return nil
	}
	if err := e.opt.AfterApply(ctx, tables); err != nil {
		return fmt.Errorf("sync: after applying changes: %w", err)
	}
	if err := e.refreshCounts(ctx); err != nil {
		return err
	}
	if e.Status().Parked > 0 {
		if err := e.retryParked(ctx); err != nil {
			return err
		}
		return e.refreshCounts(ctx)
	}
	return nil
}

// observe folds the greatest adopted remote clock into the HLC and persists it in tx.
func (e *Engine) observe(tx *db.Tx, remote int64) error {
	if remote <= 0 {
		return nil
	}
	if err := e.hlc.Observe(remote); err != nil {
		return err
	}
	return tx.SetMeta(keyHLC, strconv.FormatInt(e.hlc.Last(), 10))
}

func parseChange(row []any) (change, error) {
	if len(row) < 8 {
		return change{}, fmt.Errorf("sync: change row has %d columns, want 8", len(row))
	}
	var ch change
	var err error
	bad := func(col string, err error) (change, error) {
		return change{}, fmt.Errorf("sync: change_log row (seq %v) has a bad %s: %v", row[0], col, err)
	}
	if ch.seq, err = asInt(row[0]); err != nil {
		return bad("seq", err)
	}
	if ch.id, err = asString(row[1]); err != nil {
		return bad("change_id", err)
	}
	if ch.site, err = asString(row[2]); err != nil {
		return bad("site_id", err)
	}
	if ch.tbl, err = asString(row[3]); err != nil {
		return bad("tbl", err)
	}
	if ch.row, err = asString(row[4]); err != nil {
		return bad("row_id", err)
	}
	if ch.raw, err = asString(row[5]); err != nil {
		return bad("cols", err)
	}
	if ch.hlc, err = asInt(row[6]); err != nil {
		return bad("hlc", err)
	}
	sv, err := asInt(row[7])
	if err != nil {
		return bad("schema_ver", err)
	}
	ch.schema = int(sv)
	if cols, err := decodeCols(ch.raw); err == nil {
		ch.cols = cols
	}
	return ch, nil
}

// noteClock updates the cluster-offset estimate from the last response's Date header.
func (e *Engine) noteClock(c Client) {
	d, ok := c.ServerDate()
	if !ok {
		return
	}
	off := d.Sub(e.d.Clock.Now())
	if !e.opt.NoClockCorrection {
		e.wall.offset.Store(int64(off))
	}
	e.setStatus(func(s *Status) {
		s.ClockSkewMs = off.Milliseconds()
		s.SkewWarning = off > skewWarn || off < -skewWarn
	})
}
