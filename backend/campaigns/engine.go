package campaigns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/emails"
	"magpie/backend/segments"
)

// Log statuses.
const (
	stScheduled = "scheduled"
	stWaiting   = "waiting"
	stDone      = "done"
	stFailed    = "failed"
	stSkipped   = "skipped"
	stCanceled  = "canceled"
	stAdjust    = "adjust" // inserted, its contact-zone trigger not computed yet (inside one transaction only)
)

// countsTopic is the commit signal (bus "campaign_counts:changed", id = the campaign) of a
// transaction that changed a campaign's live counts: open builders refetch Stats on it.
const countsTopic = "campaign_counts"

// never is the trigger of a waiting decision without a no path.
const never = math.MaxInt64

// maxAttempts is how often a failing action runs before it is marked failed.
const maxAttempts = 3

// Deps are the services actions use.
type Deps struct {
	Contacts *contacts.Service
	Segments *segments.Service
	Emails   *emails.Service
	HTTP     *http.Client // webhooks; nil = a client with a 10 s timeout
	// Lease (optional) says whether this installation is the team's executor: in a team
	// only the device holding it runs campaigns in the background (the one that sends).
	Lease interface {
		Held(ctx context.Context) bool
	}
}

// compiled is a published graph ready to run.
type compiled struct {
	id           string
	version      int
	published    bool
	allowRestart bool
	name         string
	graph        Graph
	byID         map[string]*Event
	kids         map[string][]*Event // parent id ("" = roots) → children in graph order
}

func compile(id string, version int, published, restart bool, name, graph string) (*compiled, error) {
	c := &compiled{id: id, version: version, published: published, allowRestart: restart, name: name,
		byID: map[string]*Event{}, kids: map[string][]*Event{}}
	if graph != "" {
		if err := json.Unmarshal([]byte(graph), &c.graph); err != nil {
			return nil, fmt.Errorf("campaigns: %s: published graph: %w", id, err)
		}
	}
	normalize(&c.graph)
	for i := range c.graph.Events {
		e := &c.graph.Events[i]
		c.byID[e.ID] = e
		c.kids[e.ParentID()] = append(c.kids[e.ParentID()], e)
	}
	return c, nil
}

// children returns the children of parent on path ("" = every child of an action).
func (c *compiled) children(parent, path string) []*Event {
	var out []*Event
	for _, e := range c.kids[parent] {
		if path == "" || e.Path == path {
			out = append(out, e)
		}
	}
	return out
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*compiled{}
)

// invalidate drops cached graphs (after publish/unpublish/delete).
func invalidate() {
	cacheMu.Lock()
	cache = map[string]*compiled{}
	cacheMu.Unlock()
}

type querier interface {
	QueryRow(q string, args ...any) *sql.Row
}

// load returns the published graph of a campaign read through q (a transaction), cached
// by version; nil when the campaign is not published (or deleted).
func load(q querier, id string) (*compiled, error) {
	var version int
	var published, restart bool
	var name string
	err := q.QueryRow("SELECT version, is_published AND deleted = 0, allow_restart, name FROM campaigns WHERE id = ?", id).
		Scan(&version, &published, &restart, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cacheMu.Lock()
	c := cache[id]
	cacheMu.Unlock()
	if c != nil && c.version == version && c.published == published && c.allowRestart == restart && c.name == name {
		if !published {
			return nil, nil
		}
		return c, nil
	}
	var graph sql.NullString
	if err := q.QueryRow("SELECT published_graph FROM campaigns WHERE id = ?", id).Scan(&graph); err != nil {
		return nil, err
	}
	c, err = compile(id, version, published, restart, name, graph.String)
	if err != nil {
		return nil, err
	}
	cacheMu.Lock()
	cache[id] = c
	cacheMu.Unlock()
	if !published {
		return nil, nil
	}
	return c, nil
}

type txQuerier struct{ tx *db.Tx }

func (t txQuerier) QueryRow(q string, args ...any) *sql.Row { return t.tx.QueryRow(q, args...) }

func register(d *db.DB, s *Service) { d.OnCommit(s.onCommit) }

func (s *Service) onCommit(c db.Commit) {
	wake := false
	for _, sg := range c.Signals {
		switch sg.Topic {
		case "campaign_log":
			wake = true
		case segments.Topic + "s": // a segment's membership changed
			s.mu.Lock()
			if s.dirtySegs == nil {
				s.dirtySegs = map[string]bool{}
			}
			s.dirtySegs[sg.ID] = true
			s.mu.Unlock()
			wake = true
		}
	}
	if wake {
		s.Wake()
	}
}

// Wake asks the background runner to look for due work now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func ms(t time.Time) int64 { return t.UnixMilli() }
