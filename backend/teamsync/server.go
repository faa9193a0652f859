package teamsync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"magpie/backend/ids"
	"magpie/backend/rqlite"
)

// serverSchema is the cluster side (SYNC.md §3.3), created idempotently by any desktop.
// change_log.seq is AUTOINCREMENT and never supplied by clients: a cursor on it cannot skip
// a row (§3.7). state holds every cell's winning value and clock, for bootstrap and log GC.
var serverSchema = []string{
	`CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS change_log(
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		change_id TEXT NOT NULL UNIQUE,
		site_id TEXT NOT NULL,
		tbl TEXT NOT NULL,
		row_id TEXT NOT NULL,
		cols TEXT NOT NULL,
		hlc INTEGER NOT NULL,
		schema_ver INTEGER NOT NULL,
		created_at INTEGER NOT NULL) STRICT`,
	`CREATE TABLE IF NOT EXISTS state(
		tbl TEXT NOT NULL,
		row_id TEXT NOT NULL,
		col TEXT NOT NULL,
		val TEXT NOT NULL,
		hlc INTEGER NOT NULL,
		site_id TEXT NOT NULL,
		PRIMARY KEY(tbl, row_id, col)) STRICT, WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS sites(
		site_id TEXT PRIMARY KEY,
		user TEXT,
		app_version TEXT,
		schema_ver INTEGER,
		pulled_seq INTEGER NOT NULL,
		seen_at INTEGER NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS leases(name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
	// A push starts with a statement that inserts into this table only when the cluster's
	// epoch is not the one the desktop synced with; the CHECK then fails the whole request.
	`CREATE TABLE IF NOT EXISTS epoch_guard(ok INTEGER NOT NULL CHECK(ok = 1))`,
	`INSERT INTO meta(k, v) VALUES('log_floor', '0') ON CONFLICT(k) DO NOTHING`,
}

// EnsureSchema creates the cluster tables when missing, sets an epoch on a new cluster and
// raises the cluster's schema version to ours. One transaction, safe to repeat.
func EnsureSchema(ctx context.Context, c Client, schemaVer int) error {
	stmts := make([]rqlite.Statement, 0, len(serverSchema)+2)
	for _, q := range serverSchema {
		stmts = append(stmts, rqlite.S(q))
	}
	stmts = append(stmts,
		rqlite.S(`INSERT INTO meta(k, v) VALUES('epoch', ?) ON CONFLICT(k) DO NOTHING`, ids.New()),
		rqlite.S(`INSERT INTO meta(k, v) VALUES('schema_version', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v
			WHERE CAST(excluded.v AS INTEGER) > CAST(meta.v AS INTEGER)`, strconv.Itoa(schemaVer)))
	_, err := c.Execute(ctx, true, stmts...)
	return err
}

// NewEpoch gives the cluster a new epoch: run it after restoring a backup (or any event
// that winds change_log back); every desktop then re-bootstraps and re-pushes what the
// cluster lost.
func NewEpoch(ctx context.Context, c Client) (string, error) {
	ep := ids.New()
	_, err := c.Execute(ctx, true, rqlite.S(`INSERT INTO meta(k, v) VALUES('epoch', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`, ep))
	return ep, err
}

// serverMeta is the cluster's meta table.
type serverMeta struct {
	epoch    string
	floor    int64
	schema   int
	maxSeq   int64
	hasEpoch bool
}

func parseMeta(r rqlite.Result) (serverMeta, error) {
	var m serverMeta
	for _, row := range r.Values {
		if len(row) < 2 {
			continue
		}
		k, _ := row[0].(string)
		v, _ := row[1].(string)
		switch k {
		case "epoch":
			m.epoch, m.hasEpoch = v, true
		case "log_floor":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return m, fmt.Errorf("cluster meta log_floor = %q is not a number", v)
			}
			m.floor = n
		case "schema_version":
			n, err := strconv.Atoi(v)
			if err != nil {
				return m, fmt.Errorf("cluster meta schema_version = %q is not a number", v)
			}
			m.schema = n
		}
	}
	return m, nil
}

func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		return int64(x), nil
	case string:
		return strconv.ParseInt(x, 10, 64)
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("not an integer: %v (%T)", v, v)
}

func asString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "", errors.New("NULL")
	}
	return "", fmt.Errorf("not text: %v (%T)", v, v)
}

// AcquireLease takes or renews the named lease for holder until now+ttl, in one idempotent
// request guarded in SQL (never read-then-write across requests), then reads who holds it.
// Time is the caller's cluster-corrected time.
func AcquireLease(ctx context.Context, c Client, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	nowMs := now.UnixMilli()
	_, err := c.Execute(ctx, true, rqlite.S(`INSERT INTO leases(name, holder, expires_at) VALUES(?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at < ?`, name, holder, nowMs+ttl.Milliseconds(), nowMs))
	if err != nil && !errors.Is(err, rqlite.ErrIndeterminate) {
		return false, err
	}
	res, qerr := c.Query(ctx, rqlite.Linearizable, rqlite.S(`SELECT holder, expires_at FROM leases WHERE name = ?`, name))
	if qerr != nil {
		return false, qerr
	}
	if len(res) == 0 || len(res[0].Values) == 0 {
		return false, err
	}
	h, _ := res[0].Values[0][0].(string)
	exp, _ := asInt(res[0].Values[0][1])
	return h == holder && exp > nowMs, nil
}

// ReleaseLease gives the lease up if holder has it.
func ReleaseLease(ctx context.Context, c Client, name, holder string) error {
	_, err := c.Execute(ctx, true, rqlite.S(`UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ?`, name, holder))
	return err
}

// Compact removes change_log rows every active desktop has pulled and that are older than
// retain (SYNC.md §3.8). Sites not seen within active are ignored: they re-bootstrap from
// state. log_floor is raised in the same request as each deleted chunk, so a reader that
// misses rows always sees the new floor. Run it under a lease.
func Compact(ctx context.Context, c Client, now time.Time, retain, active time.Duration) (floor int64, deleted int64, err error) {
	nowMs := now.UnixMilli()
	res, err := c.Query(ctx, rqlite.Weak,
		rqlite.S(`SELECT min(pulled_seq) FROM sites WHERE seen_at >= ?`, nowMs-active.Milliseconds()),
		rqlite.S(`SELECT max(seq) FROM change_log WHERE created_at < ?`, nowMs-retain.Milliseconds()))
	if err != nil {
		return 0, 0, err
	}
	if len(res[0].Values) == 0 || res[0].Values[0][0] == nil || len(res[1].Values) == 0 || res[1].Values[0][0] == nil {
		return 0, 0, nil // no active site, or nothing old enough: keep everything
	}
	minPulled, err := asInt(res[0].Values[0][0])
	if err != nil {
		return 0, 0, err
	}
	maxOld, err := asInt(res[1].Values[0][0])
	if err != nil {
		return 0, 0, err
	}
	floor = min(minPulled, maxOld) + 1 // rows with seq < floor go
	for {
		r, err := c.Execute(ctx, true,
			rqlite.S(`UPDATE meta SET v = CAST(max(CAST(v AS INTEGER), ?) AS TEXT) WHERE k = 'log_floor'`, floor),
			rqlite.S(`DELETE FROM change_log WHERE seq IN (SELECT seq FROM change_log WHERE seq < ? ORDER BY seq LIMIT 10000)`, floor))
		if err != nil {
			return floor, deleted, err
		}
		deleted += r[1].RowsAffected
		if r[1].RowsAffected < 10000 {
			return floor, deleted, nil
		}
	}
}
