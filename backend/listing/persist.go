package listing

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
)

// Store keeps sparse anchor indexes across restarts (optional: Anchors.Store). The owner
// of the table keeps a data generation per order that every write which may move rows in
// it bumps inside the writing transaction (contacts: triggers, migration 0019), so a stored
// index is trusted only while its generation is the current one.
type Store interface {
	// Gen reads the current generation of key's order.
	Gen(ctx context.Context, r *sql.DB, key string) (int64, error)
	// Load reads the stored index of sig and the current generation of key's order in one
	// snapshot; ok is false when none is stored.
	Load(ctx context.Context, r *sql.DB, sig, key string) (stored Stored, current int64, ok bool, err error)
	// Save stores (replaces) the index of sig.
	Save(ctx context.Context, sig string, x Stored) error
}

// Stored is one sparse index as a Store keeps it: its generation, the rows in the order,
// and the ascending anchors as JSON ([[offset, key, rowid], …]). A copy from before rowid
// anchors (text ids in the third place) is refused and rebuilt, never read as a rowid.
type Stored struct {
	Gen     int64
	N       int
	Anchors string
}

func encodeAnchors(list []anchor) (string, error) {
	rows := make([][3]any, len(list))
	for i, an := range list {
		rows[i] = [3]any{an.off, an.key, an.row}
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

func decodeAnchors(s string) ([]anchor, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var rows [][3]any
	if err := dec.Decode(&rows); err != nil {
		return nil, fmt.Errorf("listing: stored anchors: %w", err)
	}
	out := make([]anchor, len(rows))
	for i, r := range rows {
		off, ok := r[0].(json.Number)
		rowid, ok2 := r[2].(json.Number)
		if !ok || !ok2 {
			return nil, fmt.Errorf("listing: stored anchor %d: bad offset or rowid", i)
		}
		o, err := off.Int64()
		if err != nil {
			return nil, fmt.Errorf("listing: stored anchor %d: %w", i, err)
		}
		row, err := rowid.Int64()
		if err != nil {
			return nil, fmt.Errorf("listing: stored anchor %d: %w", i, err)
		}
		key := r[1]
		if n, isNum := key.(json.Number); isNum {
			// Keys are bound back with their SQLite type: INTEGER stays int64, REAL float64.
			if v, err := strconv.ParseInt(string(n), 10, 64); err == nil {
				key = v
			} else if f, err := n.Float64(); err == nil {
				key = f
			} else {
				return nil, fmt.Errorf("listing: stored anchor %d: key %s", i, n)
			}
		}
		out[i] = anchor{off: int(o), key: key, row: row}
		if i > 0 && out[i].off <= out[i-1].off {
			return nil, fmt.Errorf("listing: stored anchor %d: offsets not increasing", i)
		}
	}
	return out, nil
}

// withDesc fills the descending anchors of an index from its ascending ones and n.
func (x *sparseIdx) withDesc() *sparseIdx {
	x.desc = make([]anchor, len(x.asc))
	for i, an := range x.asc {
		an.off = x.n - 1 - an.off
		x.desc[len(x.asc)-1-i] = an
	}
	return x
}

// load reads the stored index of s's order; nil when there is none or it is stale.
func (a *Anchors) load(ctx context.Context, r *sql.DB, s Spec, sig string) *sparseIdx {
	st, cur, ok, err := a.Store.Load(ctx, r, sig, s.Key)
	if err != nil || !ok || st.Gen != cur {
		return nil
	}
	asc, err := decodeAnchors(st.Anchors)
	if err != nil || (len(asc) > 0 && asc[len(asc)-1].off >= st.N) {
		return nil // unreadable: rebuilt (and saved again) like a missing one
	}
	return (&sparseIdx{n: st.N, asc: asc}).withDesc()
}

// save stores a freshly built index made at store generation gen (best effort: a read-only
// store or a closed one keeps it in memory only).
func (a *Anchors) save(ctx context.Context, sig string, gen int64, x *sparseIdx) {
	js, err := encodeAnchors(x.asc)
	if err != nil {
		return
	}
	_ = a.Store.Save(ctx, sig, Stored{Gen: gen, N: x.n, Anchors: js})
}
