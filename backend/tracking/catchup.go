package tracking

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/ids"
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
	catchUpKeep   = []string{"events_contact_type", "contact_urls_contact"}
)

// catchUp enters catch-up mode when the queued backlog is at least CatchUpMin hits and
// at least the size of the event log (a first pull of a team tracker's history, a desktop
// that was off for weeks): the secondary indexes of the log and of the behaviour
// aggregates other than catchUpKeep are dropped (db.DeferIndexes: saved in meta, rebuilt
// when the backlog is drained — by RunOnce — or by db.Open after a crash) and batches are
// twice as large. Rebuilding sorts each index once, which is far cheaper than the
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
	tables, keep := catchUpTables, catchUpKeep
	// New visitors go into contacts (about one per ten hits in a backlog of page views):
	// defer its sort and dashboard indexes too when it is small next to the backlog, keeping
	// the email look-up that identification reads.
	var people int64
	if err := r.QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&people); err != nil {
		return err
	}
	if people <= backlog/4 {
		tables = append(append([]string{}, tables...), "contacts")
		keep = append(append([]string{}, keep...), "contacts_email")
	}
	restore, err := g.db().DeferIndexes(ctx, tables, keep)
	if err != nil {
		return fmt.Errorf("tracking: catch-up mode: %w", err)
	}
	g.restore = restore
	// The aggregates of the catch-up's events are held in memory and written once per
	// contact for many batches (events.Carry; docs/TRACKING.md "Catch-up mode").
	if g.carry, err = events.NewCarry(ctx, g.db()); err != nil {
		return fmt.Errorf("tracking: catch-up mode: %w", err)
	}
	g.active.Clear()
	g.seen = map[ids.Key]int64{}
	// What the carry holds is live heap (≈ 600 bytes a contact): with the collector's
	// default headroom (as much again) the 1M-hit bench peaked at 339 MB. A soft limit on
	// the Go heap while catching up makes the collector run more often instead — on the
	// second core, which the writer leaves mostly idle.
	g.memLimit = debug.SetMemoryLimit(catchUpMemLimit)
	// A 48 MiB writer cache while catching up (caughtUp puts the default back): a stream
	// whose batches touch contacts all over the store (returning visitors) fills the 64 MiB
	// default, which took the 1M-hit sessions bench to 318 MB peak RSS; 259 MB at 48 MiB
	// (32 MiB: 275 MB but +10–14 % CPU on the default stream; docs/BENCHMARKS.md § Desktop
	// ingest, third pass).
	if _, err := g.db().W.ExecContext(ctx, "PRAGMA cache_size = -49152"); err != nil {
		return fmt.Errorf("tracking: catch-up mode: %w", err)
	}
	if err := g.startCheckpointer(ctx); err != nil {
		return fmt.Errorf("tracking: catch-up mode: %w", err)
	}
	if g.Log != nil {
		g.Log.Info("tracking: ingest catching up; indexes deferred", "backlog", backlog, "events", logged.Int64)
	}
	return nil
}

// batchSize is the hits per transaction: Batch, twice as many in catch-up mode (fewer
// commits of the same hot pages; more would hold more hits and aggregates in memory).
func (g *Ingester) batchSize() int {
	if g.restore != nil {
		return 2 * g.Batch
	}
	return g.Batch
}

// caughtUp leaves catch-up mode: the deferred indexes are rebuilt.
func (g *Ingester) caughtUp(ctx context.Context) error {
	if g.restore == nil {
		return nil
	}
	t0 := time.Now()
	if err := g.writeCarry(ctx); err != nil {
		return err
	}
	g.LastCatchUp.Carry = time.Since(t0)
	g.carry.Close()
	g.carry = nil
	debug.SetMemoryLimit(g.memLimit)
	// The store's background checkpoints stay on through the rebuild, which commits each
	// index apart: the ≈ 170 MB of index pages the rebuild writes to the WAL at 1M hits are
	// copied into the database file on the other core while the next index is sorted,
	// instead of by the writer's automatic checkpoint inside the last commit (≈ 0.7–1.2 s
	// of the end's wall, docs/BENCHMARKS.md § Desktop ingest, branch ing4).
	release := g.stopKicks()
	defer release() // idempotent
	// The batches' garbage goes back to the OS before the rebuild's sorter takes its memory:
	// at 1M hits the rebuild is the peak of the process's RSS.
	g.dropPrefetch()
	debug.FreeOSMemory()
	// The rebuild sorts every event once per index: let SQLite's sorter spill to a
	// temporary file instead of growing in memory (the store keeps temp_store = MEMORY for
	// its small temporary tables), with a smaller page cache, which also bounds each sort
	// thread's in-memory runs (at 1M hits the rebuild took peak RSS from 190 to 299 MB
	// with the 64 MiB cache), then go back.
	w := g.db().W
	for _, p := range []string{"PRAGMA temp_store = FILE", "PRAGMA cache_size = -16384"} {
		if _, err := w.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	defer func() {
		w.ExecContext(context.Background(), "PRAGMA temp_store = MEMORY")
		w.ExecContext(context.Background(), "PRAGMA cache_size = -65536") // the store's default (db.dsn)
	}()
	// Single-threaded sorts: one helper thread (MAGPIE_REBUILD_THREADS=1) measured no
	// faster at 1M hits (docs/BENCHMARKS.md § Desktop ingest, fourth pass).
	t0 = time.Now()
	if err := g.db().RestoreIndexesEach(ctx, g.rebuildThreads()); err != nil {
		return fmt.Errorf("tracking: rebuild indexes after catching up: %w", err)
	}
	release() // its last checkpoint copies what the background one has not yet
	g.LastCatchUp.Rebuild = time.Since(t0)
	g.restore = nil
	return nil
}

// catchUpMemLimit is the soft limit of the Go heap while catching up (debug.SetMemoryLimit):
// the store's page cache (48 MiB then) and SQLite's other memory come on top. 1M-hit bench,
// idle (lead, 12:14–12:25): 160 MiB peaked at 313 MB on the sessions stream (40.0 s) and
// 278 MB on the default one (46.3 s); 140 MiB at 294 MB (42.8 s) and 258 MB (49.8 s); 120 MiB
// thrashed the collector on the default stream (93 s, 159 s of CPU).
const catchUpMemLimit = 140 << 20

// carryMax is how many contacts' aggregates a catch-up holds in memory at most (a few
// hundred bytes each) before writing them.
const carryMax = 200_000

// writeCarry writes the aggregates the catch-up carries, in one transaction (a failure
// leaves them owed: the next write reads them from the log).
func (g *Ingester) writeCarry(ctx context.Context) error {
	c := g.carry
	if c == nil {
		return nil
	}
	// last_active first, 10,000 contacts per transaction (each derived change is held for
	// the commit hooks: 100k in one transaction took the sessions bench to 339 MB); a
	// maximum, so a crash before c.Write's commit just recomputes it from the owed ranges.
	type active struct {
		id string
		at int64
	}
	all := make([]active, 0, g.active.Len())
	g.active.All(func(id string, at int64) { all = append(all, active{id, at}) })
	slices.SortFunc(all, func(a, b active) int { return strings.Compare(a.id, b.id) })
	for len(all) > 0 {
		part := make(map[string]int64, min(len(all), 10000))
		for _, a := range all[:min(len(all), 10000)] {
			part[a.id] = a.at
		}
		all = all[len(part):]
		if err := g.db().Write(ctx, func(tx *db.Tx) error { return deriveCarried(tx, part) }); err != nil {
			c.Failed()
			return fmt.Errorf("tracking: write the catch-up's last_active: %w", err)
		}
	}
	if err := g.writeSeen(ctx); err != nil {
		c.Failed()
		return fmt.Errorf("tracking: write the catch-up's last_seen: %w", err)
	}
	err := g.db().Write(ctx, c.Write)
	if err != nil {
		c.Failed()
		return fmt.Errorf("tracking: write the catch-up's aggregates: %w", err)
	}
	c.Written()
	g.active.Clear()
	g.kickCheckpoint()
	return nil
}

// CatchUpTimes say where the end of the last catch-up went (bench figures).
type CatchUpTimes struct {
	Carry   time.Duration // writing the carried aggregates
	Rebuild time.Duration // rebuilding the deferred indexes
}

// rebuildThreads is the sorter helper threads of the index rebuild (MAGPIE_REBUILD_THREADS
// overrides it for measurements).
func (g *Ingester) rebuildThreads() int {
	if n, err := strconv.Atoi(os.Getenv("MAGPIE_REBUILD_THREADS")); err == nil {
		return n
	}
	return 0
}
