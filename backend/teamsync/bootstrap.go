package teamsync

import (
	"context"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	"magpie/backend/db"
	"magpie/backend/ids"
	"magpie/backend/rqlite"
)

// statePage is about how many cells a bootstrap reads per request (pages hold whole rows).
var statePage = 40000

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
	if err := e.restoreDeferredIndexes(ctx); err != nil {
		return err
	}
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
	var done int64
	deferIdx := !hadLocal && total >= deferIndexMinCells
	if deferIdx {
		// A big first bootstrap allocates a page after page of short-lived rows: collect
		// less often (the live heap is a few pages, so this stays far below the RSS bound).
		defer debug.SetGCPercent(debug.SetGCPercent(300))
	}
	deferred := map[string]bool{}
	// The next page is fetched and decoded while this one is written (the cluster's work and
	// the local inserts overlap instead of taking turns).
	fctx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	pages := make(chan statePageResult, 1)
	go fetchStatePages(fctx, c, pages)
	for {
		var pg statePageResult
		select {
		case pg = <-pages:
		case <-ctx.Done():
			return ctx.Err()
		}
		if pg.err != nil {
			return pg.err
		}
		if len(pg.changes) == 0 {
			if pg.last {
				break
			}
			continue
		}
		changes := pg.changes
		err := e.d.Write(ctx, func(tx *db.Tx) error {
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
				for _, ch := range changes {
					if deferIdx && !deferred[ch.tbl] {
						if err := deferIndexes(tx, ch.tbl); err != nil {
							return err
						}
						deferred[ch.tbl] = true
					}
				}
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
		done += int64(pg.cells)
		e.setStatus(func(s *Status) { s.ProgressDone = min(done, total) })
		if pg.last {
			break
		}
	}
	// The indexes first, in their own transaction (see rebuildIndexes); a crash after it
	// only means the next start bootstraps again, with its indexes in place.
	if n, err := e.rebuildIndexes(ctx); err != nil {
		return err
	} else if n > 0 {
		e.log.Info("sync: bootstrap rebuilt the indexes it had deferred", "indexes", n)
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

// statePageResult is one decoded bootstrap page; last marks the final one.
type statePageResult struct {
	changes []change
	cells   int
	last    bool
	err     error
}

// decodeStateObject decodes a JSON object of cell values: a hand scanner for the usual
// plain keys and scalar values (each value through decodeOneString), decodeCols for anything
// else.
func decodeStateObject(s string) (db.Cols, error) {
	b := s // indexed as bytes; values are substrings of s (no copy per cell)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return decodeCols(s)
	}
	out := make(db.Cols, 24)
	i := 1
	if b[i] == '}' {
		return out, nil
	}
	for {
		// key: a string without escapes
		if i >= len(b) || b[i] != '"' {
			return decodeCols(s)
		}
		j := i + 1
		for j < len(b) && b[j] != '"' && b[j] != '\\' {
			j++
		}
		if j >= len(b) || b[j] != '"' || j+1 >= len(b) || b[j+1] != ':' {
			return decodeCols(s)
		}
		key := s[i+1 : j]
		i = j + 2
		// value: a string (escapes allowed, decodeOne unescapes) or a bare scalar
		start := i
		if i < len(b) && b[i] == '"' {
			i++
			for i < len(b) && b[i] != '"' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			i++
		} else {
			for i < len(b) && b[i] != ',' && b[i] != '}' {
				if b[i] == '{' || b[i] == '[' || b[i] == '"' {
					return decodeCols(s)
				}
				i++
			}
		}
		if i >= len(b) {
			return decodeCols(s)
		}
		v, err := decodeOneString(s[start:i])
		if err != nil {
			return nil, fmt.Errorf("column %s: %v", key, err)
		}
		if _, dup := out[key]; dup {
			return decodeCols(s)
		}
		out[key] = v
		switch b[i] {
		case ',':
			i++
		case '}':
			if i != len(b)-1 {
				return decodeCols(s)
			}
			return out, nil
		default:
			return decodeCols(s)
		}
	}
}

// requeueMissing puts back in the outbox every local cell the cluster's state lacks or
// holds with an older clock, with its original clock, grouped per (row, clock).
func (e *Engine) requeueMissing(tx *db.Tx) error {
	rows, err := tx.Query(`SELECT c.tbl, c.row_id, c.col, c.hlc, c.site FROM sync_cell c
		LEFT JOIN sync_seen s ON s.tbl = c.tbl AND s.row_id = c.row_id AND s.col = c.col
		WHERE (s.tbl IS NULL OR c.hlc > s.hlc OR (c.hlc = s.hlc AND c.site > s.site))
		  AND NOT EXISTS(SELECT 1 FROM sync_outbox o WHERE o.state = 0 AND o.tbl = c.tbl AND o.row_id = c.row_id
		                 AND o.hlc = c.hlc AND o.site = c.site)
		  AND NOT coalesce((SELECT b.hlc_hi >= c.hlc FROM sync_outbox_batch b WHERE b.tbl = c.tbl AND b.site = c.site
		                 AND b.hlc <= c.hlc ORDER BY b.hlc DESC LIMIT 1), 0) -- pending in a bulk entry (outbox_batch.go)
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
