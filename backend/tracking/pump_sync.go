package tracking

import (
	"context"
	"sync"
	"time"
)

// Syncer is a Store whose StoreHits may return before the batch is durable (the local
// SQLite store commits with synchronous=NORMAL: a commit reaches the WAL in the page cache,
// not the disk, so the spool's group commits are the only fsyncs on the request path).
// Sync makes every batch stored before the call durable. The pump moves the spool's
// checkpoint — which lets the spool forget records — only to positions stored before a
// successful Sync: after a power cut the spool still holds every hit the store may have lost,
// and sends it again (hit ids are idempotency keys).
type Syncer interface {
	Sync(ctx context.Context) error
}

// defaultSyncEvery paces the store's syncs under load: frequent enough that each one
// flushes a few MB (at 20k hits/s ≈ 13 MB/s of WAL), not the 80 MB of SQLite's automatic
// checkpoint, whose flush held the spool's fdatasync for 150–180 ms
// (docs/BENCHMARKS.md § Tracking).
const defaultSyncEvery = 250 * time.Millisecond

// idleSyncAfter: when no record arrived for this long after a stored batch, the spool is
// idle and the pump syncs the store at once.
const idleSyncAfter = 5 * time.Millisecond

// commit records that everything before end is stored. For a Syncer store the spool's
// checkpoint moves only after a Sync: at once when the spool has nothing more to read
// (idle) or SyncEvery has passed since the last one, else on a later call.
func (p *Pump) commit(ctx context.Context, end Pos, idle bool) error {
	syncer, ok := p.Store.(Syncer)
	if !ok {
		return p.Spool.Commit(end)
	}
	p.unsynced, p.hasUnsynced = end, true
	every := p.SyncEvery
	if every <= 0 {
		every = defaultSyncEvery
	}
	if !idle && time.Since(p.lastSync) < every {
		return nil
	}
	return p.syncNow(ctx, syncer)
}

// syncIfPending syncs what is stored but not yet durable (the spool went idle, or the pump
// stops).
func (p *Pump) syncIfPending(ctx context.Context) error {
	if !p.hasUnsynced {
		return nil
	}
	syncer, ok := p.Store.(Syncer)
	if !ok {
		return nil
	}
	return p.syncNow(ctx, syncer)
}

func (p *Pump) syncNow(ctx context.Context, syncer Syncer) error {
	end := p.unsynced
	start := time.Now()
	p.lastSync = start
	if err := syncer.Sync(ctx); err != nil {
		// The records stay in the spool; the next commit tries again.
		p.Log.Warn("tracking: store sync failed; hits stay in the spool", "store", p.Store.Name(), "err", err)
		return nil
	}
	diag.add(&diag.storeSync, time.Since(start))
	diag.event("store-sync", time.Since(start))
	if p.Metrics != nil {
		p.Metrics.StoreSyncs.Add(1)
		p.Metrics.StoreSyncNanos.Add(time.Since(start).Nanoseconds())
	}
	p.hasUnsynced = false
	return p.Spool.Commit(end)
}

// commitSynced is commit for the in-flight pump: a Syncer store is synced before every
// checkpoint move (a failed sync leaves the checkpoint where it is).
func (p *Pump) commitSynced(ctx context.Context, end Pos) error {
	if syncer, ok := p.Store.(Syncer); ok {
		if err := syncer.Sync(ctx); err != nil {
			p.Log.Warn("tracking: store sync failed; hits stay in the spool", "store", p.Store.Name(), "err", err)
			return nil
		}
	}
	return p.Spool.Commit(end)
}

// Sync makes every committed batch durable: a PASSIVE checkpoint on a connection of its own
// fsyncs the WAL (synchronous=NORMAL syncs it before copying) and, when it copied every frame,
// the database file; it never blocks the writer. Run between the pump's transactions, the
// copy is normally complete, so the next transaction restarts the WAL from its beginning and
// the WAL stays a few MB.
func (s *SQLiteStore) Sync(ctx context.Context) error {
	s.ckptOnce.Do(func() { s.ckpt, s.ckptErr = s.DB.NewCheckpointer() })
	if s.ckptErr != nil {
		return s.ckptErr
	}
	_, _, err := s.ckpt.Run(ctx)
	return err
}

// Close releases the checkpoint connection (the next Sync opens another); call it once the
// pump has stopped.
func (s *SQLiteStore) Close() error {
	var err error
	if s.ckpt != nil {
		err = s.ckpt.Close()
	}
	s.ckpt, s.ckptErr, s.ckptOnce = nil, nil, sync.Once{}
	return err
}
