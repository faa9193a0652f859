// Package segments is Magpie's segment engine: Mautic-exact filters (flat DNF lists or
// nested groups) compiled to parameterised SQL through an allow-listed catalogue, stored
// membership with Mautic's manual add/remove state machine (fix Q9 adopted), full rebuilds
// and live incremental re-evaluation of the contacts each commit touches.
package segments

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/ids"
)

func init() {
	db.Declare(db.Table{Name: "segments", Synced: true})
	db.Declare(db.Table{Name: "segment_versions", Synced: true})
}

// Segment is one segment with its build state.
type Segment struct {
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Alias        string          `json:"alias"`
	Description  string          `json:"description"`
	Filters      json.RawMessage `json:"filters"`
	Published    bool            `json:"published"`
	Static       bool            `json:"static"`
	Version      int             `json:"version"`
	DateAdded    time.Time       `json:"dateAdded"`
	DateModified time.Time       `json:"dateModified"`
	Deleted      bool            `json:"deleted"`
	Members      int             `json:"members"`
	LastBuiltAt  *time.Time      `json:"lastBuiltAt,omitempty"`
	LastBuildMs  int64           `json:"lastBuildMs"`
}

// Input is what a save writes.
type Input struct {
	ID          string          `json:"id"` // empty = new
	Name        string          `json:"name"`
	Alias       string          `json:"alias"`
	Description string          `json:"description"`
	Filters     json.RawMessage `json:"filters"`
	Published   *bool           `json:"published"`
}

// Service manages segments.
type Service struct {
	db     *db.DB
	fields *fields.Service
	// Loc is the user's time zone for date filters (default UTC).
	Loc *time.Location

	mu    sync.Mutex
	plans map[string]*plan // compiled One-mode conditions of live segments; nil = stale
	// plansGen counts the commits that made plans stale: a compilation that read the
	// segments before such a commit must not be cached after it.
	plansGen uint64
	live     *liveState
	// draining is held by one drain at a time: a Flush waits for the live goroutine's drain
	// in flight (whose contacts it took from the pending list) instead of returning before
	// their membership is written.
	draining sync.Mutex
}

// New returns the service; call Start to run live membership.
func New(d *db.DB, fs *fields.Service) *Service {
	s := &Service{db: d, fields: fs, Loc: time.UTC}
	d.OnCommit(s.onCommit)
	return s
}

// DB returns the store.
func (s *Service) DB() *db.DB { return s.db }

// Defs returns the catalogue keyed by alias.
func (s *Service) Defs(ctx context.Context) (map[string]Def, error) {
	list, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Def, len(list))
	for _, d := range list {
		m[d.Alias] = d
	}
	return m, nil
}

// Compiler returns a compiler at now (zero = the clock's now) resolving segment references
// from the store.
func (s *Service) Compiler(ctx context.Context, now time.Time, mode Mode) (*Compiler, error) {
	defs, err := s.Defs(ctx)
	if err != nil {
		return nil, err
	}
	if now.IsZero() {
		now = s.db.Clock.Now()
	}
	return &Compiler{Defs: defs, Now: now, Loc: s.Loc, Mode: mode, Segment: func(ref string) (Ref, error) {
		return s.ref(ctx, ref)
	}, URLShare: func(cond string, args []any) float64 {
		var n, total float64
		if err := s.db.R.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM urls u WHERE "+cond+"), (SELECT count(*) FROM urls)",
			args...).Scan(&n, &total); err != nil || total == 0 {
			return 0
		}
		return n / total
	}}, nil
}

func (s *Service) ref(ctx context.Context, ref string) (Ref, error) {
	var r Ref
	var filters string
	err := s.db.R.QueryRowContext(ctx, `SELECT id, name, filters, is_published FROM segments
		WHERE deleted = 0 AND (id = ? OR alias = ?) LIMIT 1`, ref, ref).Scan(&r.ID, &r.Name, &filters, &r.Published)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errors.New("no such segment")
	}
	if err != nil {
		return r, err
	}
	if r.Tree, err = Parse([]byte(filters)); err != nil {
		return r, fmt.Errorf("its own filters are invalid: %v", err)
	}
	return r, nil
}

const selectSegment = `SELECT s.id, s.name, s.alias, s.description, s.filters, s.is_published, s.version,
	s.date_added, s.date_modified, s.deleted, coalesce(b.members, 0), b.last_built_at, coalesce(b.last_built_ms, 0)
	FROM segments s LEFT JOIN segment_builds b ON b.segment_id = s.id`

func scanSegment(sc db.Scanner) (Segment, error) {
	var g Segment
	var filters string
	var added, modified int64
	var built sql.NullInt64
	if err := sc.Scan(&g.ID, &g.Name, &g.Alias, &g.Description, &filters, &g.Published, &g.Version,
		&added, &modified, &g.Deleted, &g.Members, &built, &g.LastBuildMs); err != nil {
		return g, err
	}
	g.Filters = json.RawMessage(filters)
	g.DateAdded, g.DateModified = time.UnixMilli(added).UTC(), time.UnixMilli(modified).UTC()
	if built.Valid {
		t := time.UnixMilli(built.Int64).UTC()
		g.LastBuiltAt = &t
	}
	tree, _ := Parse(g.Filters)
	g.Static = tree == nil
	return g, nil
}

// List returns the segments (or the trash), by name.
func (s *Service) List(ctx context.Context, trash bool) ([]Segment, error) {
	return db.Collect(ctx, s.db.R, scanSegment, selectSegment+" WHERE s.deleted = ? ORDER BY s.name, s.id", trash)
}

// Get returns one segment by id or alias (including trashed ones).
func (s *Service) Get(ctx context.Context, ref string) (Segment, error) {
	g, err := scanSegment(s.db.R.QueryRowContext(ctx, selectSegment+" WHERE s.id = ? OR (s.alias = ? AND s.deleted = 0) LIMIT 1", ref, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return g, apperr.NotFoundf("segments.errors.notFound", map[string]any{"id": ref}, "no segment %q", ref)
	}
	return g, err
}

var aliasStrip = regexp.MustCompile(`[^a-z0-9]+`)

func makeAlias(name string) string {
	a := strings.Trim(aliasStrip.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if a == "" {
		a = "segment"
	}
	return a
}

// Save validates and stores a segment (new or edited) with a new version, then rebuilds
// its membership. Nothing is stored when validation fails.
func (s *Service) Save(ctx context.Context, in Input) (Segment, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return Segment{}, &apperr.Error{Code: apperr.Invalid, Key: "errors.fields", Msg: "name: required",
			Fields: map[string]string{"name": "segments.errors.nameRequired"}}
	}
	tree, err := Parse(in.Filters)
	if err != nil {
		return Segment{}, err
	}
	canon := []byte("[]")
	if tree != nil {
		canon = in.Filters
	}
	id := in.ID
	if id == "" {
		id = ids.New()
	}
	comp, err := s.Compiler(ctx, time.Time{}, Scan)
	if err != nil {
		return Segment{}, err
	}
	comp.PushSegment(id)
	if err := comp.Validate(tree); err != nil {
		return Segment{}, err
	}
	alias := strings.TrimSpace(in.Alias)
	if alias == "" {
		alias = makeAlias(in.Name)
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var version int
		var exists bool
		err := tx.QueryRow("SELECT version FROM segments WHERE id = ?", id).Scan(&version)
		switch {
		case err == nil:
			exists = true
		case !errors.Is(err, sql.ErrNoRows):
			return err
		case in.ID != "":
			return apperr.NotFoundf("segments.errors.notFound", map[string]any{"id": in.ID}, "no segment %q", in.ID)
		}
		var taken int
		if err := tx.QueryRow("SELECT count(*) FROM segments WHERE alias = ? AND id <> ? AND deleted = 0", alias, id).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			if in.Alias != "" {
				return &apperr.Error{Code: apperr.Conflict, Key: "errors.fields", Msg: fmt.Sprintf("alias: %q is already used", alias),
					Fields: map[string]string{"alias": "segments.errors.aliasTaken"}}
			}
			alias = alias + "-" + id[len(id)-6:]
		}
		published := true
		if in.Published != nil {
			published = *in.Published
		}
		version++
		cols := db.Cols{"name": in.Name, "alias": alias, "description": in.Description, "filters": string(canon),
			"is_published": published, "version": version, "date_modified": tx.NowMs()}
		if exists {
			if _, err := tx.Update("segments", id, cols); err != nil {
				return err
			}
		} else {
			cols["date_added"] = tx.NowMs()
			if err := tx.Insert("segments", id, cols); err != nil {
				return err
			}
		}
		return tx.Insert("segment_versions", ids.Derived("segment_version", id, fmt.Sprint(version)), db.Cols{
			"segment_id": id, "version": version, "name": in.Name, "description": in.Description,
			"filters": string(canon), "is_published": published, "date_added": tx.NowMs()})
	})
	if err != nil {
		return Segment{}, err
	}
	if _, err := s.Rebuild(ctx, id, time.Time{}); err != nil {
		return Segment{}, err
	}
	return s.Get(ctx, id)
}

// Version is one saved state of a segment.
type Version struct {
	Version   int             `json:"version"`
	Name      string          `json:"name"`
	Filters   json.RawMessage `json:"filters"`
	Published bool            `json:"published"`
	At        time.Time       `json:"at"`
}

// Versions lists a segment's saved versions, newest first.
func (s *Service) Versions(ctx context.Context, id string) ([]Version, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT version, name, filters, is_published, date_added FROM segment_versions
		WHERE segment_id = ? AND deleted = 0 ORDER BY version DESC`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		var f string
		var at int64
		if err := rows.Scan(&v.Version, &v.Name, &f, &v.Published, &at); err != nil {
			return nil, err
		}
		v.Filters, v.At = json.RawMessage(f), time.UnixMilli(at).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// RevertTo saves an older version's name and filters as the newest version.
func (s *Service) RevertTo(ctx context.Context, id string, version int) (Segment, error) {
	var name, filters string
	var pub bool
	err := s.db.R.QueryRowContext(ctx, `SELECT name, filters, is_published FROM segment_versions WHERE segment_id = ? AND version = ?`,
		id, version).Scan(&name, &filters, &pub)
	if errors.Is(err, sql.ErrNoRows) {
		return Segment{}, apperr.NotFoundf("segments.errors.versionNotFound", map[string]any{"id": id, "version": version},
			"segment %s has no version %d", id, version)
	}
	if err != nil {
		return Segment{}, err
	}
	cur, err := s.Get(ctx, id)
	if err != nil {
		return Segment{}, err
	}
	return s.Save(ctx, Input{ID: id, Name: name, Alias: cur.Alias, Description: cur.Description, Filters: json.RawMessage(filters), Published: &pub})
}

// Delete moves segments to the trash; their membership is kept for a restore.
func (s *Service) Delete(ctx context.Context, id string) error {
	return s.setDeleted(ctx, id, true)
}

// Restore brings a segment back from the trash and rebuilds it.
func (s *Service) Restore(ctx context.Context, id string) error {
	if err := s.setDeleted(ctx, id, false); err != nil {
		return err
	}
	_, err := s.Rebuild(ctx, id, time.Time{})
	return err
}

func (s *Service) setDeleted(ctx context.Context, id string, del bool) error {
	return s.db.Trash(ctx, "segments", id, del, apperr.NotFoundf("segments.errors.notFound", map[string]any{"id": id}, "no segment %q", id))
}
