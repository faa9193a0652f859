package tracking

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/rqlite"
)

// Service is the desktop side of tracking: while the app runs it pulls the team cluster's
// hits (when a cluster is set) and ingests stored hits into contacts and events, so a hit is
// on the timeline within about a second of reaching the store.
type Service struct {
	Ingester *Ingester
	Log      *slog.Logger
	Poll     time.Duration

	mu      sync.Mutex
	cluster *rqlite.Client
	cancel  context.CancelFunc
	done    chan struct{}
	wake    chan struct{}
	lastErr string
}

// NewService builds the desktop tracking service over the contacts service.
func NewService(cs *contacts.Service, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{Ingester: &Ingester{Contacts: cs, Batch: 2000, Log: log}, Log: log, Poll: time.Second,
		wake: make(chan struct{}, 1)}
}

// SetCluster makes the loop pull hits from the team cluster (nil: local hits only).
func (s *Service) SetCluster(c *rqlite.Client) {
	s.mu.Lock()
	s.cluster = c
	s.mu.Unlock()
	s.Wake()
}

// Wake asks the loop to look for hits now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// LastError is the last pull or ingest failure ("" when the last round worked).
func (s *Service) LastError() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// Start runs the loop until Stop.
func (s *Service) Start() {
	s.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.mu.Lock()
	s.cancel, s.done = cancel, done
	s.mu.Unlock()
	go func() {
		defer close(done)
		s.run(ctx)
	}()
}

// Stop ends the loop; nothing is lost (every round is one transaction with its cursor).
func (s *Service) Stop() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Running says whether the loop runs.
func (s *Service) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancel != nil
}

func (s *Service) run(ctx context.Context) {
	t := time.NewTicker(s.Poll)
	defer t.Stop()
	for {
		busy, err := s.round(ctx)
		if ctx.Err() != nil {
			return
		}
		msg := ""
		if err != nil {
			msg = err.Error()
			if msg != s.LastError() {
				s.Log.Warn("tracking: hits not ingested yet", "err", err)
			}
		}
		s.mu.Lock()
		s.lastErr = msg
		s.mu.Unlock()
		if busy && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// round pulls one page from the cluster (if any) and ingests one batch; busy means more
// work is probably waiting.
func (s *Service) round(ctx context.Context) (bool, error) {
	s.mu.Lock()
	cl := s.cluster
	s.mu.Unlock()
	busy := false
	if cl != nil {
		n, err := Pull(ctx, cl, s.Ingester.db(), 5000)
		if err != nil && !strings.Contains(err.Error(), "no such table") {
			return false, err
		}
		busy = n >= 5000
	}
	st, err := s.Ingester.RunOnce(ctx)
	if err != nil {
		return false, err
	}
	return busy || st.Hits >= s.Ingester.Batch, nil
}
