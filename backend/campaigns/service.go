package campaigns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/ids"
)

func init() {
	db.Declare(db.Table{Name: "campaigns", Synced: true})
	db.Declare(db.Table{Name: "campaign_versions", Synced: true})
}

// Service manages campaigns and runs them.
type Service struct {
	db   *db.DB
	deps Deps

	mu      sync.Mutex
	stop    chan struct{}
	done    chan struct{}
	wake    chan struct{}
	running bool
	// dirtySegs are source segments whose membership changed since the last sync.
	dirtySegs map[string]bool
	lastSync  time.Time
	stats     map[string]statsEntry
	// dryRun (Simulate): webhooks are not called, their steps count as done.
	dryRun bool
	// afterCalls (tests) runs after webhook calls, before their outcomes are stored;
	// false drops the outcomes, as if the process died there.
	afterCalls func() bool
}

// New returns the service; Start runs the engine in the background.
func New(d *db.DB, deps Deps) *Service {
	s := &Service{db: d, deps: deps, wake: make(chan struct{}, 1)}
	register(d, s)
	return s
}

// DB returns the store.
func (s *Service) DB() *db.DB { return s.db }

const selectCampaign = `SELECT c.id, c.name, c.description, c.category, c.is_published, c.allow_restart, c.version,
	c.graph, c.date_modified, c.deleted,
	(SELECT count(*) FROM campaign_members m WHERE m.campaign_key = (SELECT k FROM campaign_keys WHERE campaign_id = c.id)
		AND m.manually_removed = 0)
	FROM campaigns c`

func scanCampaign(sc db.Scanner, withGraph bool) (Campaign, error) {
	var c Campaign
	var graph string
	var mod int64
	if err := sc.Scan(&c.ID, &c.Name, &c.Description, &c.Category, &c.Published, &c.AllowRestart, &c.Version,
		&graph, &mod, &c.Deleted, &c.Members); err != nil {
		return c, err
	}
	c.UpdatedAt = time.UnixMilli(mod).UTC().Format(time.RFC3339)
	c.Graph = Graph{Sources: []Source{}, Events: []Event{}}
	if withGraph {
		if err := json.Unmarshal([]byte(graph), &c.Graph); err != nil {
			return c, fmt.Errorf("campaigns: %s: stored graph: %w", c.ID, err)
		}
		normalize(&c.Graph)
	}
	return c, nil
}

func normalize(g *Graph) {
	if g.Sources == nil {
		g.Sources = []Source{}
	}
	if g.Events == nil {
		g.Events = []Event{}
	}
	for i := range g.Sources {
		if g.Sources[i].IDs == nil {
			g.Sources[i].IDs = []string{}
		}
	}
	for i := range g.Events {
		e := &g.Events[i]
		if e.Props == nil {
			e.Props = map[string]any{}
		}
		if e.Trigger.Mode == "" {
			e.Trigger.Mode = "immediate"
		}
		if e.Trigger.Weekdays == nil {
			e.Trigger.Weekdays = []int{}
		}
		if e.Parent != nil && *e.Parent == "" {
			e.Parent = nil
		}
	}
}

// Query filters the list.
type Query struct {
	Search string `json:"search"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Trash  bool   `json:"trash"`
}

// List returns campaigns by name (graphs omitted).
func (s *Service) List(ctx context.Context, q Query) ([]Campaign, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 200
	}
	where, args := " WHERE c.deleted = ?", []any{q.Trash}
	if t := strings.TrimSpace(q.Search); t != "" {
		where += " AND (c.name LIKE ? OR c.category LIKE ?)"
		args = append(args, "%"+t+"%", "%"+t+"%")
	}
	rows, err := s.db.R.QueryContext(ctx, selectCampaign+where+" ORDER BY c.name, c.id LIMIT ? OFFSET ?", append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Campaign{}
	for rows.Next() {
		c, err := scanCampaign(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func notFound(id string) error {
	return apperr.NotFoundf("campaigns.errors.notFound", map[string]any{"id": id}, "no campaign %q", id)
}

// Get returns one campaign with its draft graph.
func (s *Service) Get(ctx context.Context, id string) (Campaign, error) {
	c, err := scanCampaign(s.db.R.QueryRowContext(ctx, selectCampaign+" WHERE c.id = ?", id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound(id)
	}
	return c, err
}

// Save stores the draft (new or edited). A broken graph is saved as it is: the builder
// shows its problems, Publish refuses it.
func (s *Service) Save(ctx context.Context, in Input) (Campaign, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return Campaign{}, &apperr.Error{Code: apperr.Invalid, Key: "errors.fields", Msg: "name: required",
			Fields: map[string]string{"name": "campaigns.errors.nameRequired"}}
	}
	normalize(&in.Graph)
	graph, err := json.Marshal(in.Graph)
	if err != nil {
		return Campaign{}, err
	}
	id := in.ID
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		cols := db.Cols{"name": in.Name, "description": in.Description, "category": in.Category,
			"allow_restart": in.AllowRestart, "graph": string(graph), "date_modified": tx.NowMs()}
		if id == "" {
			id = ids.New()
			cols["date_added"] = tx.NowMs()
			return tx.Insert("campaigns", id, cols)
		}
		ok, err := tx.Update("campaigns", id, cols)
		if err != nil {
			return err
		}
		if !ok {
			return notFound(id)
		}
		return nil
	})
	if err != nil {
		return Campaign{}, err
	}
	return s.Get(ctx, id)
}

// Validate lists the problems of a graph against the store (emails, segments, campaigns).
func (s *Service) Validate(ctx context.Context, g Graph) ([]Problem, error) {
	normalize(&g)
	return ValidateGraph(g, s.db.Clock.Now(), s.lookup(ctx)), nil
}

func (s *Service) lookup(ctx context.Context) Lookup {
	return func(kind, id string) bool {
		var q string
		switch kind {
		case "email":
			q = "SELECT count(*) FROM emails WHERE id = ? AND deleted = 0"
		case "segment":
			q = "SELECT count(*) FROM segments WHERE (id = ? OR alias = ?) AND deleted = 0"
		case "campaign":
			q = "SELECT count(*) FROM campaigns WHERE id = ? AND deleted = 0"
		case "form":
			var n int
			// Forms come with issue 8; until their table exists any id is accepted.
			if err := s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'forms'").Scan(&n); err != nil || n == 0 {
				return true
			}
			q = "SELECT count(*) FROM forms WHERE id = ? AND deleted = 0"
		default:
			return true
		}
		args := []any{id}
		if strings.Count(q, "?") == 2 {
			args = append(args, id)
		}
		var n int
		if err := s.db.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return false
		}
		return n > 0
	}
}

// ProblemsError is the refusal of Publish: Params["problems"] lists them.
func ProblemsError(ps []Problem) error {
	msg := fmt.Sprintf("the campaign cannot be published: %d problem(s)", len(ps))
	if len(ps) > 0 {
		msg += ": " + ps[0].Message
	}
	return &apperr.Error{Code: apperr.Invalid, Key: "campaigns.errors.problems",
		Params: map[string]any{"count": len(ps), "problems": ps}, Msg: msg}
}

// Publish validates the draft, stores it as a new version and starts running it: the
// source segments' members enter at once.
func (s *Service) Publish(ctx context.Context, id string) (Campaign, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return c, err
	}
	if c.Deleted {
		return c, apperr.Invalidf("campaigns.errors.deleted", map[string]any{"id": id}, "campaign %q is in the trash", id)
	}
	ps, _ := s.Validate(ctx, c.Graph)
	if len(ps) > 0 {
		return c, ProblemsError(ps)
	}
	graph, _ := json.Marshal(c.Graph)
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		v := c.Version + 1
		if err := tx.Insert("campaign_versions", ids.Derived("campaign_version", id, fmt.Sprint(v)), db.Cols{
			"campaign_id": id, "version": v, "name": c.Name, "graph": string(graph), "published_at": tx.NowMs()}); err != nil {
			return err
		}
		if _, err := tx.Update("campaigns", id, db.Cols{"is_published": true, "version": v, "published_graph": string(graph)}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	invalidate()
	if _, err := s.SyncMembers(ctx, id); err != nil {
		return c, err
	}
	s.Wake()
	return s.Get(ctx, id)
}

// Unpublish stops the campaign: nothing runs until it is published again (scheduled rows
// wait).
func (s *Service) Unpublish(ctx context.Context, id string) (Campaign, error) {
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		ok, err := tx.Update("campaigns", id, db.Cols{"is_published": false})
		if err == nil && !ok {
			err = notFound(id)
		}
		return err
	})
	invalidate()
	if err != nil {
		return Campaign{}, err
	}
	return s.Get(ctx, id)
}

// Versions lists the published versions, newest first.
func (s *Service) Versions(ctx context.Context, id string) ([]Version, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT version, published_at, name FROM campaign_versions
		WHERE campaign_id = ? AND deleted = 0 ORDER BY version DESC`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		var at int64
		if err := rows.Scan(&v.Version, &at, &v.Name); err != nil {
			return nil, err
		}
		v.PublishedAt = time.UnixMilli(at).UTC().Format(time.RFC3339)
		out = append(out, v)
	}
	return out, rows.Err()
}

// RestoreVersion copies a published version's graph into the draft.
func (s *Service) RestoreVersion(ctx context.Context, id string, version int) (Campaign, error) {
	var graph string
	err := s.db.R.QueryRowContext(ctx, "SELECT graph FROM campaign_versions WHERE campaign_id = ? AND version = ? AND deleted = 0",
		id, version).Scan(&graph)
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, apperr.NotFoundf("campaigns.errors.versionNotFound", map[string]any{"id": id, "version": version},
			"campaign %q has no version %d", id, version)
	}
	if err != nil {
		return Campaign{}, err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Update("campaigns", id, db.Cols{"graph": graph, "date_modified": tx.NowMs()})
		return err
	})
	if err != nil {
		return Campaign{}, err
	}
	return s.Get(ctx, id)
}

// Delete moves a campaign to the trash (it stops running); Restore brings it back
// unpublished.
func (s *Service) Delete(ctx context.Context, id string) error {
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Update("campaigns", id, db.Cols{"is_published": false}); err != nil {
			return err
		}
		ok, err := tx.Delete("campaigns", id)
		if err == nil && !ok {
			err = notFound(id)
		}
		return err
	})
	invalidate()
	return err
}

// Restore takes a campaign out of the trash (unpublished).
func (s *Service) Restore(ctx context.Context, id string) error {
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		ok, err := tx.Restore("campaigns", id)
		if err == nil && !ok {
			err = notFound(id)
		}
		return err
	})
	invalidate()
	return err
}

// statsTTL is how long live counts are reused: every open builder refetches them on each
// "campaign_counts:changed" push (a few rows of campaign_counts, whatever the campaign's size).
const statsTTL = 200 * time.Millisecond

type statsEntry struct {
	at time.Time
	m  map[string]Counts
}

// Stats returns the live counts per event id (at most statsTTL old).
func (s *Service) Stats(ctx context.Context, id string) (map[string]Counts, error) {
	s.mu.Lock()
	e, ok := s.stats[id]
	s.mu.Unlock()
	if ok && time.Since(e.at) < statsTTL {
		return e.m, nil
	}
	m, err := s.countStats(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.stats == nil {
		s.stats = map[string]statsEntry{}
	}
	s.stats[id] = statsEntry{at: time.Now(), m: m}
	s.mu.Unlock()
	return m, nil
}

func (s *Service) countStats(ctx context.Context, id string) (map[string]Counts, error) {
	// campaign_counts is kept by the writers of campaign_log (counts.go): a few rows per
	// event, however many contacts run.
	rows, err := s.db.R.QueryContext(ctx, `SELECT k.event_id, n.status, n.n FROM campaign_step_keys k
		JOIN campaign_counts n ON n.step = k.k WHERE k.campaign_id = ? AND n.n <> 0`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Counts{}
	for rows.Next() {
		var ev, st string
		var n int
		if err := rows.Scan(&ev, &st, &n); err != nil {
			return nil, err
		}
		c := out[ev]
		switch st {
		case stDone, stSkipped:
			c.Done += n
		case stScheduled:
			c.Scheduled += n
		case stWaiting:
			c.Waiting += n
		case stFailed:
			c.Failed += n
		}
		out[ev] = c
	}
	return out, rows.Err()
}

// Export returns the campaign as portable JSON (name, settings, draft graph).
func (s *Service) Export(ctx context.Context, id string) (string, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(exported{Format: "magpie.campaign/1", Name: c.Name, Description: c.Description,
		Category: c.Category, AllowRestart: c.AllowRestart, Graph: c.Graph}, "", "  ")
	return string(b), err
}

type exported struct {
	Format       string `json:"format"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Category     string `json:"category"`
	AllowRestart bool   `json:"allowRestart"`
	Graph        Graph  `json:"graph"`
}

// Import creates a new unpublished campaign from Export's JSON.
func (s *Service) Import(ctx context.Context, text string) (Campaign, error) {
	var x exported
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&x); err != nil {
		return Campaign{}, apperr.Invalidf("campaigns.errors.importInvalid", map[string]any{"error": err.Error()},
			"not a campaign export: %v", err)
	}
	if x.Format != "" && x.Format != "magpie.campaign/1" {
		return Campaign{}, apperr.Invalidf("campaigns.errors.importFormat", map[string]any{"format": x.Format},
			"unknown campaign export format %q", x.Format)
	}
	return s.Save(ctx, Input{Name: x.Name, Description: x.Description, Category: x.Category, AllowRestart: x.AllowRestart, Graph: x.Graph})
}
