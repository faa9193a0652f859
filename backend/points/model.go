// Package points is Mautic's scoring (MAUTIC.md §7.1–7.3): point actions turn what a contact
// does (opens, clicks, visits, form submissions, downloads) into ± points on the contact's
// main score or a point group; point triggers act once per contact when a score reaches a
// threshold. Rules run live inside the transaction that appends each event (events.OnAppend)
// from an in-memory cache invalidated by commit hooks; every change is a points.changed
// event in the contact's timeline. Definitions are synced tables, the logs local.
package points

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/ids"
)

func init() {
	db.Declare(db.Table{Name: "point_groups", Synced: true})
	db.Declare(db.Table{Name: "point_group_scores", Synced: true})
	db.Declare(db.Table{Name: "point_actions", Synced: true})
	db.Declare(db.Table{Name: "point_triggers", Synced: true})
}

// Action types (Mautic's keys where Mautic has the action).
const (
	EmailOpen     = "email.open"     // opens an email (optionally one of Emails)
	EmailSend     = "email.send"     // is sent an email
	EmailClick    = "email.click"    // clicks a link in an email (optionally one of Emails, link matching URL)
	URLHit        = "url.hit"        // visits a URL matching a fnmatch pattern, with repeat limits
	PageHit       = "page.hit"       // visits a landing page (optionally one of Pages)
	PageVisits    = "page.visits"    // has visited at least PageHits pages in total
	FormSubmit    = "form.submit"    // submits a form (optionally one of Forms)
	AssetDownload = "asset.download" // downloads an asset (optionally one of Assets)
)

// ActionTypes lists the action types in menu order.
var ActionTypes = []string{EmailOpen, EmailSend, EmailClick, URLHit, PageHit, PageVisits, FormSubmit, AssetDownload}

// Props are an action's options; JSON names follow Mautic's point properties.
type Props struct {
	Emails []string `json:"emails,omitempty"`
	Pages  []string `json:"pages,omitempty"`
	Forms  []string `json:"forms,omitempty"`
	Assets []string `json:"assets,omitempty"`
	// URL is a case-sensitive fnmatch pattern (* ? [..]) for url.hit and email.click.
	URL string `json:"page_url,omitempty"`
	// PageHits: url.hit fires from the Nth hit on the URL on; page.visits at N page visits.
	PageHits int64 `json:"page_hits,omitempty"`
	// FirstTime: only the first hit on the URL counts.
	FirstTime bool `json:"first_time,omitempty"`
	// ReturnsWithin / ReturnsAfter (seconds): the previous hit on the URL was at most / at
	// least this long ago (a first visit has no previous hit and does not qualify).
	ReturnsWithin int64 `json:"returns_within,omitempty"`
	ReturnsAfter  int64 `json:"returns_after,omitempty"`
	// EveryNth: only every Nth hit on the URL counts (Magpie's addition).
	EveryNth int64 `json:"every_nth,omitempty"`
}

// Action is one point action.
type Action struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Description  string     `json:"description"`
	Type         string     `json:"type"`
	Delta        int64      `json:"delta"`
	Props        Props      `json:"properties"`
	Repeatable   bool       `json:"repeatable"`
	GroupID      string     `json:"groupId"`
	GroupName    string     `json:"groupName"`
	Published    bool       `json:"published"`
	PublishUp    *time.Time `json:"publishUp"`
	PublishDown  *time.Time `json:"publishDown"`
	DateAdded    time.Time  `json:"dateAdded"`
	DateModified time.Time  `json:"dateModified"`
	Deleted      bool       `json:"deleted"`
	Contacts     int64      `json:"contacts"` // contacts it applied to
}

// Group is one point group.
type Group struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	Published    bool      `json:"published"`
	DateAdded    time.Time `json:"dateAdded"`
	DateModified time.Time `json:"dateModified"`
	Deleted      bool      `json:"deleted"`
	Contacts     int64     `json:"contacts"` // contacts with a score in it
}

// Service manages point definitions and manual adjustments.
type Service struct{ db *db.DB }

// New returns the service.
func New(d *db.DB) *Service { return &Service{db: d} }

// DB returns the store.
func (s *Service) DB() *db.DB { return s.db }

func fieldErr(field, key, msg string) error {
	return &apperr.Error{Code: apperr.Invalid, Key: "errors.fields", Msg: field + ": " + msg, Fields: map[string]string{field: key}}
}

func notFound(kind, id string) error {
	return apperr.NotFoundf("points.errors.notFound", map[string]any{"kind": kind, "id": id}, "no point %s %q", kind, id)
}

func msPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	return &t
}

func msOrNil(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func cleanList(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// ---- groups ----

const selectGroup = `SELECT g.id, g.name, g.description, g.is_published, g.date_added, g.date_modified, g.deleted,
	(SELECT count(*) FROM point_group_scores s WHERE s.group_id = g.id AND s.deleted = 0) FROM point_groups g`

func scanGroup(sc db.Scanner) (Group, error) {
	var g Group
	var a, m int64
	err := sc.Scan(&g.ID, &g.Name, &g.Description, &g.Published, &a, &m, &g.Deleted, &g.Contacts)
	g.DateAdded, g.DateModified = time.UnixMilli(a).UTC(), time.UnixMilli(m).UTC()
	return g, err
}

// Groups lists the point groups (or the trash) by name.
func (s *Service) Groups(ctx context.Context, trash bool) ([]Group, error) {
	return db.Collect(ctx, s.db.R, scanGroup, selectGroup+" WHERE g.deleted = ? ORDER BY g.name, g.id", trash)
}

// Group returns one group by id or live name.
func (s *Service) Group(ctx context.Context, ref string) (Group, error) {
	g, err := scanGroup(s.db.R.QueryRowContext(ctx, selectGroup+" WHERE g.id = ? OR (g.name = ? AND g.deleted = 0) LIMIT 1", ref, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return g, notFound("group", ref)
	}
	return g, err
}

// SaveGroup validates and stores a group (ID empty = new).
func (s *Service) SaveGroup(ctx context.Context, g Group) (Group, error) {
	g.Name = strings.TrimSpace(g.Name)
	if g.Name == "" {
		return Group{}, fieldErr("name", "points.errors.nameRequired", "required")
	}
	id := g.ID
	if id == "" {
		id = ids.New()
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM point_groups WHERE name = ? AND id <> ? AND deleted = 0", g.Name, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &apperr.Error{Code: apperr.Conflict, Key: "errors.fields", Msg: fmt.Sprintf("name: a point group is already named %q", g.Name),
				Fields: map[string]string{"name": "points.errors.nameTaken"}}
		}
		cols := db.Cols{"name": g.Name, "description": g.Description, "is_published": g.Published, "date_modified": tx.NowMs()}
		return upsert(tx, "point_groups", g.ID, id, cols)
	})
	if err != nil {
		return Group{}, err
	}
	return s.Group(ctx, id)
}

func upsert(tx *db.Tx, table, given, id string, cols db.Cols) error {
	if given == "" {
		cols["date_added"] = tx.NowMs()
		return tx.Insert(table, id, cols)
	}
	ok, err := tx.Update(table, id, cols)
	if err == nil && !ok {
		return notFound(strings.TrimPrefix(strings.TrimSuffix(table, "s"), "point_"), id)
	}
	return err
}

// SetDeleted moves a definition (table point_actions, point_triggers or point_groups) to
// the trash or restores it.
func (s *Service) SetDeleted(ctx context.Context, table, id string, del bool) error {
	switch table {
	case "point_actions", "point_triggers", "point_groups":
	default:
		return fmt.Errorf("points: %q is not a points table", table)
	}
	return s.db.Trash(ctx, table, id, del, notFound(strings.TrimSuffix(strings.TrimPrefix(table, "point_"), "s"), id))
}

// ---- actions ----

const selectAction = `SELECT a.id, a.name, a.description, a.type, a.delta, a.properties, a.repeatable, coalesce(a.group_id, ''),
	coalesce(g.name, ''), a.is_published, a.publish_up, a.publish_down, a.date_added, a.date_modified, a.deleted,
	(SELECT count(*) FROM point_action_log l WHERE l.action_id = a.id)
	FROM point_actions a LEFT JOIN point_groups g ON g.id = a.group_id`

func scanAction(sc db.Scanner) (Action, error) {
	var a Action
	var props string
	var up, down sql.NullInt64
	var added, mod int64
	if err := sc.Scan(&a.ID, &a.Name, &a.Description, &a.Type, &a.Delta, &props, &a.Repeatable, &a.GroupID, &a.GroupName,
		&a.Published, &up, &down, &added, &mod, &a.Deleted, &a.Contacts); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(props), &a.Props); err != nil {
		return a, fmt.Errorf("points: action %s: properties: %w", a.ID, err)
	}
	a.PublishUp, a.PublishDown = msPtr(up), msPtr(down)
	a.DateAdded, a.DateModified = time.UnixMilli(added).UTC(), time.UnixMilli(mod).UTC()
	return a, nil
}

// Actions lists the point actions (or the trash) by name.
func (s *Service) Actions(ctx context.Context, trash bool) ([]Action, error) {
	return db.Collect(ctx, s.db.R, scanAction, selectAction+" WHERE a.deleted = ? ORDER BY a.name, a.id", trash)
}

// Action returns one action.
func (s *Service) Action(ctx context.Context, id string) (Action, error) {
	a, err := scanAction(s.db.R.QueryRowContext(ctx, selectAction+" WHERE a.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("action", id)
	}
	return a, err
}

func validType(t string) bool {
	for _, x := range ActionTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Validate checks an action; errors name the field.
func (a *Action) Validate() error {
	a.Name = strings.TrimSpace(a.Name)
	p := &a.Props
	p.Emails, p.Pages, p.Forms, p.Assets = cleanList(p.Emails), cleanList(p.Pages), cleanList(p.Forms), cleanList(p.Assets)
	p.URL = strings.TrimSpace(p.URL)
	switch {
	case a.Name == "":
		return fieldErr("name", "points.errors.nameRequired", "required")
	case !validType(a.Type):
		return fieldErr("type", "points.errors.badType", fmt.Sprintf("%q is not an action type (%s)", a.Type, strings.Join(ActionTypes, ", ")))
	case a.Delta == 0:
		return fieldErr("delta", "points.errors.deltaZero", "must not be 0")
	case a.Type == URLHit && p.URL == "":
		return fieldErr("page_url", "points.errors.urlRequired", "a URL pattern is required")
	case a.Type == PageVisits && p.PageHits < 1:
		return fieldErr("page_hits", "points.errors.pageHits", "the number of pages must be at least 1")
	case p.PageHits < 0 || p.ReturnsWithin < 0 || p.ReturnsAfter < 0 || p.EveryNth < 0:
		return fieldErr("properties", "points.errors.negative", "limits must not be negative")
	case a.PublishUp != nil && a.PublishDown != nil && a.PublishDown.Before(*a.PublishUp):
		return fieldErr("publishDown", "points.errors.window", "must be after the publish-up date")
	}
	if a.Type != URLHit && a.Type != EmailClick {
		p.URL = ""
	}
	if a.Type != URLHit {
		p.FirstTime, p.ReturnsWithin, p.ReturnsAfter, p.EveryNth = false, 0, 0, 0
		if a.Type != PageVisits {
			p.PageHits = 0
		}
	}
	return nil
}

func groupExists(tx *db.Tx, id string) error {
	if id == "" {
		return nil
	}
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM point_groups WHERE id = ? AND deleted = 0", id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fieldErr("groupId", "points.errors.noGroup", fmt.Sprintf("no point group %q", id))
	}
	return nil
}

// SaveAction validates and stores an action (ID empty = new).
func (s *Service) SaveAction(ctx context.Context, a Action) (Action, error) {
	if err := a.Validate(); err != nil {
		return Action{}, err
	}
	id := a.ID
	if id == "" {
		id = ids.New()
	}
	props, err := json.Marshal(a.Props)
	if err != nil {
		return Action{}, err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := groupExists(tx, a.GroupID); err != nil {
			return err
		}
		cols := db.Cols{"name": a.Name, "description": a.Description, "type": a.Type, "delta": a.Delta,
			"properties": string(props), "repeatable": a.Repeatable, "group_id": nullable(a.GroupID),
			"is_published": a.Published, "publish_up": msOrNil(a.PublishUp), "publish_down": msOrNil(a.PublishDown),
			"date_modified": tx.NowMs()}
		return upsert(tx, "point_actions", a.ID, id, cols)
	})
	if err != nil {
		return Action{}, err
	}
	return s.Action(ctx, id)
}
