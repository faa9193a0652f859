package teamsync

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"magpie/backend/db"
	"magpie/backend/ids"
)

// RecordMany is Record for the many rows of one bulk insert (db.Tx.InsertMany: imports,
// demo data). Each new row gets the very clocks Record gives it (one row clock), but the
// rows are queued as one compact outbox entry per batch (sync_outbox_batch: the table, the
// ids, the first clock) instead of one sync_outbox row each with its JSON: the push reads
// the rows back and expands the entry (outbox_batch.go). The n rows of an entry get the n
// consecutive clocks reserved with HLC.NowN. Other changes (a batch of updates:
// db.Tx.UpdateRows, UpdateValues) are staged as Record stages them and stored by
// multi-row statements. TestRecordManyMatchesRecord keeps the two in step.
func (e *Engine) RecordMany(tx *db.Tx, chs []db.Change) error {
	type ins struct {
		id   string
		keys []string
	}
	byTable := map[string][]ins{}
	var order []string
	var other edits // the changes that are not inserts, as Record stores them
	for _, ch := range chs {
		tb, ok := db.TableOf(ch.Table)
		if !ok {
			return fmt.Errorf("sync: table %s is not declared", ch.Table)
		}
		if ch.Op != db.OpInsert {
			if err := e.stage(tx, &other, tb, ch); err != nil {
				return err
			}
			continue
		}
		cols := ch.Cols
		keys := ch.Keys // sorted, shared by the rows of the same shape (InsertMany)
		if cols == nil && len(ch.Values) == len(keys) {
			// A bulk insert nobody announces: its values come as a list beside Keys.
			if lean, err := leanInsert(tb, ch); err != nil || lean {
				if err != nil {
					return err
				}
				if len(keys) > 0 {
					if _, ok := byTable[ch.Table]; !ok {
						order = append(order, ch.Table)
					}
					byTable[ch.Table] = append(byTable[ch.Table], ins{id: ch.ID, keys: keys})
				}
				continue
			}
			cols = make(db.Cols, len(keys))
			for i, k := range keys {
				cols[k] = ch.Values[i]
			}
		}
		if hasLocal(tb, cols) {
			keys = nil
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
		for k, v := range cols {
			if err := checkValue(v); err != nil {
				return fmt.Errorf("sync: %s %s: column %s: %w", ch.Table, ch.ID, k, err)
			}
		}
		if _, ok := byTable[ch.Table]; !ok {
			order = append(order, ch.Table)
		}
		if keys == nil || len(keys) != len(cols) {
			keys = sortedCols(cols)
		}
		byTable[ch.Table] = append(byTable[ch.Table], ins{id: ch.ID, keys: keys})
	}
	if err := e.writeEdits(tx, &other); err != nil {
		return err
	}
	per := min(e.opt.PushBatch, 500)
	var last int64
	for _, tbl := range order {
		list := byTable[tbl]
		for len(list) > 0 {
			n := min(len(list), per)
			chunk := list[:n]
			list = list[n:]
			h0 := e.hlc.NowN(n)
			rc := make([]rowClock, n)
			var idList strings.Builder
			idList.Grow(n * 37)
			for i, r := range chunk {
				rc[i] = rowClock{tbl: tbl, row: r.id, cols: r.keys, hlc: h0 + int64(i), site: e.site}
				if i > 0 {
					idList.WriteByte(',')
				}
				idList.WriteString(r.id)
			}
			if err := e.writeRowClocks(tx, rc); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO sync_outbox_batch(tbl, site, hlc, hlc_hi, n, row_ids, schema_ver, created_at)
				VALUES(?, ?, ?, ?, ?, ?, ?, ?)`, tbl, e.site, h0, h0+int64(n-1), n, idList.String(), e.opt.SchemaVersion, tx.NowMs()); err != nil {
				return fmt.Errorf("sync: outbox: %w", err)
			}
			last = h0 + int64(n-1)
		}
	}
	if last == 0 {
		return nil
	}
	return tx.SetMeta(keyHLC, strconv.FormatInt(max(last, e.hlc.Last()), 10))
}

// checkValue fails for a value encodeCols would refuse, so a bulk insert fails at once as a
// row-by-row one does (the batch entry holds no values to encode).
func checkValue(v any) error {
	switch x := v.(type) {
	case nil, string, int64, int:
		return nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%v cannot be synced", x)
		}
		return nil
	}
	e, err := encodeValue(v)
	if err != nil {
		return err
	}
	if f, ok := e.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return fmt.Errorf("%v cannot be synced", f)
	}
	return nil
}

// leanInsert checks the values of a change given as Keys and Values, as the map path checks
// them; it says false when the row has a local column (the map path then filters it).
func leanInsert(tb *db.Table, ch db.Change) (bool, error) {
	for i, k := range ch.Keys {
		if isLocal(tb, k) {
			return false, nil
		}
		if err := checkValue(ch.Values[i]); err != nil {
			return false, fmt.Errorf("sync: %s %s: column %s: %w", ch.Table, ch.ID, k, err)
		}
	}
	return true, nil
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

// batchChangeID is the change id of row i of a batch entry: derived from its clock, which
// is unique to the change, so a resent push (crash after send) repeats the same id and the
// cluster's change_log keeps it once.
func batchChangeID(site string, hlc int64) string {
	return ids.Derived("sync.change", site, strconv.FormatInt(hlc, 10))
}
