package tracking

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// CatchUpMin is the default backlog of queued hits from which ingest runs in catch-up mode.
const CatchUpMin = 50_000

// catchUpTables are the tables ingest writes at random positions of their secondary
// indexes (keys start with hashed visitor ids or repeat a few values before the contact
// id); catchUpKeep are the indexes kept because ingest itself and what runs inside it
// read them: a contact's events (timeline, points, segment checks of one contact, session
// recounts, merges) and a contact's URLs (segment checks, merges).
var (
	catchUpTables = []string{"events", "contact_stats", "contact_urls", "contact_devices", "contact_utm"}
	catchUpKeep   = []string{"events_contact", "contact_urls_contact"}
)

// catchUp enters catch-up mode when the queued backlog is at least CatchUpMin hits and
// at least the size of the event log (a first pull of a team tracker's history, a desktop
// that was off for weeks): the secondary indexes of the log and of the behaviour
// aggregates other than catchUpKeep are dropped (db.DeferIndexes: saved in meta, rebuilt
// when the backlog is drained — by RunOnce — or by db.Open after a crash) and batches are
// four times larger. Rebuilding sorts each index once, which is far cheaper than the
// millions of random index inserts it replaces. Queries that name a dropped index
// (INDEXED BY) fail until then; the others scan.
func (g *Ingester) catchUp(ctx context.Context) error {
	if g.restore != nil || g.NoCatchUp {
		return nil
	}
	r := g.db().R
	var cur string
	if err := r.QueryRowContext(ctx, "SELECT v FROM meta WHERE k = ?", CursorKey).Scan(&cur); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	after, _ := strconv.ParseInt(cur, 10, 64)
	var top, logged sql.NullInt64
	if err := r.QueryRowContext(ctx, "SELECT max(seq) FROM hits").Scan(&top); err != nil {
		return err
	}
	backlog := top.Int64 - after
	if min := cmp.Or(g.CatchUpMin, CatchUpMin); backlog < int64(min) {
		return nil
	}
	if err := r.QueryRowContext(ctx, "SELECT max(seq) FROM events").Scan(&logged); err != nil {
		return err
	}
	if backlog < logged.Int64 {
		return nil
	}
	restore, err := g.db().DeferIndexes(ctx, catchUpTables, catchUpKeep)
	if err != nil {
		return fmt.Errorf("tracking: catch-up mode: %w", err)
	}
	g.restore = restore
	if g.Log != nil {
		g.Log.Info("tracking: ingest catching up; indexes deferred", "backlog", backlog, "events", logged.Int64)
	}
	return nil
}

// batchSize is the hits per transaction: Batch, four times more in catch-up mode.
func (g *Ingester) batchSize() int {
	if g.restore != nil {
		return 4 * g.Batch
	}
	return g.Batch
}

// caughtUp leaves catch-up mode: the deferred indexes are rebuilt.
func (g *Ingester) caughtUp(ctx context.Context) error {
	if g.restore == nil {
		return nil
	}
	if err := g.restore(ctx); err != nil {
		return fmt.Errorf("tracking: rebuild indexes after catching up: %w", err)
	}
	g.restore = nil
	return nil
}
