package teamsync

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"magpie/backend/db"
)

// Row clocks (migration 0031): a row inserted by one write — a local insert, an import
// batch, a teammate's new row, a bootstrap — gets one sync_row_clock entry whose column set
// (sync_colset) lists the columns that write set, all at the write's (hlc, site). Columns
// edited later get their own sync_clock entry. The clock of a cell is the greater of the two
// (cells only ever move to a greater clock, so in practice a per-column clock overrides the
// row clock). This keeps one clock row per inserted row instead of one per column: on an
// import that is 1 row instead of ~10–20, which was most of the store and of the CPU.

// colsetKey is the stored form of a column set: a JSON array of the sorted names.
func colsetKey(cols []string) string {
	b, _ := json.Marshal(cols)
	return string(b)
}

// colsetID is the id of a column set: a 62-bit FNV-1a hash of its key, so the same set
// always has the same id in every transaction (a rolled-back write cannot leave an id that
// later means another set).
func colsetID(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return int64(h.Sum64() >> 2)
}

// colset makes sure the column set is stored and returns its id; ok is false on a hash
// collision with another set (the caller then writes per-column clocks).
func (e *Engine) colset(tx *db.Tx, cols []string) (id int64, ok bool, err error) {
	key := colsetKey(cols)
	id = colsetID(key)
	// Within one transaction a set is written once; in another, it is stored only if that
	// one committed, which a cache cannot know, so it is written again (a no-op upsert).
	done, _ := tx.Local(colsetsWritten{}).(map[int64]bool)
	if done[id] {
		return id, true, nil
	}
	var got string
	err = tx.QueryRow(`INSERT INTO sync_colset(id, cols) VALUES(?, ?)
		ON CONFLICT(id) DO UPDATE SET cols = cols WHERE cols = excluded.cols RETURNING cols`, id, key).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		e.log.Warn("sync: column set hash collision; writing per-column clocks", "id", id, "cols", key)
		return id, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("sync: column set: %w", err)
	}
	if done == nil {
		done = map[int64]bool{}
		tx.SetLocal(colsetsWritten{}, done)
	}
	done[id] = true
	e.colsets.Store(id, &colsetEntry{key: key, cols: append([]string(nil), cols...)})
	return id, true, nil
}

// colsetsWritten keys the transaction's set of column set ids already written.
type colsetsWritten struct{}

// colsetEntry caches a stored column set (an id always names the same set).
type colsetEntry struct {
	key  string
	cols []string
}

// colsetCols returns the columns of a stored set.
func (e *Engine) colsetCols(tx queryer, id int64) ([]string, error) {
	if v, ok := e.colsets.Load(id); ok {
		return v.(*colsetEntry).cols, nil
	}
	var key string
	if err := tx.QueryRow(`SELECT cols FROM sync_colset WHERE id = ?`, id).Scan(&key); err != nil {
		return nil, fmt.Errorf("sync: column set %d: %w", id, err)
	}
	var cols []string
	if err := json.Unmarshal([]byte(key), &cols); err != nil {
		return nil, fmt.Errorf("sync: column set %d is corrupt: %w", id, err)
	}
	e.colsets.Store(id, &colsetEntry{key: key, cols: cols})
	return cols, nil
}

// overlay applies a row clock to a row's cell clocks: each column of the set takes the row
// clock unless it already has a greater one.
func overlay(clocks map[string]ck, cols []string, c ck) {
	for _, col := range cols {
		if cur, ok := clocks[col]; !ok || c.hlc > cur.hlc || (c.hlc == cur.hlc && c.site > cur.site) {
			clocks[col] = c
		}
	}
}

// rowClockChunk is the most row clocks one statement writes (a power of two).
const rowClockChunk = 256

// rowClock is one row clock to write.
type rowClock struct {
	tbl, row string
	cols     []string // sorted
	hlc      int64
	site     string
}

// writeRowClocks stores row clocks for rows that had no clock at all. Rows whose column set
// collides, or that unexpectedly have a row clock already, get per-column clocks instead
// (which is always correct, only bigger).
func (e *Engine) writeRowClocks(tx *db.Tx, list []rowClock) error {
	ids := map[string]int64{}
	var args []any
	var fallback []rowClock
	var pending []rowClock
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		// Power-of-two statements (at most rowClockChunk rows): a transaction prepares a
		// few small statements, not one VALUES list per size.
		for start := 0; start < len(pending); {
			n := rowClockChunk
			for n > len(pending)-start {
				n /= 2
			}
			got, err := tx.ExecChunk(`INSERT INTO sync_row_clock(tbl, row_id, hlc, site, colset) VALUES `+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", n), ", ")+` ON CONFLICT DO NOTHING`, args[start*5:(start+n)*5]...)
			if err != nil {
				return fmt.Errorf("sync: row clocks: %w", err)
			}
			if got != int64(n) {
				fallback = append(fallback, pending[start:start+n]...) // per-column clocks are right either way
			}
			start += n
		}
		args, pending = args[:0], pending[:0]
		return nil
	}
	// Rows of one bulk insert share their column list's slice (db.Change.Keys) and come one
	// after another: a row with the previous row's slice reuses its set without joining names.
	var prevCols []string
	var prevID int64
	for _, rc := range list {
		var id int64
		if len(rc.cols) > 0 && len(rc.cols) == len(prevCols) && &rc.cols[0] == &prevCols[0] {
			id = prevID
		} else {
			key := strings.Join(rc.cols, "\x00")
			var seen bool
			if id, seen = ids[key]; !seen {
				var ok bool
				var err error
				if id, ok, err = e.colset(tx, rc.cols); err != nil {
					return err
				}
				if !ok {
					id = -1
				}
				ids[key] = id
			}
			prevCols, prevID = rc.cols, id
		}
		if id == -1 {
			fallback = append(fallback, rc)
			continue
		}
		args = append(args, rc.tbl, rc.row, rc.hlc, rc.site, id)
		pending = append(pending, rc)
		if len(pending) >= 4*rowClockChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return writeCellClocks(tx, fallback)
}

// writeCellClocks stores per-column clocks (upserts) for every column of each entry.
func writeCellClocks(tx *db.Tx, list []rowClock) error {
	var rows [][]any
	for _, rc := range list {
		for _, col := range rc.cols {
			rows = append(rows, []any{rc.tbl, rc.row, col, rc.hlc, rc.site})
		}
	}
	if err := tx.ExecMany("INSERT INTO sync_clock(tbl, row_id, col, hlc, site)",
		" ON CONFLICT(tbl, row_id, col) DO UPDATE SET hlc = excluded.hlc, site = excluded.site", 5, rows); err != nil {
		return fmt.Errorf("sync: clocks: %w", err)
	}
	return nil
}

// loadRowClocks overlays the row clocks of rows (of one table) on their cell clocks.
func (m *merger) loadRowClocks(tbl string, rows []string) error {
	for len(rows) > 0 {
		n := min(len(rows), 500)
		chunk := rows[:n]
		rows = rows[n:]
		args := make([]any, 0, n+1)
		args = append(args, tbl)
		for _, r := range chunk {
			args = append(args, r)
		}
		rs, err := m.tx.Query(`SELECT row_id, hlc, site, colset FROM sync_row_clock WHERE tbl = ? AND row_id IN (?`+
			strings.Repeat(", ?", n-1)+`)`, args...)
		if err != nil {
			return err
		}
		type rc struct {
			row string
			c   ck
			set int64
		}
		var got []rc
		for rs.Next() {
			var x rc
			if err := rs.Scan(&x.row, &x.c.hlc, &x.c.site, &x.set); err != nil {
				rs.Close()
				return err
			}
			got = append(got, x)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		for _, x := range got {
			cols, err := m.e.colsetCols(m.tx, x.set)
			if err != nil {
				return err
			}
			k := tbl + "\x00" + x.row
			if m.clocks[k] == nil {
				m.clocks[k] = map[string]ck{}
			}
			overlay(m.clocks[k], cols, x.c)
		}
	}
	return nil
}
