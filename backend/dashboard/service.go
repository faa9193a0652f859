// Package dashboard is the home board (issue 8, MAUTIC.md §10): Mautic's widgets (contacts
// created, page visits, emails sent/read/clicked over time, top lists, contacts by country,
// segment sizes, upcoming campaign events, recent activity, points and stages funnels) over
// one date range, each answered by its own query so a failing widget shows its error in
// place while the others render. Time series and top lists read small daily rollups kept by
// a catch-up over the event log (rollup.go); contact widgets read one covering index.
// Boards (which widgets, their order and size) are saved per user in dash_layouts.
package dashboard

import (
	"context"
	"sync"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
)

// Service answers dashboard queries and keeps the rollups current.
type Service struct {
	db      *db.DB
	catchMu sync.Mutex
	// liveContacts makes the contact widgets count contacts instead of reading the
	// rollup (tests compare the two).
	liveContacts bool

	mu     sync.Mutex
	tz     *time.Location
	kick   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	closed bool
}

// New builds the service on an open store.
func New(d *db.DB) *Service {
	return &Service{db: d, tz: time.UTC, kick: make(chan struct{}, 1)}
}

// LoadTimezone reads the app's time zone (meta "timezone", as segments); days are in it.
func (s *Service) LoadTimezone(ctx context.Context) {
	name, err := s.db.Meta(ctx, "timezone")
	loc := time.UTC
	if err == nil && name != "" {
		if l, lerr := time.LoadLocation(name); lerr == nil {
			loc = l
		}
	}
	s.mu.Lock()
	s.tz = loc
	s.mu.Unlock()
}

func (s *Service) loc() *time.Location {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tz
}

// Start keeps the rollups current in the background: after each commit that appended
// events, new events are folded (debounced). Stop ends it.
func (s *Service) Start() {
	if s.db.W == nil {
		return
	}
	s.mu.Lock()
	if s.stop != nil {
		s.mu.Unlock()
		return
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	s.mu.Unlock()
	s.db.OnCommit(func(c db.Commit) {
		// New events, or contacts (the contacts rollup's marked days).
		if c.Signalled(events.Topic) || c.Touches("contacts") {
			s.Kick()
		}
	})
	go s.loop()
	s.Kick() // fold what arrived while the app was closed
}

// Kick asks the background loop to fold new events.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *Service) loop() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		}
		// Debounce bursts (imports commit every few thousand rows).
		select {
		case <-s.stop:
			return
		case <-time.After(500 * time.Millisecond):
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-s.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		_, _ = s.CatchUp(ctx, 0) // an error is retried on the next kick; Board reports lag
		cancel()
	}
}

// Stop ends the background loop (waits for the chunk in progress).
func (s *Service) Stop() {
	s.mu.Lock()
	if s.stop == nil || s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	<-s.done
}
