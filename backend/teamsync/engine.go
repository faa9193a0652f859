// Package teamsync replicates every desktop's synced tables through the team's rqlite
// cluster (../shared/SYNC.md §3): a transactional outbox filled on the store's one write
// path, idempotent pushes into an append-only change_log, cursor pulls applied in one local
// transaction, per-column last-writer-wins by (HLC, site), tombstones as ordinary
// columns, epochs and bootstrap, schema versions, and a lease for single-runner jobs.
//
// Nothing here is specific to a table: a table syncs by being declared Synced (db.Declare).
package teamsync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"magpie/backend/clock"
	"magpie/backend/db"
	"magpie/backend/ids"
)

// Meta keys of the local store.
const (
	keySite     = "sync.site"
	keySiteFile = "sync.site_file"
	keyHLC      = "sync.hlc"
	keyCursor   = "sync.cursor"
	keyEpoch    = "sync.epoch"
	keyLastSync = "sync.last_sync_ms"
)

// Options tune an engine.
type Options struct {
	// SchemaVersion is the data schema this app writes (default db.SchemaVersion()).
	SchemaVersion int
	PushBatch     int           // changes per push request (default 500)
	PageSize      int           // changes per pull page (default 1000)
	Poll          time.Duration // pull interval of Run (default 3 s)
	// MaxAhead is how far ahead of corrected time a remote HLC may be and still be
	// adopted (default 24 h); later ones are parked.
	MaxAhead time.Duration
	Log      *slog.Logger
	// NoClockCorrection keeps the local wall clock as the HLC's physical time instead of
	// correcting it by the cluster's Date headers (tests that simulate skew).
	NoClockCorrection bool
	// AfterApply runs after teammates' changes to these tables were applied (outside the
	// transaction); core uses it to add the columns of custom fields that arrived.
	// Parked changes are retried right after it.
	AfterApply func(ctx context.Context, tables map[string]bool) error
	// AppVersion and User are reported in the cluster's sites table.
	AppVersion, User string
}

// Engine is the sync state of one local store.
type Engine struct {
	d    *db.DB
	opt  Options
	wall *offsetClock
	hlc  *clock.HLC
	site string
	log  *slog.Logger

	cycle sync.Mutex // one push/pull at a time

	mu     sync.Mutex
	st     Status
	client Client
	feed   []FeedItem

	kick      chan struct{}
	savedLast int64 // last persisted LastSyncMs (cycle goroutine only)
	// test hooks: simulated crashes.
	afterSend   func() error // after a push was acknowledged, before the outbox is cleared
	recounted   func()       // after a bulk commit's recount read the counts (tests)
	beforeSaved func() error // after a page was applied, before the cursor is saved
	schemaOK    atomic.Bool
	recounting  atomic.Bool // a bulk commit's refreshCounts is running (recount)
	recountDue  atomic.Bool // a bulk commit came after the running recount began
	colsets     sync.Map    // column set id -> *colsetEntry (rowclock.go)
}

// Open attaches sync to a store: it loads (or makes) the site id and the HLC and installs
// the recorder, so every later edit of a synced table lands in the outbox, connected or not.
func Open(ctx context.Context, d *db.DB, opt Options) (*Engine, error) {
	if opt.SchemaVersion == 0 {
		opt.SchemaVersion = db.SchemaVersion()
	}
	if opt.PushBatch <= 0 {
		opt.PushBatch = 500
	}
	if opt.PageSize <= 0 {
		opt.PageSize = 1000
	}
	if opt.Poll <= 0 {
		opt.Poll = 3 * time.Second
	}
	if opt.MaxAhead <= 0 {
		opt.MaxAhead = 24 * time.Hour
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	e := &Engine{d: d, opt: opt, wall: &offsetClock{base: d.Clock}, log: opt.Log, kick: make(chan struct{}, 1)}
	site, err := e.loadSite(ctx)
	if err != nil {
		return nil, err
	}
	e.site = site
	last, err := e.metaInt(ctx, keyHLC)
	if err != nil {
		return nil, err
	}
	e.hlc = clock.NewHLC(e.wall, last)
	e.st.SiteID = site
	e.st.State = StateOff
	d.SetRecorder(e)
	d.OnCommit(e.onCommit)
	if err := e.restoreDeferredIndexes(ctx); err != nil {
		return nil, err
	}
	if err := e.refreshCounts(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Site is this installation's site id.
func (e *Engine) Site() string { return e.site }

// HLC returns the greatest clock value issued or observed.
func (e *Engine) HLC() int64 { return e.hlc.Last() }

// loadSite returns the persisted site id, or a new one for a new store or a copied file
// (a shared site id would break the uniqueness of (hlc, site)).
func (e *Engine) loadSite(ctx context.Context) (string, error) {
	site, err := e.d.Meta(ctx, keySite)
	if err != nil {
		return "", err
	}
	ident := db.FileIdentity(e.d.Path)
	stored, err := e.d.Meta(ctx, keySiteFile)
	if err != nil {
		return "", err
	}
	fresh := site == "" || (ident != "" && stored != "" && stored != ident)
	if fresh {
		if site != "" {
			e.log.Warn("sync: database file was copied or restored; this installation gets a new site id",
				"old_site", site, "path", e.d.Path)
		}
		site = ids.New()
	}
	if fresh || stored != ident {
		err = e.d.Write(ctx, func(tx *db.Tx) error {
			if err := tx.SetMeta(keySite, site); err != nil {
				return err
			}
			return tx.SetMeta(keySiteFile, ident)
		})
	}
	return site, err
}

func (e *Engine) metaInt(ctx context.Context, k string) (int64, error) {
	v, err := e.d.Meta(ctx, k)
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("sync: local meta %s = %q is not a number", k, v)
	}
	return n, nil
}

// Record is the db.Recorder: it runs inside the editing transaction and writes the cells'
// clocks, one outbox entry and the HLC, so the edit and its change commit together.
func (e *Engine) Record(tx *db.Tx, ch db.Change) error {
	tb, ok := db.TableOf(ch.Table)
	if !ok {
		return fmt.Errorf("sync: table %s is not declared", ch.Table)
	}
	var ed edits
	if err := e.stage(tx, &ed, tb, ch); err != nil {
		return err
	}
	return e.writeEdits(tx, &ed)
}

// edits are recorded changes staged for their statements: each one's clocks (a row clock
// for an insert, cell clocks otherwise) and outbox row, at the HLC taken when staged.
type edits struct {
	rows, cells []rowClock
	outbox      [][]any
	last        int64
}

// stage is Record's work for one change but the statements: writeEdits stores what a run
// of stage calls gathered, in the same order and with the same clocks as Records would.
func (e *Engine) stage(tx *db.Tx, ed *edits, tb *db.Table, ch db.Change) error {
	written := ch.Columns()
	cols := make(db.Cols, len(written))
	for k, v := range written {
		if !isLocal(tb, k) {
			cols[k] = v
		}
	}
	if len(cols) == 0 {
		return nil
	}
	enc, err := encodeCols(cols)
	if err != nil {
		return fmt.Errorf("sync: %s %s: %w", ch.Table, ch.ID, err)
	}
	h := e.hlc.Now()
	rc := rowClock{tbl: ch.Table, row: ch.ID, cols: sortedCols(cols), hlc: h, site: e.site}
	if ch.Op == db.OpInsert {
		// A new row: one row clock for all its columns (rowclock.go).
		ed.rows = append(ed.rows, rc)
	} else {
		ed.cells = append(ed.cells, rc)
	}
	ed.outbox = append(ed.outbox, []any{ids.New(), ch.Table, ch.ID, enc, h, e.site, e.opt.SchemaVersion, tx.NowMs()})
	ed.last = h
	return nil
}

// writeEdits stores the staged clocks and outbox rows (multi-row statements).
func (e *Engine) writeEdits(tx *db.Tx, ed *edits) error {
	if len(ed.outbox) == 0 {
		return nil
	}
	if len(ed.rows) > 0 {
		if err := e.writeRowClocks(tx, ed.rows); err != nil {
			return fmt.Errorf("sync: row clocks: %w", err)
		}
	}
	if len(ed.cells) > 0 {
		if err := writeCellClocks(tx, ed.cells); err != nil {
			return err
		}
	}
	if err := tx.ExecMany("INSERT INTO sync_outbox(change_id, tbl, row_id, cols, hlc, site, schema_ver, created_at)", "", 8, ed.outbox); err != nil {
		return fmt.Errorf("sync: outbox: %w", err)
	}
	return tx.SetMeta(keyHLC, strconv.FormatInt(ed.last, 10))
}

func isLocal(tb *db.Table, col string) bool {
	for _, l := range tb.Local {
		if l == col {
			return true
		}
	}
	return false
}

// onCommit counts pending edits and wakes the loop to push them soon.
func (e *Engine) onCommit(c db.Commit) {
	local := 0
	var remote []db.Change
	for _, ch := range c.Changes {
		if ch.Remote {
			remote = append(remote, ch)
		} else if tb, ok := db.TableOf(ch.Table); ok && tb.Synced && !ch.Derived {
			local++
		}
	}
	bulk := false
	for _, name := range c.Bulk {
		if tb, ok := db.TableOf(name); ok && tb.Synced {
			bulk = true // (its count is read back from the outbox below)
		}
	}
	e.mu.Lock()
	e.st.Pending += local
	// Shown as local time: our clock, not the (maybe skewed) cluster's that e.wall follows.
	now := e.d.Clock.Now().UnixMilli()
	if len(remote) > feedSize { // a bootstrap page: only the newest fit the feed
		remote = remote[len(remote)-feedSize:]
	}
	for _, ch := range remote {
		e.feed = append(e.feed, FeedItem{Table: ch.Table, RowID: ch.ID, Cols: sortedCols(ch.Columns()), AtMs: now})
	}
	if n := len(e.feed); n > feedSize {
		e.feed = append([]FeedItem(nil), e.feed[n-feedSize:]...)
	}
	e.mu.Unlock()
	if bulk {
		e.recount()
	}
	if local > 0 || bulk {
		select {
		case e.kick <- struct{}{}:
		default:
		}
	}
}

// recount refreshes the counts after a bulk commit, off the hook (hooks never block) and
// one at a time (a bulk import commits every 25k rows): a commit that comes while a recount
// runs gets another one after it, so the last count read follows the last commit.
func (e *Engine) recount() {
	e.recountDue.Store(true)
	if !e.recounting.CompareAndSwap(false, true) {
		return // the running one sees recountDue when it ends
	}
	go func() {
		for {
			e.recountDue.Store(false)
			_ = e.refreshCounts(context.Background())
			if e.recounted != nil {
				e.recounted()
			}
			e.recounting.Store(false)
			if !e.recountDue.Load() || !e.recounting.CompareAndSwap(false, true) {
				return // (a commit in between started its own)
			}
		}
	}()
}

func (e *Engine) refreshCounts(ctx context.Context) error {
	var pending, rejected, parked int
	var cursor, last sql.NullString
	err := e.d.R.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sync_outbox WHERE state = 0) + (SELECT coalesce(sum(n), 0) FROM sync_outbox_batch),
		(SELECT count(*) FROM sync_outbox WHERE state = 2),
		(SELECT count(*) FROM sync_parked),
		(SELECT v FROM meta WHERE k = ?),
		(SELECT v FROM meta WHERE k = ?)`, keyCursor, keyLastSync).Scan(&pending, &rejected, &parked, &cursor, &last)
	if err != nil {
		return err
	}
	c, _ := strconv.ParseInt(cursor.String, 10, 64)
	l, _ := strconv.ParseInt(last.String, 10, 64)
	e.mu.Lock()
	e.st.Pending, e.st.Rejected, e.st.Parked, e.st.Cursor = pending, rejected, parked, c
	if l > e.st.LastSyncMs {
		e.st.LastSyncMs = l
	}
	e.mu.Unlock()
	return nil
}

// offsetClock is the wall clock corrected by the cluster's measured offset.
type offsetClock struct {
	base   clock.Clock
	offset atomic.Int64
}

func (o *offsetClock) Now() time.Time { return o.base.Now().Add(time.Duration(o.offset.Load())) }

var errCrash = errors.New("sync: simulated crash")

// skewWarn is the clock difference with the cluster above which the badge warns.
const skewWarn = 2 * time.Minute
