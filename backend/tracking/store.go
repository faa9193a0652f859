package tracking

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"magpie/backend/db"
)

// Store keeps hits durably. StoreHits must be idempotent per hit id: the pump sends a batch
// again after any failure or crash.
type Store interface {
	StoreHits(ctx context.Context, hits []Hit) error
	Name() string
}

// hitColumns are the hits table's columns written by stores, in order.
var hitColumns = []string{"id", "kind", "at", "device_id", "contact_id", "email_id", "send_id", "form_id",
	"url", "title", "referrer", "lang", "user_agent", "ip", "bot", "data"}

var insertHitSQL = "INSERT INTO hits(" + strings.Join(hitColumns, ", ") + ") VALUES(?" +
	strings.Repeat(", ?", len(hitColumns)-1) + ") ON CONFLICT(id) DO NOTHING"

// appendHitRefs appends h's row in the order of hitColumns, data being h.DataJSON(): the
// row's strings and time as pointers into h, which box without an allocation (eleven
// allocations per hit otherwise) — the local store's packed statements (db.Tx.ExecChunk) and
// the rqlite client take them. h and data must not change until the statement ran.
func appendHitRefs(args []any, h *Hit, data *string) []any {
	bot := 0
	if h.Bot {
		bot = 1
	}
	return append(args, &h.ID, (*string)(&h.Kind), &h.At, nzp(&h.Device), nzp(&h.Contact), nzp(&h.Email), nzp(&h.Send), nzp(&h.Form),
		nzp(&h.URL), nzp(&h.Title), nzp(&h.Referrer), nzp(&h.Lang), nzp(&h.UA), nzp(&h.IP), bot, nzp(data))
}

func nzp(s *string) any {
	if *s == "" {
		return nil
	}
	return s
}

func nz(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// SQLiteStore stores hits into the local store's hits table.
type SQLiteStore struct {
	DB *db.DB
	// OnStored, when set, is called after each committed batch (the in-process ingester
	// uses it to wake up).
	OnStored func()

	ckptOnce sync.Once
	ckpt     *db.Checkpointer
	ckptErr  error
}

// Name says where hits go.
func (s *SQLiteStore) Name() string { return "sqlite:" + s.DB.Path }

// insertHitsPrefix and insertHitsSuffix frame a multi-row INSERT of hits.
var (
	insertHitsPrefix = "INSERT INTO hits(" + strings.Join(hitColumns, ", ") + ")"
	insertHitsSuffix = " ON CONFLICT(id) DO NOTHING"
)

// sqliteRowsPerInsert is the size of the multi-row INSERTs the local store runs: a batch
// is whole chunks of this many rows (one statement, prepared once per transaction) and one
// shorter statement for the rest. The statement is prepared again in every transaction
// (db finalizes a Write's statements), and parsing 1,600 parameters cost ≈ 0.5 ms: 50 rows
// per statement measured 4 % less pump CPU per hit than 100 and no worse than 25
// (docs/BENCHMARKS.md § Tracking, branch trk3).
const sqliteRowsPerInsert = 50

var insertHitsChunkSQL = insertHitsSQL(sqliteRowsPerInsert)

// insertHitsSQL is the multi-row INSERT of n hits.
func insertHitsSQL(n int) string {
	one := "(?" + strings.Repeat(",?", len(hitColumns)-1) + ")"
	return insertHitsPrefix + " VALUES " + one + strings.Repeat(", "+one, n-1) + insertHitsSuffix
}

// StoreHits writes one batch in one transaction. The hits table is local (the tracker's
// input, never synced), so its rows go in as multi-row INSERTs on the writer connection's
// own SQLite handle (db.Tx.ExecChunk: a chunk's values bound in one cgo call, not one
// database/sql conversion and cgo call per value).
func (s *SQLiteStore) StoreHits(ctx context.Context, hits []Hit) error {
	err := s.DB.Write(ctx, func(tx *db.Tx) error {
		args := make([]any, 0, min(len(hits), sqliteRowsPerInsert)*len(hitColumns))
		// A chunk's data texts are built in one buffer (ends[k] = end of hit k's), read by
		// the statement through views that are dead once it ran.
		var text []byte
		ends := make([]int, min(len(hits), sqliteRowsPerInsert))
		data := make([]string, len(ends))
		for i := 0; i < len(hits); i += sqliteRowsPerInsert {
			chunk := hits[i:min(i+sqliteRowsPerInsert, len(hits))]
			text = text[:0]
			for k := range chunk {
				text = chunk[k].appendDataJSON(text)
				ends[k] = len(text)
			}
			args = args[:0]
			for k := range chunk {
				start := 0
				if k > 0 {
					start = ends[k-1]
				}
				data[k] = b2s(text[start:ends[k]])
				args = appendHitRefs(args, &chunk[k], &data[k])
			}
			q := insertHitsChunkSQL
			if len(chunk) < sqliteRowsPerInsert {
				q = insertHitsSQL(len(chunk))
			}
			if _, err := tx.ExecChunk(q, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && s.OnStored != nil {
		s.OnStored()
	}
	return err
}

// Pump moves spooled hits to the store in batches, retrying with backoff while the store is
// unavailable, and checkpoints the spool after each stored batch.
type Pump struct {
	Spool    *Spool
	Store    Store
	Batch    int // hits per batch (default 500)
	Log      *slog.Logger
	Metrics  *Metrics
	MaxRetry time.Duration // backoff cap (default 5 s)
	// Linger is how long a batch smaller than Batch waits for more hits before it is stored
	// (default 50 ms; fewer, larger store transactions under load).
	Linger time.Duration
	// InFlight is how many batches may be in the store at once (default 1). A remote rqlite
	// cluster answers each write after a Raft round trip; several batches in flight keep the
	// pump ahead of that latency. The checkpoint still advances in spool order (pump_inflight.go).
	InFlight int
	// SyncEvery paces a Syncer store's syncs under load (default 250 ms; pump_sync.go).
	SyncEvery time.Duration

	failing     atomic.Bool
	unsynced    Pos // end of what is stored but not yet synced (Syncer stores)
	hasUnsynced bool
	lastSync    time.Time
}

// Run pumps until ctx is canceled; on cancel it first drains what is already spooled (as
// long as the store accepts it within a short grace period).
func (p *Pump) Run(ctx context.Context) error {
	if p.Batch <= 0 {
		p.Batch = 500
	}
	if p.Log == nil {
		p.Log = slog.Default()
	}
	if p.MaxRetry <= 0 {
		p.MaxRetry = 5 * time.Second
	}
	if p.Linger <= 0 {
		p.Linger = 50 * time.Millisecond
	}
	if p.InFlight > 1 {
		return p.runInFlight(ctx)
	}
	for {
		recs, err := p.next(ctx)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			if ctx.Err() != nil {
				return p.drain()
			}
			if err := p.syncIfPending(ctx); err != nil { // idle: make what is stored durable
				return err
			}
			continue
		}
		if err := p.store(ctx, recs); err != nil {
			return err
		}
	}
}

// next reads the next batch: it waits for a first record, then up to Linger for a full batch.
// It returns no records and no error when ctx ends (or when a read failed and was logged),
// and an error only when ctx ended during the pause after a failed read.
func (p *Pump) next(ctx context.Context) ([]Record, error) {
	stop := ctx.Done()
	if p.hasUnsynced { // stored but not yet synced: give up waiting soon, and sync (Run)
		wctx, cancel := context.WithTimeout(ctx, idleSyncAfter)
		defer cancel()
		stop = wctx.Done()
	}
	recs, err := p.Spool.Read(p.Batch, stop)
	if err == nil && len(recs) > 0 && len(recs) < p.Batch && ctx.Err() == nil {
		sleepCtx(ctx, p.Linger)
		more, merr := p.Spool.readAvailable(p.Batch - len(recs))
		recs = append(recs, more...) // on error, store what was read; the next Read reports it
		if merr != nil {
			p.Log.Warn("tracking: spool read failed while batching", "err", merr)
		}
	}
	if err != nil {
		p.Log.Error("tracking: spool read failed", "err", err)
		if !sleepCtx(ctx, time.Second) {
			return nil, ctx.Err()
		}
		return nil, nil
	}
	return recs, nil
}

// drain stores what is left after cancellation, with a bounded grace period.
func (p *Pump) drain() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		recs, err := p.Spool.readAvailable(p.Batch)
		if err != nil || len(recs) == 0 {
			if serr := p.syncIfPending(ctx); err == nil {
				err = serr
			}
			return err
		}
		if err := p.store(ctx, recs); err != nil {
			return err
		}
	}
}

func (p *Pump) store(ctx context.Context, recs []Record) error {
	if err := p.put(ctx, recs); err != nil {
		return err
	}
	return p.commit(ctx, recs[len(recs)-1].End, false)
}

// hitBatches holds the pump's decoded batches for the next ones (with their data maps): a
// batch of 500 hits is ≈ 125 KB, and a fresh one per batch was the pump's largest
// allocation. A batch's hits are not kept once StoreHits returns.
var hitBatches = sync.Pool{New: func() any { return new([]Hit) }}

// decodeRecords decodes recs into hits (reusing its elements' data maps beyond its length),
// dropping undecodable records.
func decodeRecords(hits []Hit, recs []Record, log *slog.Logger) []Hit {
	for _, r := range recs {
		if len(hits) == cap(hits) {
			hits = append(hits, Hit{})
		} else {
			hits = hits[:len(hits)+1]
		}
		if err := decodeOwned(&hits[len(hits)-1], r.Data); err != nil { // records are freshly read and not reused
			log.Error("tracking: dropping undecodable spooled record", "err", err)
			hits = hits[:len(hits)-1]
		}
	}
	return hits
}

// put stores the records' hits, retrying with backoff until the store takes them or ctx ends.
func (p *Pump) put(ctx context.Context, recs []Record) error {
	hp := hitBatches.Get().(*[]Hit)
	defer hitBatches.Put(hp)
	*hp = decodeRecords((*hp)[:0], recs, p.Log)
	hits := *hp
	backoff := 50 * time.Millisecond
	for {
		start := time.Now()
		err := p.Store.StoreHits(ctx, hits)
		diag.add(&diag.store, time.Since(start))
		if time.Since(start) > 15*time.Millisecond {
			diag.event("store", time.Since(start))
		}
		if err == nil {
			if p.failing.CompareAndSwap(true, false) {
				p.Log.Info("tracking: store reachable again; draining the spool", "store", p.Store.Name(),
					"pending_bytes", p.Spool.Pending())
			}
			if p.Metrics != nil {
				p.Metrics.Stored.Add(int64(len(hits)))
				p.Metrics.StoreBatches.Add(1)
				p.Metrics.StoreNanos.Add(time.Since(start).Nanoseconds())
			}
			return nil
		}
		if p.Metrics != nil {
			p.Metrics.StoreErrors.Add(1)
		}
		if p.failing.CompareAndSwap(false, true) {
			p.Log.Warn("tracking: store unavailable; hits wait in the spool", "store", p.Store.Name(), "err", err,
				"pending_bytes", p.Spool.Pending())
		}
		if !sleepCtx(ctx, backoff) {
			return ctx.Err()
		}
		backoff = min(backoff*2, p.MaxRetry)
	}
}

// Failing reports whether the last store attempt failed.
func (p *Pump) Failing() bool { return p.failing.Load() }

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
