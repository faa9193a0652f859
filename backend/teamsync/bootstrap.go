package teamsync

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"magpie/backend/db"
	"magpie/backend/ids"
	"magpie/backend/rqlite"
)

// statePage is how many cells a bootstrap reads per request.
const statePage = 10000

// Bootstrap rebuilds the local copy from the cluster's materialised state (SYNC.md §3.6):
// for a new desktop, after the cluster's epoch changed (a restore) or after its log was
// compacted past our cursor. Cells merge by the same LWW rule, so local pending edits
// survive; local cells the cluster lacks or has older (it lost them in a restore) are put
// back in the outbox with their original clocks. The cursor jumps to the log's max seq
// read before the state, so the overlap is only re-applied, never skipped.
func (e *Engine) Bootstrap(ctx context.Context, c Client) error {
	res, err := c.Query(ctx, rqlite.Weak,
		rqlite.S(`SELECT coalesce(max(seq), 0) FROM change_log`),
		rqlite.S(`SELECT k, v FROM meta`),
		rqlite.S(`SELECT count(*) FROM state`))
	if err != nil {
		return err
	}
	e.noteClock(c)
	high, err := asInt(res[0].Values[0][0])
	if err != nil {
		return err
	}
	meta, err := parseMeta(res[1])
	if err != nil {
		return err
	}
	// A compacted-empty log has max(seq) 0 although seqs below the floor were used.
	high = max(high, meta.floor-1)
	if !meta.hasEpoch {
		return fmt.Errorf("sync: the cluster has no epoch (schema not initialised)")
	}
	total, _ := asInt(res[2].Values[0][0])
	var hadLocal bool
	if err := e.d.R.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM sync_clock) OR EXISTS(SELECT 1 FROM sync_row_clock)`).Scan(&hadLocal); err != nil {
		return err
	}
	e.log.Info("sync: bootstrapping from the cluster", "cells", total, "high_seq", high, "epoch", meta.epoch, "had_local", hadLocal)
	e.setStatus(func(s *Status) { s.ProgressDone, s.ProgressTotal = 0, total })
	defer e.setStatus(func(s *Status) { s.ProgressDone, s.ProgressTotal = 0, 0 })
	if hadLocal {
		if err := e.d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(`DELETE FROM sync_seen`)
			return err
		}); err != nil {
			return err
		}
	}
	var kt, kr, kc string
	var done int64
	for {
		res, err := c.Query(ctx, rqlite.Weak, rqlite.S(`SELECT tbl, row_id, col, val, hlc, site_id FROM state
			WHERE (tbl, row_id, col) > (?, ?, ?) ORDER BY tbl, row_id, col LIMIT ?`, kt, kr, kc, statePage))
		if err != nil {
			return err
		}
		page := res[0].Values
		if len(page) == 0 {
			break
		}
		changes, err := groupCells(page)
		if err != nil {
			return err
		}
		err = e.d.Write(ctx, func(tx *db.Tx) error {
			m := e.newMerger(tx)
			// Pages are ordered by (table, row): on a desktop that had no clocks, only the
			// page's first row can have clocks already (its other cells were in the page
			// before), so only its clocks need reading.
			ahead := changes
			if !hadLocal {
				ahead = changes[:0:0]
				for _, ch := range changes {
					if ch.tbl != changes[0].tbl || ch.row != changes[0].row {
						break
					}
					ahead = append(ahead, ch)
				}
			}
			if err := m.prefetch(ahead); err != nil {
				return err
			}
			if !hadLocal {
				if err := m.applyFresh(changes); err != nil {
					return fmt.Errorf("sync: bootstrap: %w", err)
				}
				return e.observe(tx, m.maxHLC)
			}
			for _, ch := range changes {
				if err := m.apply(ch); err != nil {
					return fmt.Errorf("sync: bootstrap %s %s: %w", ch.tbl, ch.row, err)
				}
				for k := range ch.cols {
					if _, err := tx.Exec(`INSERT INTO sync_seen(tbl, row_id, col, hlc, site) VALUES(?, ?, ?, ?, ?)
						ON CONFLICT DO UPDATE SET hlc = excluded.hlc, site = excluded.site`, ch.tbl, ch.row, k, ch.hlc, ch.site); err != nil {
						return err
					}
				}
			}
			return e.observe(tx, m.maxHLC)
		})
		if err != nil {
			return err
		}
		tables := map[string]bool{}
		for _, ch := range changes {
			tables[ch.tbl] = true
		}
		if err := e.afterApply(ctx, tables); err != nil {
			return err
		}
		last := page[len(page)-1]
		kt, _ = asString(last[0])
		kr, _ = asString(last[1])
		kc, _ = asString(last[2])
		done += int64(len(page))
		e.setStatus(func(s *Status) { s.ProgressDone = done })
		if len(page) < statePage {
			break
		}
	}
	defer e.setStatus(func(s *Status) { s.Cursor = high })
	return e.d.Write(ctx, func(tx *db.Tx) error {
		if hadLocal {
			if err := e.requeueMissing(tx); err != nil {
				return err
			}
			if _, err := tx.Exec(`DELETE FROM sync_seen`); err != nil {
				return err
			}
		}
		if err := tx.SetMeta(keyEpoch, meta.epoch); err != nil {
			return err
		}
		return tx.SetMeta(keyCursor, strconv.FormatInt(high, 10))
	})
}

// groupCells turns state cells (sorted by table, row, column) into changes: the cells of one
// row written by one (hlc, site).
func groupCells(page [][]any) ([]change, error) {
	var out []change
	idx := map[string]int{}
	for _, r := range page {
		if len(r) < 6 {
			return nil, fmt.Errorf("sync: state row has %d columns, want 6", len(r))
		}
		tbl, err1 := asString(r[0])
		row, err2 := asString(r[1])
		col, err3 := asString(r[2])
		val, err4 := asString(r[3])
		hlc, err5 := asInt(r[4])
		site, err6 := asString(r[5])
		for _, err := range []error{err1, err2, err3, err4, err5, err6} {
			if err != nil {
				return nil, fmt.Errorf("sync: bad state cell %v.%v.%v: %v", r[0], r[1], r[2], err)
			}
		}
		v, err := decodeOne([]byte(val))
		if err != nil {
			return nil, fmt.Errorf("sync: bad state value of %s.%s.%s: %v", tbl, row, col, err)
		}
		key := tbl + "\x00" + row + "\x00" + strconv.FormatInt(hlc, 10) + "\x00" + site
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, change{id: "state:" + key, tbl: tbl, row: row, hlc: hlc, site: site, cols: db.Cols{}})
		}
		out[i].cols[col] = v
	}
	return out, nil
}

// requeueMissing puts back in the outbox every local cell the cluster's state lacks or
// holds with an older clock, with its original clock, grouped per (row, clock).
func (e *Engine) requeueMissing(tx *db.Tx) error {
	rows, err := tx.Query(`SELECT c.tbl, c.row_id, c.col, c.hlc, c.site FROM sync_cell c
		LEFT JOIN sync_seen s ON s.tbl = c.tbl AND s.row_id = c.row_id AND s.col = c.col
		WHERE (s.tbl IS NULL OR c.hlc > s.hlc OR (c.hlc = s.hlc AND c.site > s.site))
		  AND NOT EXISTS(SELECT 1 FROM sync_outbox o WHERE o.state = 0 AND o.tbl = c.tbl AND o.row_id = c.row_id
		                 AND o.hlc = c.hlc AND o.site = c.site)
		ORDER BY c.tbl, c.row_id, c.hlc, c.site`)
	if err != nil {
		return err
	}
	type group struct {
		tbl, row, site string
		hlc            int64
		cols           []string
	}
	var groups []*group
	for rows.Next() {
		var t, r, col, site string
		var h int64
		if err := rows.Scan(&t, &r, &col, &h, &site); err != nil {
			rows.Close()
			return err
		}
		if n := len(groups); n > 0 {
			g := groups[n-1]
			if g.tbl == t && g.row == r && g.hlc == h && g.site == site {
				g.cols = append(g.cols, col)
				continue
			}
		}
		groups = append(groups, &group{tbl: t, row: r, site: site, hlc: h, cols: []string{col}})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range groups {
		quoted := make([]string, len(g.cols))
		for i, c := range g.cols {
			quoted[i] = db.Quote(c)
		}
		vals := make([]any, len(g.cols))
		ptrs := make([]any, len(g.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		err := tx.QueryRow(`SELECT `+strings.Join(quoted, ", ")+` FROM `+db.Quote(g.tbl)+` WHERE id = ?`, g.row).Scan(ptrs...)
		if err != nil {
			e.log.Warn("sync: cannot re-read a cell to push it again", "table", g.tbl, "row", g.row, "error", err)
			continue
		}
		cols := db.Cols{}
		for i, c := range g.cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b) // synced tables hold text, never blobs
			}
			cols[c] = vals[i]
		}
		enc, err := encodeCols(cols)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO sync_outbox(change_id, tbl, row_id, cols, hlc, site, schema_ver, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?)`, ids.New(), g.tbl, g.row, enc, g.hlc, g.site, e.opt.SchemaVersion, tx.NowMs()); err != nil {
			return err
		}
	}
	if len(groups) > 0 {
		e.log.Info("sync: re-queued local cells the cluster lacks", "changes", len(groups))
	}
	return nil
}
