package teamsync

import (
	"context"
	"time"

	"magpie/backend/rqlite"
)

// Client is the part of the rqlite client the engine uses.
type Client interface {
	Execute(ctx context.Context, tx bool, stmts ...rqlite.Statement) ([]rqlite.Result, error)
	Query(ctx context.Context, level rqlite.Level, stmts ...rqlite.Statement) ([]rqlite.Result, error)
	ServerDate() (time.Time, bool)
}

// State is the badge state.
type State string

// The states of the status badge.
const (
	StateOff      State = "off"      // not connected to a cluster
	StateOffline  State = "offline"  // connected, but the cluster cannot be reached
	StateSyncing  State = "syncing"  // a push or pull is running
	StateUpToDate State = "uptodate" // nothing pending, last pull reached the end
	StateError    State = "error"    // the cluster answers but refuses (credentials, newer schema)
)

// Status is what the badge and `magpie sync status` show.
type Status struct {
	State        State  `json:"state"`
	SiteID       string `json:"siteId"`
	Epoch        string `json:"epoch"`
	Pending      int    `json:"pending"`  // local edits not yet on the cluster
	Rejected     int    `json:"rejected"` // local edits the cluster refused (shown, not retried)
	Parked       int    `json:"parked"`   // teammates' changes this version cannot apply yet
	Cursor       int64  `json:"cursor"`
	ServerSeq    int64  `json:"serverSeq"`
	LastSyncMs   int64  `json:"lastSyncMs"` // last complete pull+push
	LastError    string `json:"lastError,omitempty"`
	ClockSkewMs  int64  `json:"clockSkewMs"` // cluster clock minus ours
	SkewWarning  bool   `json:"skewWarning"` // |skew| > 2 min
	NeedsUpgrade bool   `json:"needsUpgrade"`
	ServerSchema int    `json:"serverSchema"`
	LocalSchema  int    `json:"localSchema"`
	// Progress of a bootstrap or a long pull: done of total changes (0/0 when idle).
	ProgressDone  int64 `json:"progressDone"`
	ProgressTotal int64 `json:"progressTotal"`
}

// FeedItem is one teammate change applied here, for the "what changed" feed.
type FeedItem struct {
	Table string   `json:"table"`
	RowID string   `json:"rowId"`
	Cols  []string `json:"cols"`
	AtMs  int64    `json:"atMs"`
}

const feedSize = 100

// Status returns the current status.
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.st
	s.LocalSchema = e.opt.SchemaVersion
	return s
}

// Feed returns the latest teammate changes applied here, newest last.
func (e *Engine) Feed() []FeedItem {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]FeedItem{}, e.feed...)
}

func (e *Engine) setStatus(f func(*Status)) {
	e.mu.Lock()
	f(&e.st)
	e.mu.Unlock()
}
