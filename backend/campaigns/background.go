package campaigns

import (
	"context"
	"log/slog"
	"time"

	"magpie/backend/db"
)

// Start runs the engine in the background: membership of published campaigns is synced
// with their source segments (at start, after publish and when a source segment changes),
// and due steps run as they fall due. Overdue work from while the app was closed runs first,
// in trigger order.
func (s *Service) Start(log *slog.Logger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running || s.db.W == nil {
		return
	}
	if log == nil {
		log = slog.Default()
	}
	s.running = true
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-s.stop
		cancel()
	}()
	go s.loop(ctx, log)
}

// Stop ends the background runner and waits for the batch in flight (which commits or
// rolls back whole).
func (s *Service) Stop() {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return
	}
	s.running = false
	close(s.stop)
	done := s.done
	s.mu.Unlock()
	<-done
}

// syncEvery spaces membership syncs triggered by segment changes.
var syncEvery = 2 * time.Second

func (s *Service) loop(ctx context.Context, log *slog.Logger) {
	defer close(s.done)
	syncAll := true
	for {
		if s.deps.Lease != nil && !s.deps.Lease.Held(ctx) {
			// Another device of the team runs campaigns; look again later.
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Minute):
			}
			syncAll = true
			continue
		}
		if syncAll {
			s.syncDirty(ctx, log, true)
			syncAll = false
		} else {
			s.syncDirty(ctx, log, false)
		}
		if st, err := s.Run(ctx, RunOptions{}); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("campaigns: run", "error", err)
		} else if st.Steps > 0 {
			log.Debug("campaigns: ran", "steps", st.Steps, "elapsed", st.Elapsed)
		}
		wait := 30 * time.Second
		s.mu.Lock()
		if len(s.dirtySegs) > 0 {
			wait = syncEvery // come back for the pending segment changes
		}
		s.mu.Unlock()
		var next int64
		if err := s.db.R.QueryRowContext(ctx, `SELECT coalesce(min(trigger_at), 0) FROM campaign_log WHERE status IN ('scheduled', 'waiting')
			AND trigger_at < ?`, int64(never)).Scan(&next); err == nil && next > 0 {
			if d := time.Until(time.UnixMilli(next)); d < wait {
				wait = d
			}
		}
		if wait < 50*time.Millisecond {
			wait = 50 * time.Millisecond
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// syncDirty syncs the campaigns whose source segments changed (all published ones when
// all is set).
func (s *Service) syncDirty(ctx context.Context, log *slog.Logger, all bool) {
	s.mu.Lock()
	if !all && time.Since(s.lastSync) < syncEvery {
		s.mu.Unlock() // a full sync is set-based but reads every member: at most every syncEvery
		return
	}
	dirty := s.dirtySegs
	s.dirtySegs = nil
	if all || len(dirty) > 0 {
		s.lastSync = time.Now()
	}
	s.mu.Unlock()
	if !all && len(dirty) == 0 {
		return
	}
	var ids []string
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		ids, err = publishedIDs(tx)
		return err
	})
	if err != nil {
		return
	}
	for _, id := range ids {
		c, err := s.published(ctx, id)
		if err != nil || c == nil {
			continue
		}
		hit := all
		for _, src := range c.graph.Sources {
			for _, sid := range src.IDs {
				if src.Type == "segment" && dirty[sid] {
					hit = true
				}
			}
		}
		if !hit {
			continue
		}
		if _, err := s.SyncMembers(ctx, id); err != nil && ctx.Err() == nil {
			log.Warn("campaigns: membership sync", "campaign", id, "error", err)
		}
	}
}

// published loads a campaign's published graph (nil when not published).
func (s *Service) published(ctx context.Context, id string) (*compiled, error) {
	var c *compiled
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		c, err = load(txQuerier{tx}, id)
		return err
	})
	return c, err
}

// SyncAll syncs the membership of every published campaign with its source segments; it
// returns how many contacts entered or exited.
func (s *Service) SyncAll(ctx context.Context) (int, error) {
	var ids []string
	if err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		ids, err = publishedIDs(tx)
		return err
	}); err != nil {
		return 0, err
	}
	total := 0
	for _, id := range ids {
		n, err := s.SyncMembers(ctx, id)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
