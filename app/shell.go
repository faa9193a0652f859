// Package app is the facade the frontend calls: one bound struct per area (Contacts,
// Companies, Fields, System...). Both shells expose exactly these methods: the Wails window
// through generated bindings, the browser through app/bridge. Methods are thin: decode,
// call the backend, map to DTOs; errors go through FormatError.
package app

import (
	"context"
	"log/slog"
	"sync"

	"magpie/backend/bus"
	"magpie/backend/core"
)

// Mode says which shell runs the app.
type Mode string

// Shell modes.
const (
	Desktop Mode = "desktop"
	Browser Mode = "browser"
)

// Shell holds what every bound struct shares. It is not bound itself (its exported methods
// would become frontend calls).
type Shell struct {
	core *core.Core
	mode Mode
	log  *slog.Logger

	mu      sync.Mutex
	ctx     context.Context
	emitter func(name string, data any)
	unsub   func()
	// firstCall is closed when the frontend first calls a binding (desktop smoke test).
	firstCall     chan struct{}
	firstCallOnce sync.Once

	dialogs Dialogs
}

// Dialogs are native file dialogs; only the desktop shell has them.
type Dialogs interface {
	OpenFile(title string, patterns []string) (string, error)
	SaveFile(title, defaultName string, patterns []string) (string, error)
	OpenFolder(path string) error
}

// NewShell builds the shell around an open backend.
func NewShell(c *core.Core, mode Mode, log *slog.Logger) *Shell {
	if log == nil {
		log = slog.Default()
	}
	if c != nil && c.Sync != nil {
		// Team sync runs in the background of both shells when the user turned it on.
		if err := c.Sync.AutoStart(); err != nil {
			log.Warn("team sync not started", "error", err)
		}
	}
	if c != nil && c.Emails != nil {
		c.Emails.StartBackground(log) // the open app sends what is queued (issue 6)
		c.FormsOutbox.Log = log
		c.FormsOutbox.Start() // form webhooks and emails to users (issue 9)
		c.PagesAB.Log = log
		c.PagesAB.Start() // landing page A/B winners chosen when due (issue 9)
	}
	if c != nil && c.Reports != nil {
		c.Reports.StartBackground(log) // scheduled reports; a missed one runs now, once (issue 8)
	}
	if c != nil && c.Tracking != nil {
		startTracking(c, log) // hits → events while the app runs (app/tracking.go)
	}
	if c != nil && c.Campaigns != nil {
		c.Campaigns.Start(log) // campaign steps run as they fall due (issue 7)
	}
	if c != nil && c.Dashboard != nil {
		c.Dashboard.Start() // keeps the dashboard's statistics current (issue 8)
	}
	return &Shell{core: c, mode: mode, log: log, ctx: context.Background(), firstCall: make(chan struct{})}
}

// Core returns the backend.
func (s *Shell) Core() *core.Core { return s.core }

// SetDialogs installs native dialogs (desktop only).
func (s *Shell) SetDialogs(d Dialogs) { s.dialogs = d }

// SetEmitter forwards every bus message to emit (Wails EventsEmit or the SSE hub).
func (s *Shell) SetEmitter(ctx context.Context, emit func(name string, data any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ctx = ctx
	s.emitter = emit
	if s.unsub != nil {
		s.unsub()
	}
	if s.core == nil {
		return // the store failed to open: the window only shows why (cli.runDesktop)
	}
	s.unsub = s.core.Bus.Subscribe(func(m bus.Message) { emit(m.Topic, m.Data) })
}

// FirstCall is closed once the frontend has called a Go binding.
func (s *Shell) FirstCall() <-chan struct{} { return s.firstCall }

func (s *Shell) called() {
	s.firstCallOnce.Do(func() { close(s.firstCall) })
}

func (s *Shell) context() context.Context {
	s.called()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctx
}

// Bindings returns the structs whose exported methods the frontend may call.
func (s *Shell) Bindings() []any {
	return []any{
		&System{s},
		&Contacts{s},
		&Companies{s},
		&Fields{s},
		&Jobs{s},
		&Imports{s},
		&Exports{s},
		&Sync{s},
		&Emails{s},
		&Segments{s},
		&Tracking{s},
		&Reports{s},
		&Forms{s}, &Assets{s},
		&Campaigns{s},
		&Points{s},
		&Dashboard{s},
		&Pages{s}, &DWC{s}, &Focus{s},
		&Users{s},
	}
}

// Shutdown releases the bus subscription.
func (s *Shell) Shutdown() {
	s.mu.Lock()
	if s.unsub != nil {
		s.unsub()
		s.unsub = nil
	}
	s.mu.Unlock()
}
