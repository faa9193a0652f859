// Package dwc is dynamic web content (Mautic's dynamic_content with filters): named slots on
// a site (`<div data-slot="dwc" data-param-slot-name="hero">`) filled by the tracker's mtc.js
// with the content of the first variant whose segment filters match the visitor (compiled by
// the segment engine in One mode: contact and company fields, tags, segments), else the
// slot's default. Resolve is also what the campaign action "push dynamic content" calls.
package dwc

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
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/ids"
	"magpie/backend/segments"
	"magpie/backend/tokens"
	"magpie/backend/webhtml"
)

func init() {
	db.Declare(db.Table{Name: "dwc_slots", Synced: true})
	db.Declare(db.Table{Name: "dwc_variants", Synced: true})
}

// Variant is content shown when its filters match.
type Variant struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	Filters json.RawMessage `json:"filters"`
	Content string          `json:"content"`
}

// Slot is a named place on the site with its default content and variants (tried in order).
type Slot struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Slot           string    `json:"slot"`
	DefaultContent string    `json:"defaultContent"`
	Published      bool      `json:"published"`
	Variants       []Variant `json:"variants"`
	DateAdded      time.Time `json:"dateAdded"`
	DateModified   time.Time `json:"dateModified"`
	Deleted        bool      `json:"deleted"`
}

var slotRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Service manages slots.
type Service struct {
	db       *db.DB
	segs     *segments.Service
	contacts *contacts.Service

	mu    sync.Mutex
	plans map[string]*plan // slot name (lower) → compiled variants
}

type plan struct {
	modified int64
	day      string
	slot     Slot
	conds    []cond
}

type cond struct {
	sql  string
	args []any
	ok   bool // compiled (a broken filter never matches)
}

// New returns the service.
func New(d *db.DB, segs *segments.Service, cs *contacts.Service) *Service {
	s := &Service{db: d, segs: segs, contacts: cs, plans: map[string]*plan{}}
	d.OnCommit(func(c db.Commit) {
		if c.Touches("dwc_slots", "dwc_variants", "segments", "fields") {
			s.mu.Lock()
			clear(s.plans)
			s.mu.Unlock()
		}
	})
	return s
}

const selectSlot = `SELECT id, name, slot, default_content, is_published, date_added, date_modified, deleted FROM dwc_slots`

func scanSlot(sc db.Scanner) (Slot, error) {
	var s Slot
	var a, m int64
	err := sc.Scan(&s.ID, &s.Name, &s.Slot, &s.DefaultContent, &s.Published, &a, &m, &s.Deleted)
	s.DateAdded, s.DateModified = time.UnixMilli(a).UTC(), time.UnixMilli(m).UTC()
	return s, err
}

// List returns the slots (or the trash) by name, with their variants.
func (s *Service) List(ctx context.Context, trash bool) ([]Slot, error) {
	out, err := db.Collect(ctx, s.db.R, scanSlot, selectSlot+" WHERE deleted = ? ORDER BY name, id", trash)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Variants, err = s.variants(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) variants(ctx context.Context, slotID string) ([]Variant, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT id, name, filters, content FROM dwc_variants WHERE slot_id = ? AND deleted = 0 ORDER BY position, id", slotID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Variant{}
	for rows.Next() {
		var v Variant
		var f string
		if err := rows.Scan(&v.ID, &v.Name, &f, &v.Content); err != nil {
			return nil, err
		}
		v.Filters = json.RawMessage(f)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Get returns one slot by id.
func (s *Service) Get(ctx context.Context, id string) (Slot, error) {
	sl, err := scanSlot(s.db.R.QueryRowContext(ctx, selectSlot+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sl, apperr.NotFoundf("dwc.errors.notFound", map[string]any{"id": id}, "no dynamic content %q", id)
	}
	if err != nil {
		return sl, err
	}
	sl.Variants, err = s.variants(ctx, sl.ID)
	return sl, err
}

// Save creates or updates a slot and replaces its variants; contents are sanitised and every
// variant's filters must compile.
func (s *Service) Save(ctx context.Context, in Slot) (Slot, error) {
	f, msgs := map[string]string{}, map[string]string{}
	bad := func(field, key, msg string) { f[field] = key; msgs[field] = msg }
	in.Name = strings.TrimSpace(in.Name)
	in.Slot = strings.TrimSpace(in.Slot)
	if in.Name == "" {
		bad("name", "dwc.errors.nameRequired", "a name is required")
	}
	if !slotRE.MatchString(in.Slot) {
		bad("slot", "dwc.errors.slot", fmt.Sprintf("slot name %q may hold only letters, digits, _ and - (1–64)", in.Slot))
	}
	in.DefaultContent = webhtml.Sanitize(in.DefaultContent)
	var comp *segments.Compiler
	for i := range in.Variants {
		v := &in.Variants[i]
		v.Content = webhtml.Sanitize(v.Content)
		if len(v.Filters) == 0 {
			v.Filters = json.RawMessage("[]")
		}
		tree, err := segments.Parse(v.Filters)
		if err == nil && tree == nil {
			err = errors.New("a variant needs at least one filter (the default content covers everyone else)")
		}
		if err == nil {
			if comp == nil {
				if comp, err = s.segs.Compiler(ctx, time.Time{}, segments.One); err != nil {
					return in, err
				}
			}
			err = comp.Validate(tree)
		}
		if err != nil {
			bad(fmt.Sprintf("variants.%d.filters", i), "dwc.errors.filters", fmt.Sprintf("variant %d (%s): %v", i+1, v.Name, err))
		}
	}
	if len(f) > 0 {
		return in, apperr.FieldErrors(f, msgs)
	}
	isNew := in.ID == ""
	if isNew {
		in.ID = ids.New()
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var other string
		err := tx.QueryRow("SELECT id FROM dwc_slots WHERE deleted = 0 AND slot = ? AND id <> ?", in.Slot, in.ID).Scan(&other)
		if err == nil {
			return apperr.FieldErrors(map[string]string{"slot": "dwc.errors.slotTaken"},
				map[string]string{"slot": fmt.Sprintf("slot %q already has dynamic content", in.Slot)})
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		cols := db.Cols{"name": in.Name, "slot": in.Slot, "default_content": in.DefaultContent,
			"is_published": in.Published, "date_modified": tx.NowMs()}
		if isNew {
			cols["date_added"] = tx.NowMs()
			if err := tx.Insert("dwc_slots", in.ID, cols); err != nil {
				return err
			}
		} else if ok, err := tx.Update("dwc_slots", in.ID, cols); err != nil {
			return err
		} else if !ok {
			return apperr.NotFoundf("dwc.errors.notFound", map[string]any{"id": in.ID}, "no dynamic content %q", in.ID)
		}
		keep := map[string]bool{}
		for i := range in.Variants {
			v := &in.Variants[i]
			vc := db.Cols{"slot_id": in.ID, "position": i, "name": strings.TrimSpace(v.Name), "filters": string(v.Filters), "content": v.Content,
				"deleted": 0, "deleted_at": nil}
			if v.ID != "" {
				ok, err := tx.Update("dwc_variants", v.ID, vc)
				if err != nil {
					return err
				}
				if ok {
					keep[v.ID] = true
					continue
				}
			}
			v.ID = ids.New()
			delete(vc, "deleted")
			delete(vc, "deleted_at")
			if err := tx.Insert("dwc_variants", v.ID, vc); err != nil {
				return err
			}
			keep[v.ID] = true
		}
		rows, err := tx.Query("SELECT id FROM dwc_variants WHERE slot_id = ? AND deleted = 0", in.ID)
		if err != nil {
			return err
		}
		var gone []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if !keep[id] {
				gone = append(gone, id)
			}
		}
		rows.Close()
		for _, id := range gone {
			if _, err := tx.Delete("dwc_variants", id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return in, err
	}
	return s.Get(ctx, in.ID)
}

// Delete moves a slot to the trash; Restore brings it back.
func (s *Service) Delete(ctx context.Context, id string) error  { return s.setDeleted(ctx, id, true) }
func (s *Service) Restore(ctx context.Context, id string) error { return s.setDeleted(ctx, id, false) }

func (s *Service) setDeleted(ctx context.Context, id string, del bool) error {
	return s.db.Trash(ctx, "dwc_slots", id, del, apperr.NotFoundf("dwc.errors.notFound", map[string]any{"id": id}, "no dynamic content %q", id))
}

// plan returns the compiled variants of a published slot (nil when none), cached until a
// definition changes or the day turns (relative date filters).
func (s *Service) plan(ctx context.Context, slot string) (*plan, error) {
	return s.cachedPlan(ctx, strings.ToLower(slot), selectSlot+" WHERE deleted = 0 AND is_published = 1 AND slot = ? ORDER BY date_added, id LIMIT 1", slot)
}

// planByID is plan for one item (a campaign-pushed one), cached under "#id".
func (s *Service) planByID(ctx context.Context, id string) (*plan, error) {
	return s.cachedPlan(ctx, "#"+id, selectSlot+" WHERE deleted = 0 AND is_published = 1 AND id = ?", id)
}

func (s *Service) cachedPlan(ctx context.Context, key, query string, arg any) (*plan, error) {
	now := s.db.Clock.Now()
	day := now.UTC().Format("2006-01-02")
	s.mu.Lock()
	p, ok := s.plans[key]
	s.mu.Unlock()
	if ok && (p == nil || p.day == day) {
		return p, nil
	}
	sl, err := scanSlot(s.db.R.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		s.mu.Lock()
		s.plans[key] = nil
		s.mu.Unlock()
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if sl.Variants, err = s.variants(ctx, sl.ID); err != nil {
		return nil, err
	}
	p = &plan{day: day, slot: sl, modified: sl.DateModified.UnixMilli()}
	if len(sl.Variants) > 0 {
		comp, err := s.segs.Compiler(ctx, now, segments.One)
		if err != nil {
			return nil, err
		}
		for _, v := range sl.Variants {
			var c cond
			if tree, err := segments.Parse(v.Filters); err == nil && tree != nil {
				if q, args, err := comp.Compile(tree); err == nil {
					c = cond{sql: q, args: args, ok: true}
				}
			}
			p.conds = append(p.conds, c)
		}
	}
	s.mu.Lock()
	s.plans[key] = p
	s.mu.Unlock()
	return p, nil
}

// Resolve returns the content of slot for a contact: the first variant whose filters match,
// else the default; tokens ({contactfield=…}) are filled for the contact. contactID may be
// empty (an unknown visitor gets the default). found is false when no published slot has
// that name.
func (s *Service) Resolve(ctx context.Context, contactID, slot string) (content string, found bool, err error) {
	p, err := s.plan(ctx, slot)
	if err != nil {
		return "", false, err
	}
	if contactID != "" {
		pp, err := s.pushed(ctx, contactID, slot)
		if err != nil {
			return "", false, err
		}
		if pp != nil {
			p = pp // a campaign chose this contact's content for the slot
		}
	}
	if p == nil {
		return "", false, nil
	}
	content, err = s.render(ctx, p, contactID)
	return content, err == nil, err
}

// ResolveItem is Resolve for one published item chosen by a campaign (its variants' filters
// still apply); found is false when the item is deleted or unpublished.
func (s *Service) ResolveItem(ctx context.Context, contactID, itemID string) (content string, found bool, err error) {
	p, err := s.planByID(ctx, itemID)
	if err != nil || p == nil {
		return "", false, err
	}
	content, err = s.render(ctx, p, contactID)
	return content, err == nil, err
}

// render picks the content of a plan for the contact and fills its tokens.
func (s *Service) render(ctx context.Context, p *plan, contactID string) (content string, err error) {
	slot := p.slot.Slot
	content = p.slot.DefaultContent
	if contactID != "" {
		for i, c := range p.conds {
			if !c.ok {
				continue
			}
			var hit int
			args := append([]any{contactID}, c.args...)
			err := s.db.R.QueryRowContext(ctx, "SELECT EXISTS(SELECT 1 FROM contacts c WHERE c.id = ? AND c.deleted = 0 AND ("+c.sql+"))", args...).Scan(&hit)
			if err != nil {
				return "", fmt.Errorf("dwc: slot %q variant %d: %w", slot, i+1, err)
			}
			if hit == 1 {
				content = p.slot.Variants[i].Content
				break
			}
		}
	}
	if strings.Contains(content, "{") {
		var fields map[string]string
		if contactID != "" && s.contacts != nil {
			list, err := s.contacts.Load(ctx, []string{contactID}, nil)
			if err != nil {
				return "", err
			}
			if len(list) == 1 && !list[0].Deleted {
				fields = map[string]string{}
				for k, v := range list[0].Values {
					fields[k] = contacts.Text(v)
				}
			}
		}
		if fields == nil {
			fields = map[string]string{}
		}
		content, _ = tokens.Render(content, tokens.Data{Contact: fields, Now: s.db.Clock.Now()}, tokens.HTML)
	}
	return content, nil
}
