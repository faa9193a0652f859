package tracking

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"magpie/backend/db"
	"magpie/backend/rqlite"
)

// RqliteStore writes hits into the team's rqlite cluster: one POST /db/execute?transaction
// per batch with INSERT … ON CONFLICT(id) DO NOTHING per hit. The rqlite client treats a
// top-level error or a result count that differs from the statement count as indeterminate
// (rqlite answers HTTP 200 with a top-level error and no results when a follower cannot reach
// the leader — SYNC.md §0 finding 3); the pump then retries the whole, idempotent batch.
type RqliteStore struct {
	c *rqlite.Client
}

// NewRqliteStore connects to the cluster's nodes.
func NewRqliteStore(cfg rqlite.Config) (*RqliteStore, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("tracking: --rqlite needs at least one node URL")
	}
	c, err := rqlite.New(cfg)
	if err != nil {
		return nil, err
	}
	return &RqliteStore{c: c}, nil
}

// Client is the underlying rqlite client.
func (s *RqliteStore) Client() *rqlite.Client { return s.c }

// Name says where hits go.
func (s *RqliteStore) Name() string { return "rqlite:" + strings.Join(s.c.URLs(), ",") }

// hitsDDL creates the cluster's hits table (same shape as the local one; seq is assigned by
// the cluster in Raft log order, so desktops can page it with a cursor).
const hitsDDL = `CREATE TABLE IF NOT EXISTS hits(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
kind TEXT NOT NULL, at INTEGER NOT NULL, device_id TEXT, contact_id TEXT, email_id TEXT, send_id TEXT, form_id TEXT,
url TEXT, title TEXT, referrer TEXT, lang TEXT, user_agent TEXT, ip TEXT, bot INTEGER NOT NULL DEFAULT 0, data TEXT)`

// EnsureSchema creates the hits table when missing.
func (s *RqliteStore) EnsureSchema(ctx context.Context) error {
	_, err := s.c.Execute(ctx, false, rqlite.S(hitsDDL))
	return err
}

// rqliteRowsPerInsert bounds one multi-row INSERT (16 columns: 4,000 parameters).
const rqliteRowsPerInsert = 250

// StoreHits writes one batch in one rqlite transaction, as multi-row INSERTs (one statement
// per 250 hits instead of one per hit: the cluster parses, logs and applies far less).
func (s *RqliteStore) StoreHits(ctx context.Context, hits []Hit) error {
	var stmts []rqlite.Statement
	for start := 0; start < len(hits); start += rqliteRowsPerInsert {
		part := hits[start:min(start+rqliteRowsPerInsert, len(hits))]
		args := make([]any, 0, len(part)*len(hitColumns))
		data := make([]string, len(part))
		for i := range part {
			data[i] = part[i].DataJSON()
			args = appendHitRefs(args, &part[i], &data[i])
		}
		stmts = append(stmts, rqlite.S(insertHitsSQL(len(part)), args...))
	}
	_, err := s.c.Execute(ctx, true, stmts...)
	return err
}

// PullCursorKey is the meta key of the last cluster hit seq copied into the local store.
const PullCursorKey = "tracking.pull_seq"

// Pull copies up to page hits after the local pull cursor from the cluster into the local hits
// table (INSERT … ON CONFLICT(id) DO NOTHING, cursor in the same transaction), from where
// Ingest turns them into events. It returns how many rows it read.
func Pull(ctx context.Context, c *rqlite.Client, d *db.DB, page int) (int, error) {
	if page <= 0 {
		page = 5000
	}
	cur, err := d.Meta(ctx, PullCursorKey)
	if err != nil {
		return 0, err
	}
	after, _ := strconv.ParseInt(cur, 10, 64)
	res, err := c.Query(ctx, rqlite.Weak, rqlite.S(`SELECT seq, `+strings.Join(hitColumns, ", ")+
		` FROM hits WHERE seq > ? ORDER BY seq LIMIT ?`, after, page))
	if err != nil {
		return 0, err
	}
	if len(res) != 1 {
		return 0, fmt.Errorf("tracking: pull: %d results for 1 query", len(res))
	}
	rows := res[0].Values
	if len(rows) == 0 {
		return 0, nil
	}
	err = d.Write(ctx, func(tx *db.Tx) error {
		last := after
		for i, row := range rows {
			if len(row) != len(hitColumns)+1 {
				return fmt.Errorf("tracking: pull: row %d has %d columns", i, len(row))
			}
			seq, ok := asInt(row[0])
			if !ok || seq <= last {
				return fmt.Errorf("tracking: pull: row %d has a bad seq %v", i, row[0])
			}
			if _, err := tx.Exec(insertHitSQL, row[1:]...); err != nil {
				return err
			}
			last = seq
		}
		return tx.SetMeta(PullCursorKey, strconv.FormatInt(last, 10))
	})
	return len(rows), err
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		return int64(n), n == float64(int64(n))
	case int:
		return int64(n), true
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	if s, ok := v.(fmt.Stringer); ok {
		i, err := strconv.ParseInt(s.String(), 10, 64)
		return i, err == nil
	}
	return 0, false
}
