package teamsync

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strconv"
	"time"

	"magpie/backend/db"
	"magpie/backend/rqlite"
)

// SetClient connects the engine to a cluster (nil disconnects).
func (e *Engine) SetClient(c Client) {
	e.mu.Lock()
	e.client = c
	if c == nil {
		e.st.State = StateOff
		e.st.LastError = ""
	}
	e.mu.Unlock()
	e.schemaOK.Store(false)
}

func (e *Engine) currentClient() Client {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.client
}

// ErrNotConnected is returned by sync calls before SetClient.
var ErrNotConnected = errors.New("sync: not connected to a cluster")

// SyncOnce runs one full cycle: make sure the cluster has our tables, retry parked
// changes, pull to the end of the log (bootstrapping when needed), then push every pending
// edit (unless the cluster's schema is newer than ours). It is safe to call concurrently
// with edits; cycles themselves are serialised.
func (e *Engine) SyncOnce(ctx context.Context) error {
	c := e.currentClient()
	if c == nil {
		return ErrNotConnected
	}
	e.cycle.Lock()
	defer e.cycle.Unlock()
	e.setStatus(func(s *Status) { s.State = StateSyncing })
	err := e.cycleOnce(ctx, c)
	e.refreshCounts(context.WithoutCancel(ctx))
	e.setStatus(func(s *Status) {
		switch {
		case err == nil && s.NeedsUpgrade:
			s.State = StateError
			s.LastError = fmt.Sprintf("the team's cluster uses a newer data schema (%d > %d): update Magpie to send your changes; "+
				"teammates' changes still arrive", s.ServerSchema, e.opt.SchemaVersion)
		case err == nil:
			s.State = StateUpToDate
			s.LastError = ""
			s.LastSyncMs = e.d.Clock.Now().UnixMilli() // our clock: the UI shows it as local time (e.wall follows a skewed cluster)
			if s.Pending > 0 || s.Cursor < s.ServerSeq {
				s.State = StateSyncing
			}
		case errors.Is(err, rqlite.ErrAuth):
			s.State = StateError
			s.LastError = err.Error()
		case errors.Is(err, rqlite.ErrIndeterminate) || errors.Is(err, context.DeadlineExceeded):
			s.State = StateOffline
			s.LastError = err.Error()
		default:
			s.State = StateError
			s.LastError = err.Error()
		}
	})
	if err != nil {
		e.log.Warn("sync: cycle failed; will retry", "error", err)
		return err
	}
	// Persist the last success (for `magpie sync status` in another process), at most
	// once a minute so an idle loop does not write every poll.
	if now := e.d.Clock.Now().UnixMilli(); now-e.savedLast >= 60_000 {
		if err := e.d.SetMeta(context.WithoutCancel(ctx), keyLastSync, strconv.FormatInt(now, 10)); err == nil {
			e.savedLast = now
		}
	}
	return nil
}

func (e *Engine) cycleOnce(ctx context.Context, c Client) error {
	if !e.schemaOK.Load() {
		if err := EnsureSchema(ctx, c, e.opt.SchemaVersion); err != nil {
			return err
		}
		e.schemaOK.Store(true)
	}
	if e.Status().Parked > 0 {
		if err := e.retryParked(ctx); err != nil {
			return err
		}
	}
	if err := e.pullAll(ctx, c); err != nil {
		return err
	}
	if e.Status().NeedsUpgrade {
		return nil // stop pushing: our rows would be in an older shape
	}
	epoch, err := e.d.Meta(ctx, keyEpoch)
	if err != nil {
		return err
	}
	for {
		n, err := e.pushBatch(ctx, c, epoch)
		if errors.Is(err, errEpoch) {
			if err := e.Bootstrap(ctx, c); err != nil {
				return err
			}
			if epoch, err = e.d.Meta(ctx, keyEpoch); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	return e.reportSite(ctx, c)
}

func (e *Engine) pullAll(ctx context.Context, c Client) error {
	for boots := 0; ; {
		_, more, err := e.pullPage(ctx, c)
		if errors.Is(err, errNeedBootstrap) {
			if boots++; boots > 3 {
				return fmt.Errorf("sync: bootstrap did not settle after %d tries", boots)
			}
			if err := e.Bootstrap(ctx, c); err != nil {
				return err
			}
			continue
		}
		if err != nil || !more {
			return err
		}
	}
}

// Pull pulls to the end of the log (tests and `magpie sync --once`).
func (e *Engine) Pull(ctx context.Context) error {
	c := e.currentClient()
	if c == nil {
		return ErrNotConnected
	}
	e.cycle.Lock()
	defer e.cycle.Unlock()
	if err := EnsureSchema(ctx, c, e.opt.SchemaVersion); err != nil {
		return err
	}
	return e.pullAll(ctx, c)
}

func (e *Engine) retryParked(ctx context.Context) error {
	return e.d.Write(ctx, func(tx *db.Tx) error {
		m := e.newMerger(tx)
		if err := m.retryParked(); err != nil {
			return err
		}
		return e.observe(tx, m.maxHLC)
	})
}

func (e *Engine) reportSite(ctx context.Context, c Client) error {
	cursor, err := e.metaInt(ctx, keyCursor)
	if err != nil {
		return err
	}
	_, err = c.Execute(ctx, true, rqlite.S(`INSERT INTO sites(site_id, user, app_version, schema_ver, pulled_seq, seen_at)
		VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(site_id) DO UPDATE SET user = excluded.user, app_version = excluded.app_version,
		schema_ver = excluded.schema_ver, pulled_seq = excluded.pulled_seq, seen_at = excluded.seen_at`,
		e.site, e.opt.User, e.opt.AppVersion, e.opt.SchemaVersion, cursor, e.wall.Now().UnixMilli()))
	return err
}

// Run syncs until ctx ends: a cycle every Poll, right after local edits, with exponential
// backoff and jitter (200 ms to 30 s) while the cluster fails.
func (e *Engine) Run(ctx context.Context) {
	backoff := time.Duration(0)
	for {
		err := e.SyncOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := e.opt.Poll
		if err != nil {
			backoff = min(max(200*time.Millisecond, backoff*2), 30*time.Second)
			wait = backoff/2 + time.Duration(rand.Int63n(int64(backoff/2)+1))
		} else {
			backoff = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-e.kick:
			t.Stop()
			if err != nil {
				// Still failing: do not hammer the cluster on every edit.
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		}
	}
}

// Now is the cluster-corrected time this engine uses.
func (e *Engine) Now() time.Time { return e.wall.Now() }

// Holder is this process's lease holder name.
func (e *Engine) Holder() string { return e.site + "/" + instance }

var instance = fmt.Sprintf("%08x", rand.Uint32())
