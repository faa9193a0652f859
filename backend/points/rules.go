package points

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
)

func init() {
	events.OnAppendLazy(onEvent) // match.go settles the aggregates it reads
	contacts.OnMerge(mergeScores)
}

// action is a compiled point action.
type action struct {
	id, name, typ, group, groupName string
	delta                           int64
	repeatable                      bool
	up, down                        int64 // publish window in ms (0 = open)
	p                               Props
	ids                             map[string]bool // emails/pages/forms/assets; empty = any
}

// trigger is a compiled point trigger.
type trigger struct {
	id, name, group string
	points          int64
	up, down        int64
	events          []TriggerEvent
}

// rules is everything the live hook needs, loaded once per change of the definitions.
type rules struct {
	byType   map[events.Type][]*action
	triggers map[string][]*trigger // by group id ("" = main points), ascending threshold
	groups   map[string]string     // live group id → name
}

// cache holds one store's compiled rules; gen counts invalidations so a load that raced
// with a definition change is not kept.
type cache struct {
	mu  sync.Mutex
	gen uint64
	r   *rules
}

var caches sync.Map // *db.DB → *cache

var watched = []string{"point_actions", "point_triggers", "point_groups"}

func cacheOf(d *db.DB) *cache {
	if c, ok := caches.Load(d); ok {
		return c.(*cache)
	}
	c, loaded := caches.LoadOrStore(d, &cache{})
	if !loaded {
		cc := c.(*cache)
		d.OnCommit(func(cm db.Commit) {
			if cm.Touches(watched...) {
				cc.invalidate()
			}
		})
	}
	return c.(*cache)
}

func (c *cache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.r = nil
	c.mu.Unlock()
}

// rulesFor returns the store's compiled rules, loading them from committed data (the read
// pool, never the writing transaction, so a rolled-back definition is never cached).
func rulesFor(ctx context.Context, d *db.DB) (*rules, error) {
	c := cacheOf(d)
	c.mu.Lock()
	r, gen := c.r, c.gen
	c.mu.Unlock()
	if r != nil {
		return r, nil
	}
	r, err := load(ctx, d.R)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.r = r
	}
	c.mu.Unlock()
	return r, nil
}

// eventTypes maps action types to the events that can satisfy them.
var eventTypes = map[string]events.Type{EmailOpen: events.EmailRead, EmailSend: events.EmailSent, EmailClick: events.EmailClicked,
	URLHit: events.PageHit, PageHit: events.PageHit, PageVisits: events.PageHit, FormSubmit: events.FormSubmitted,
	AssetDownload: events.AssetDownloaded}

func load(ctx context.Context, r *sql.DB) (*rules, error) {
	out := &rules{byType: map[events.Type][]*action{}, triggers: map[string][]*trigger{}, groups: map[string]string{}}
	rows, err := r.QueryContext(ctx, "SELECT id, name FROM point_groups WHERE deleted = 0 AND is_published = 1")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		out.groups[id] = name
	}
	rows.Close()
	arows, err := r.QueryContext(ctx, selectAction+" WHERE a.deleted = 0 AND a.is_published = 1 ORDER BY a.date_added, a.id")
	if err != nil {
		return nil, err
	}
	defer arows.Close()
	for arows.Next() {
		a, err := scanAction(arows)
		if err != nil {
			return nil, err
		}
		if a.GroupID != "" && out.groups[a.GroupID] == "" {
			continue // its group is trashed or unpublished
		}
		ca := &action{id: a.ID, name: a.Name, typ: a.Type, group: a.GroupID, groupName: a.GroupName, delta: a.Delta,
			repeatable: a.Repeatable, p: a.Props, ids: map[string]bool{}}
		ca.up, ca.down = window(a.PublishUp, a.PublishDown)
		for _, l := range [][]string{a.Props.Emails, a.Props.Pages, a.Props.Forms, a.Props.Assets} {
			for _, id := range l {
				ca.ids[id] = true
			}
		}
		et := eventTypes[a.Type]
		out.byType[et] = append(out.byType[et], ca)
	}
	if err := arows.Err(); err != nil {
		return nil, err
	}
	trows, err := r.QueryContext(ctx, selectTrigger+" WHERE t.deleted = 0 AND t.is_published = 1")
	if err != nil {
		return nil, err
	}
	defer trows.Close()
	for trows.Next() {
		t, err := scanTrigger(trows)
		if err != nil {
			return nil, err
		}
		if t.GroupID != "" && out.groups[t.GroupID] == "" {
			continue
		}
		out.triggers[t.GroupID] = append(out.triggers[t.GroupID], compileTrigger(t))
	}
	for _, l := range out.triggers {
		sort.SliceStable(l, func(i, j int) bool { return l[i].points < l[j].points })
	}
	return out, trows.Err()
}

func compileTrigger(t Trigger) *trigger {
	ct := &trigger{id: t.ID, name: t.Name, group: t.GroupID, points: t.Points, events: t.Events}
	ct.up, ct.down = window(t.PublishUp, t.PublishDown)
	return ct
}

func window(up, down *time.Time) (int64, int64) {
	var u, d int64
	if up != nil {
		u = up.UnixMilli()
	}
	if down != nil {
		d = down.UnixMilli()
	}
	return u, d
}

func live(up, down, now int64) bool { return (up == 0 || now >= up) && (down == 0 || now < down) }

// onEvent is the live hook: point actions for behaviour events, triggers for points changes.
// Its own writes append points.changed, tag, segment and stage events, which never match a
// point action, so it cannot recurse beyond one trigger pass.
func onEvent(tx *db.Tx, e events.Event) error {
	switch e.Type {
	case events.PointsChanged:
		return onPointsChanged(tx, e)
	case events.EmailRead, events.EmailSent, events.EmailClicked, events.PageHit, events.FormSubmitted, events.AssetDownloaded:
	default:
		return nil
	}
	r, err := rulesFor(tx.Ctx(), tx.DB())
	if err != nil {
		return fmt.Errorf("points: rules: %w", err)
	}
	acts := r.byType[e.Type]
	if len(acts) == 0 {
		return nil
	}
	var u map[string]*hitStat
	for _, a := range acts {
		ok, err := a.matches(tx, e, &u)
		if err != nil {
			return fmt.Errorf("points: action %q: %w", a.name, err)
		}
		if !ok {
			continue
		}
		if err := a.apply(tx, e); err != nil {
			return fmt.Errorf("points: action %q: %w", a.name, err)
		}
	}
	return nil
}

// apply logs the action for the contact (once ever unless repeatable) and changes the score.
func (a *action) apply(tx *db.Tx, e events.Event) error {
	at := e.At.UnixMilli()
	q := `INSERT INTO point_action_log(action_id, contact_id, n, first_at, last_at) VALUES(?, ?, 1, ?, ?)
		ON CONFLICT(action_id, contact_id) DO NOTHING`
	if a.repeatable {
		q = `INSERT INTO point_action_log(action_id, contact_id, n, first_at, last_at) VALUES(?, ?, 1, ?, ?)
			ON CONFLICT(action_id, contact_id) DO UPDATE SET n = n + 1, last_at = max(last_at, excluded.last_at)`
	}
	r, err := tx.Exec(q, a.id, e.ContactID, at, at)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return nil // a non-repeatable action already applied to this contact
	}
	data := map[string]any{"actionId": a.id, "actionType": a.typ, "eventId": e.ID}
	err = change(tx, e.ContactID, a.delta, a.group, a.groupName, a.name, "points", data)
	if errors.Is(err, contacts.ErrNotFound) {
		return nil // the contact is in the trash: its event is kept, no points
	}
	return err
}

func onPointsChanged(tx *db.Tx, e events.Event) error {
	r, err := rulesFor(tx.Ctx(), tx.DB())
	if err != nil {
		return fmt.Errorf("points: rules: %w", err)
	}
	group, _ := e.Data["group"].(string)
	ts := r.triggers[group]
	if len(ts) == 0 {
		return nil
	}
	key := "points"
	if group != "" {
		key = "score"
	}
	val, ok := asInt(e.Data[key])
	if !ok {
		return nil
	}
	now := tx.NowMs()
	for _, t := range ts {
		if t.points > val {
			break
		}
		if !live(t.up, t.down, now) {
			continue
		}
		if err := fire(tx, t, e.ContactID); err != nil {
			return err
		}
	}
	return nil
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		return int64(x), true
	}
	return 0, false
}
