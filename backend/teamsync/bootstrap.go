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
	defer e.setStatus(func(s *Status) { s.Cursor = high })
	return e.d.Write(ctx, func(tx *db.Tx) error {
		if n, err := restoreIndexes(tx); err != nil {
			return err
		} else if n > 0 {
			e.log.Info("sync: bootstrap rebuilt the indexes it had deferred", "indexes", n)
		}
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

// fetchStatePages reads the cluster's state page after page into out until the last one (or
// an error, or ctx ends).
func fetchStatePages(ctx context.Context, c Client, out chan<- statePageResult) {
	var kt, kr, kc string
	send := func(r statePageResult) bool {
		select {
		case out <- r:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		// The page is statePage cells, grouped in the cluster into one row per (table, row,
		// clock): its cells as one JSON object. A 20-column contact then travels as one result
		// row instead of 20 (decoding a result value costs far more than a cell's bytes).
		res, err := c.Query(ctx, rqlite.Weak, rqlite.S(`SELECT tbl, row_id, hlc, site_id,
			json_group_object(col, json(val)), count(*), max(col) FROM (
			  SELECT tbl, row_id, col, val, hlc, site_id FROM state
			  WHERE (tbl, row_id, col) > (?, ?, ?) ORDER BY tbl, row_id, col LIMIT ?)
			GROUP BY tbl, row_id, hlc, site_id ORDER BY tbl, row_id, hlc, site_id`, kt, kr, kc, statePage))
		if err != nil {
			send(statePageResult{err: err})
			return
		}
		page := res[0].Values
		if len(page) == 0 {
			send(statePageResult{last: true})
			return
		}
		changes, cells, next, err := groupRows(page)
		if err != nil {
			send(statePageResult{err: err})
			return
		}
		full := cells >= statePage
		if full {
			// A full page may end inside a row: leave that row whole to the next page (a row's
			// first cells alone can fail its NOT NULL columns and be lost).
			n := len(changes)
			changes, next = trimLastRow(changes, page, next)
			for k := len(changes); k < n; k++ {
				c, _ := asInt(page[k][5])
				cells -= int(c)
			}
		}
		if !send(statePageResult{changes: changes, cells: cells, last: !full}) || !full {
			return
		}
		kt, kr, kc = next[0], next[1], next[2]
	}
}

// groupRows turns a page of grouped state (table, row, hlc, site, cells as a JSON object,
// cell count, greatest column) into changes; it returns them, the page's cell count and the
// key of its last cell (where the next page starts).
func groupRows(page [][]any) ([]change, int, [3]string, error) {
	out := make([]change, 0, len(page))
	var cells int
	var next [3]string
	for _, r := range page {
		if len(r) < 7 {
			return nil, 0, next, fmt.Errorf("sync: state row has %d columns, want 7", len(r))
		}
		tbl, err1 := asString(r[0])
		row, err2 := asString(r[1])
		hlc, err3 := asInt(r[2])
		site, err4 := asString(r[3])
		obj, err5 := asString(r[4])
		n, err6 := asInt(r[5])
		maxCol, err7 := asString(r[6])
		for _, err := range []error{err1, err2, err3, err4, err5, err6, err7} {
			if err != nil {
				return nil, 0, next, fmt.Errorf("sync: bad state cells of %v.%v: %v", r[0], r[1], err)
			}
		}
		cols, err := decodeStateObject(obj)
		if err != nil {
			return nil, 0, next, fmt.Errorf("sync: bad state value of %s.%s: %v", tbl, row, err)
		}
		key := tbl + "\x00" + row + "\x00" + strconv.FormatInt(hlc, 10) + "\x00" + site
		out = append(out, change{id: "state:" + key, tbl: tbl, row: row, hlc: hlc, site: site, cols: cols})
		cells += int(n)
		if next[0] != tbl || next[1] != row || maxCol > next[2] {
			next = [3]string{tbl, row, maxCol}
		}
	}
	return out, cells, next, nil
}

// trimLastRow drops the changes of the page's last (table, row) unless it is the only row,
// and returns the key of the last cell kept (the next page starts after it).
func trimLastRow(changes []change, page [][]any, next [3]string) ([]change, [3]string) {
	n := len(changes)
	last := changes[n-1]
	i := n
	for i > 0 && changes[i-1].tbl == last.tbl && changes[i-1].row == last.row {
		i--
	}
	if i == 0 {
		return changes, next
	}
	prev := changes[i-1]
	key := [3]string{prev.tbl, prev.row, ""}
	for k := 0; k < i; k++ { // page[k] is changes[k]'s row: its greatest column is page[k][6]
		if changes[k].tbl == prev.tbl && changes[k].row == prev.row {
			if c, _ := asString(page[k][6]); c > key[2] {
				key[2] = c
			}
		}
	}
	return changes[:i], key
}

// decodeStateObject decodes a JSON object of cell values: a hand scanner for the usual
// plain keys and scalar values (each value through decodeOne), decodeCols for anything else.
func decodeStateObject(s string) (db.Cols, error) {
	b := []byte(s)
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
		v, err := decodeOne(b[start:i])
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
