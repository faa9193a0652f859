package teamsync

import (
	"context"
	"strings"
	"time"

	"magpie/backend/db"
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
	// Label names the row as it reads now ("Ann Smith", a company's or segment's name…),
	// empty when the table has no name-like column or the row is gone.
	Label string `json:"label"`
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

// Feed returns the latest teammate changes applied here, newest last, each with its row's
// current label (read now, in one query per table).
func (e *Engine) Feed() []FeedItem {
	e.mu.Lock()
	out := append([]FeedItem{}, e.feed...)
	e.mu.Unlock()
	e.labelFeed(context.Background(), out)
	return out
}

// labelExprs are the SQL expressions naming a row, tried in order: the first whose columns
// all exist in the table is used.
var labelExprs = []struct {
	cols []string
	expr string
}{
	{[]string{"firstname", "lastname", "email"}, `coalesce(nullif(trim(coalesce(firstname, '') || ' ' || coalesce(lastname, '')), ''), email, '')`},
	{[]string{"name"}, `coalesce(name, '')`},
	{[]string{"title"}, `coalesce(title, '')`},
	{[]string{"label"}, `coalesce(label, '')`},
	{[]string{"alias"}, `coalesce(alias, '')`},
}

// labelFeed fills each item's Label from its table (best effort: a table without a name-like
// column, or a read error, leaves labels empty).
func (e *Engine) labelFeed(ctx context.Context, items []FeedItem) {
	byTbl := map[string][]int{}
	for i, it := range items {
		byTbl[it.Table] = append(byTbl[it.Table], i)
	}
	for tbl, idx := range byTbl {
		if _, ok := db.TableOf(tbl); !ok {
			continue
		}
		have := map[string]bool{}
		cols, err := db.Strings(e.d.R.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, tbl))
		if err != nil {
			continue
		}
		for _, c := range cols {
			have[c] = true
		}
		expr := ""
		for _, l := range labelExprs {
			ok := true
			for _, c := range l.cols {
				ok = ok && have[c]
			}
			if ok {
				expr = l.expr
				break
			}
		}
		if expr == "" {
			continue
		}
		ids := make([]any, 0, len(idx))
		for _, i := range idx {
			ids = append(ids, items[i].RowID)
		}
		rows, err := e.d.R.QueryContext(ctx, `SELECT id, `+expr+` FROM `+db.Quote(tbl)+
			` WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...)
		if err != nil {
			continue
		}
		label := map[string]string{}
		for rows.Next() {
			var id, l string
			if rows.Scan(&id, &l) == nil {
				label[id] = l
			}
		}
		rows.Close()
		for _, i := range idx {
			items[i].Label = label[items[i].RowID]
		}
	}
}

func (e *Engine) setStatus(f func(*Status)) {
	e.mu.Lock()
	f(&e.st)
	e.mu.Unlock()
}
