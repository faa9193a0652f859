package teamsync

import (
	"fmt"
	"sort"
	"strings"

	"magpie/backend/clock"
	"magpie/backend/db"
)

// change is one remote edit: cells of one row written with one (hlc, site).
type change struct {
	seq    int64
	id     string
	site   string
	tbl    string
	row    string
	cols   db.Cols
	raw    string
	bad    string // why raw could not be decoded (the change is parked)
	hlc    int64
	schema int
}

// merger applies remote changes inside one local transaction.
type merger struct {
	e      *Engine
	tx     *db.Tx
	cols   map[string]map[string]bool // table -> its columns (refreshed on a miss)
	maxHLC int64
	nowMs  int64
	clocks map[string]map[string]ck // "tbl\x00row" -> col -> clock, loaded per page
}

func (e *Engine) newMerger(tx *db.Tx) *merger {
	return &merger{e: e, tx: tx, cols: map[string]map[string]bool{}, nowMs: e.wall.Now().UnixMilli()}
}

func (m *merger) columns(tbl string, refresh bool) (map[string]bool, error) {
	if c, ok := m.cols[tbl]; ok && !refresh {
		return c, nil
	}
	rows, err := m.tx.Query(`SELECT name FROM pragma_table_info(?)`, tbl)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		c[n] = true
	}
	m.cols[tbl] = c
	return c, rows.Err()
}

// apply merges one change by per-cell last-writer-wins: a cell takes the change's value
// when (hlc, site) is greater than the cell's clock. Cells this version cannot hold are
// parked with the reason; a clock too far ahead parks the whole change.
func (m *merger) apply(ch change) error {
	if ch.bad != "" {
		return m.parkRaw(ch, "corrupt: "+ch.bad)
	}
	ms, _ := clock.Unpack(ch.hlc)
	if ch.hlc < 0 || ch.hlc > clock.MaxHLC {
		return m.park(ch, ch.cols, fmt.Sprintf("clock %d out of range", ch.hlc))
	}
	if limit := m.nowMs + m.e.opt.MaxAhead.Milliseconds(); ms > limit {
		m.e.log.Warn("sync: a teammate's change is dated too far in the future; parked, not adopted",
			"change_id", ch.id, "site", ch.site, "ahead_ms", ms-m.nowMs)
		return m.park(ch, ch.cols, fmt.Sprintf("clock %d ms ahead of cluster time", ms-m.nowMs))
	}
	tb, ok := db.TableOf(ch.tbl)
	if !ok || !tb.Synced {
		return m.park(ch, ch.cols, "unknown table "+ch.tbl)
	}
	known, err := m.columns(ch.tbl, false)
	if err != nil {
		return err
	}
	if len(known) == 0 {
		return m.park(ch, ch.cols, "table "+ch.tbl+" does not exist here")
	}
	var unknown []string
	for k := range ch.cols {
		if !known[k] && k != "id" {
			if known, err = m.columns(ch.tbl, true); err != nil {
				return err
			}
			if !known[k] {
				unknown = append(unknown, k)
			}
		}
	}
	cols := ch.cols
	if len(unknown) > 0 || isLocalAny(tb, ch.cols) {
		sort.Strings(unknown)
		rest := db.Cols{}
		cols = db.Cols{}
		for k, v := range ch.cols {
			switch {
			case isLocal(tb, k) || k == "id":
			case !known[k]:
				rest[k] = v
			default:
				cols[k] = v
			}
		}
		if len(rest) > 0 {
			if err := m.park(ch, rest, "unknown columns "+strings.Join(unknown, ", ")+" (a newer Magpie wrote them)"); err != nil {
				return err
			}
		}
	}
	if ch.hlc > m.maxHLC {
		m.maxHLC = ch.hlc
	}
	if len(cols) == 0 {
		return nil
	}
	return m.merge(ch, cols)
}

func isLocalAny(tb *db.Table, cols db.Cols) bool {
	for _, l := range tb.Local {
		if _, ok := cols[l]; ok {
			return true
		}
	}
	_, id := cols["id"]
	return id
}

type ck struct {
	hlc  int64
	site string
}

// prefetch loads the clocks of every row of a page in a few queries.
func (m *merger) prefetch(changes []change) error {
	if m.clocks == nil {
		m.clocks = map[string]map[string]ck{}
	}
	byTbl := map[string][]string{}
	for _, ch := range changes {
		k := ch.tbl + "\x00" + ch.row
		if _, ok := m.clocks[k]; !ok {
			m.clocks[k] = map[string]ck{}
			byTbl[ch.tbl] = append(byTbl[ch.tbl], ch.row)
		}
	}
	for tbl, rows := range byTbl {
		all := rows
		for len(rows) > 0 {
			n := min(len(rows), 500)
			chunk := rows[:n]
			rows = rows[n:]
			args := make([]any, 0, n+1)
			args = append(args, tbl)
			for _, r := range chunk {
				args = append(args, r)
			}
			q := `SELECT row_id, col, hlc, site FROM sync_clock WHERE tbl = ? AND row_id IN (?` + strings.Repeat(", ?", n-1) + `)`
			rs, err := m.tx.Query(q, args...)
			if err != nil {
				return err
			}
			for rs.Next() {
				var row, col string
				var c ck
				if err := rs.Scan(&row, &col, &c.hlc, &c.site); err != nil {
					rs.Close()
					return err
				}
				m.clocks[tbl+"\x00"+row][col] = c
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
		}
		if err := m.loadRowClocks(tbl, all); err != nil {
			return err
		}
	}
	return nil
}

func (m *merger) rowClocks(tbl, row string) (map[string]ck, error) {
	k := tbl + "\x00" + row
	if c, ok := m.clocks[k]; ok {
		return c, nil
	}
	rows, err := m.tx.Query(`SELECT col, hlc, site FROM sync_clock WHERE tbl = ? AND row_id = ?`, tbl, row)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := map[string]ck{}
	for rows.Next() {
		var col string
		var v ck
		if err := rows.Scan(&col, &v.hlc, &v.site); err != nil {
			return nil, err
		}
		c[col] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if m.clocks == nil {
		m.clocks = map[string]map[string]ck{}
	}
	m.clocks[k] = c
	if err := m.loadRowClocks(tbl, []string{row}); err != nil {
		return nil, err
	}
	return m.clocks[k], nil
}

func (m *merger) merge(ch change, cols db.Cols) error {
	clocks, err := m.rowClocks(ch.tbl, ch.row)
	if err != nil {
		return err
	}
	win := db.Cols{}
	for k, v := range cols {
		cur, ok := clocks[k]
		if !ok || ch.hlc > cur.hlc || (ch.hlc == cur.hlc && ch.site > cur.site) {
			win[k] = v
		}
	}
	if len(win) == 0 {
		return nil
	}
	// The row write is one statement: if it fails nothing changed, so no savepoint is
	// needed before the clocks are written.
	ok, err := m.tx.Apply(ch.tbl, ch.row, win, len(clocks) == 0)
	if err != nil || !ok {
		reason := "the row cannot be created here from these columns (a required column is missing, or a unique value is already taken by another row)"
		if err != nil {
			reason = "cannot apply here: " + err.Error()
		}
		return m.park(ch, win, reason)
	}
	keys := sortedCols(win)
	fresh := len(clocks) == 0
	for _, k := range keys {
		clocks[k] = ck{ch.hlc, ch.site}
	}
	rc := []rowClock{{tbl: ch.tbl, row: ch.row, cols: keys, hlc: ch.hlc, site: ch.site}}
	if fresh {
		// A row first seen here: one row clock for its cells.
		return m.e.writeRowClocks(m.tx, rc)
	}
	return writeCellClocks(m.tx, rc)
}

// park keeps (part of) a change that cannot be applied now, to retry later.
func (m *merger) park(ch change, cols db.Cols, reason string) error {
	enc, err := encodeCols(cols)
	if err != nil {
		return err
	}
	ch.raw = enc
	return m.parkRaw(ch, reason)
}

// parkRaw parks a change with its columns as text (ch.raw), decodable or not.
func (m *merger) parkRaw(ch change, reason string) error {
	_, err := m.tx.Exec(`INSERT INTO sync_parked(change_id, seq, tbl, row_id, cols, hlc, site, schema_ver, reason, parked_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(change_id) DO UPDATE SET cols = excluded.cols, reason = excluded.reason`,
		ch.id, ch.seq, ch.tbl, ch.row, ch.raw, ch.hlc, ch.site, ch.schema, reason, m.tx.NowMs())
	return err
}

// retryParked applies parked changes again (after an upgrade added the columns, after the
// clock caught up, after the row they need arrived). Those that still cannot apply stay.
func (m *merger) retryParked() error {
	rows, err := m.tx.Query(`SELECT change_id, seq, tbl, row_id, cols, hlc, site, schema_ver FROM sync_parked ORDER BY seq`)
	if err != nil {
		return err
	}
	var list []change
	for rows.Next() {
		var ch change
		if err := rows.Scan(&ch.id, &ch.seq, &ch.tbl, &ch.row, &ch.raw, &ch.hlc, &ch.site, &ch.schema); err != nil {
			rows.Close()
			return err
		}
		list = append(list, ch)
	}
	rows.Close()
	for _, ch := range list {
		if _, err := m.tx.Exec(`DELETE FROM sync_parked WHERE change_id = ?`, ch.id); err != nil {
			return err
		}
		cols, err := decodeCols(ch.raw)
		if err != nil {
			if err := m.parkRaw(ch, "corrupt: "+err.Error()); err != nil {
				return err
			}
			continue
		}
		ch.cols = cols
		if err := m.apply(ch); err != nil {
			return err
		}
	}
	return nil
}

// applyFresh applies a bootstrap page on a desktop that had no synced cells: rows seen for
// the first time (one clock group in the page, no clocks yet, every column known, a sane
// clock) go in multi-row statements; the others take the row-by-row merge. If a bulk insert
// fails (a row exists locally without clocks, a constraint), its rows fall back too.
func (m *merger) applyFresh(changes []change) error {
	count := map[string]int{}
	for _, ch := range changes {
		count[ch.tbl+"\x00"+ch.row]++
	}
	type batch struct {
		ids  []string
		rows []db.Cols
		chs  []change
		keys [][]string // each row's columns, sorted (shared by rows with the same set)
	}
	byTbl := map[string]*batch{}
	var tbls []string
	var rest []change
	limit := m.nowMs + m.e.opt.MaxAhead.Milliseconds()
	// Rows of a page mostly share one column set: its sorted names and whether every one
	// is known here are worked out once per run of such rows, not per row.
	var prevTbl string
	var prevKeys []string
	var prevOK bool
	for _, ch := range changes {
		k := ch.tbl + "\x00" + ch.row
		ms, _ := clock.Unpack(ch.hlc)
		if ch.bad != "" {
			rest = append(rest, ch)
			continue
		}
		if ch.tbl != prevTbl || !sameCols(prevKeys, ch.cols) {
			ok, err := m.allKnown(ch)
			if err != nil {
				return err
			}
			prevTbl, prevKeys, prevOK = ch.tbl, sortedCols(ch.cols), ok
		}
		if !prevOK || count[k] != 1 || len(m.clocks[k]) != 0 || ms > limit || ch.hlc < 0 || ch.hlc > clock.MaxHLC {
			rest = append(rest, ch)
			continue
		}
		b := byTbl[ch.tbl]
		if b == nil {
			b = &batch{}
			byTbl[ch.tbl] = b
			tbls = append(tbls, ch.tbl)
		}
		b.ids = append(b.ids, ch.row)
		b.rows = append(b.rows, ch.cols)
		b.chs = append(b.chs, ch)
		b.keys = append(b.keys, prevKeys)
	}
	for _, tbl := range tbls {
		b := byTbl[tbl]
		if err := m.tx.ApplyNew(tbl, b.ids, b.rows); err != nil {
			m.e.log.Debug("sync: bulk bootstrap insert fell back to row by row", "table", tbl, "error", err)
			rest = append(rest, b.chs...)
			continue
		}
		list := make([]rowClock, 0, len(b.chs))
		for i, ch := range b.chs {
			// No m.clocks entry: a bulk row is the only change of its row in this page, so
			// nothing later in this transaction reads its clocks (filling a 20-entry map per
			// row was a visible share of a bootstrap).
			list = append(list, rowClock{tbl: ch.tbl, row: ch.row, cols: b.keys[i], hlc: ch.hlc, site: ch.site})
			if ch.hlc > m.maxHLC {
				m.maxHLC = ch.hlc
			}
		}
		if err := m.e.writeRowClocks(m.tx, list); err != nil {
			return err
		}
	}
	for _, ch := range rest {
		if err := m.apply(ch); err != nil {
			return err
		}
	}
	return nil
}

// allKnown says whether every column of ch exists here and is synced (no parking needed).
func (m *merger) allKnown(ch change) (bool, error) {
	tb, ok := db.TableOf(ch.tbl)
	if !ok || !tb.Synced {
		return false, nil
	}
	known, err := m.columns(ch.tbl, false)
	if err != nil {
		return false, err
	}
	if len(known) == 0 || isLocalAny(tb, ch.cols) {
		return false, nil
	}
	for k := range ch.cols {
		if !known[k] {
			return false, nil
		}
	}
	return true, nil
}

// sameCols says whether cols has exactly the columns keys.
func sameCols(keys []string, cols db.Cols) bool {
	if keys == nil || len(keys) != len(cols) {
		return false
	}
	for _, k := range keys {
		if _, ok := cols[k]; !ok {
			return false
		}
	}
	return true
}
