// Package stages keeps Mautic's contact stages (MAUTIC.md §7.4): named steps with a weight.
// A contact is in at most one stage (contacts.stage_id); automated moves (campaigns, point
// triggers, forms) only go forward by weight, manual changes are unrestricted. Every change
// is a stage.changed event in the contact's timeline (Mautic's lead_stages_change_log).
package stages

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/ids"
)

func init() {
	db.Declare(db.Table{Name: "stages", Synced: true})
}

// Stage is one stage definition.
type Stage struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	Weight       int64     `json:"weight"`
	Published    bool      `json:"published"`
	DateAdded    time.Time `json:"dateAdded"`
	DateModified time.Time `json:"dateModified"`
	Deleted      bool      `json:"deleted"`
	Contacts     int64     `json:"contacts"` // contacts currently in the stage
}

// Input is what a save writes (ID empty = new).
type Input struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Weight      int64  `json:"weight"`
	Published   bool   `json:"published"`
}

// Service manages stages.
type Service struct{ db *db.DB }

// New returns the service.
func New(d *db.DB) *Service { return &Service{db: d} }

const selectStage = `SELECT s.id, s.name, s.description, s.weight, s.is_published, s.date_added, s.date_modified, s.deleted,
	(SELECT count(*) FROM contacts c WHERE c.stage_id = s.id AND c.deleted = 0) FROM stages s`

func scan(sc db.Scanner) (Stage, error) {
	var g Stage
	var added, modified int64
	if err := sc.Scan(&g.ID, &g.Name, &g.Description, &g.Weight, &g.Published, &added, &modified, &g.Deleted, &g.Contacts); err != nil {
		return g, err
	}
	g.DateAdded, g.DateModified = time.UnixMilli(added).UTC(), time.UnixMilli(modified).UTC()
	return g, nil
}

// List returns the stages (or the trash) by weight, then name.
func (s *Service) List(ctx context.Context, trash bool) ([]Stage, error) {
	return db.Collect(ctx, s.db.R, scan, selectStage+" WHERE s.deleted = ? ORDER BY s.weight, s.name, s.id", trash)
}

func notFound(id string) error {
	return apperr.NotFoundf("stages.errors.notFound", map[string]any{"id": id}, "no stage %q", id)
}

// Get returns one stage by id, or by name among the live ones.
func (s *Service) Get(ctx context.Context, ref string) (Stage, error) {
	g, err := scan(s.db.R.QueryRowContext(ctx, selectStage+" WHERE s.id = ? OR (s.name = ? AND s.deleted = 0) LIMIT 1", ref, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return g, notFound(ref)
	}
	return g, err
}

// Save validates and stores a stage.
func (s *Service) Save(ctx context.Context, in Input) (Stage, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return Stage{}, &apperr.Error{Code: apperr.Invalid, Key: "errors.fields", Msg: "name: required",
			Fields: map[string]string{"name": "stages.errors.nameRequired"}}
	}
	id := in.ID
	if id == "" {
		id = ids.New()
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var taken int
		if err := tx.QueryRow("SELECT count(*) FROM stages WHERE name = ? AND id <> ? AND deleted = 0", in.Name, id).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return &apperr.Error{Code: apperr.Conflict, Key: "errors.fields", Msg: fmt.Sprintf("name: a stage is already named %q", in.Name),
				Fields: map[string]string{"name": "stages.errors.nameTaken"}}
		}
		cols := db.Cols{"name": in.Name, "description": in.Description, "weight": in.Weight,
			"is_published": in.Published, "date_modified": tx.NowMs()}
		if in.ID == "" {
			cols["date_added"] = tx.NowMs()
			return tx.Insert("stages", id, cols)
		}
		ok, err := tx.Update("stages", id, cols)
		if err == nil && !ok {
			return notFound(id)
		}
		return err
	})
	if err != nil {
		return Stage{}, err
	}
	return s.Get(ctx, id)
}

// Delete moves a stage to the trash (contacts keep their stage id; restore brings it back).
func (s *Service) Delete(ctx context.Context, id string) error { return s.setDeleted(ctx, id, true) }

// Restore takes a stage out of the trash.
func (s *Service) Restore(ctx context.Context, id string) error { return s.setDeleted(ctx, id, false) }

func (s *Service) setDeleted(ctx context.Context, id string, del bool) error {
	return s.db.Trash(ctx, "stages", id, del, notFound(id))
}

// Outcome says what a stage change did.
type Outcome string

// Outcomes of Move (Mautic's campaign action notes).
const (
	Changed  Outcome = "changed"
	Same     Outcome = "same"     // already in that stage: nothing to do
	Backward Outcome = "backward" // the current stage weighs more: not moved (not forced)
)

// Set moves a contact to stageID ("" = no stage) inside tx and logs a stage.changed event.
// Unless force is set (manual, API, import changes), a contact only moves forward: when its
// current stage weighs more than the target nothing changes (MAUTIC.md §7.4). Being
// already in the stage, or a refused backward move, is not an error; Move tells which.
// source names the writer (campaign, trigger, form, ui, cli) and is stored on the event.
func Set(tx *db.Tx, contactID, stageID, source string, force bool) error {
	_, err := Move(tx, contactID, stageID, source, force)
	return err
}

// Move is Set reporting its outcome.
func Move(tx *db.Tx, contactID, stageID, source string, force bool) (Outcome, error) {
	var cur string
	err := tx.QueryRow("SELECT coalesce(stage_id, '') FROM contacts WHERE id = ? AND deleted = 0", contactID).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("contacts.errors.notFound", map[string]any{"id": contactID}, "no contact %q", contactID)
	}
	if err != nil {
		return "", err
	}
	if cur == stageID {
		return Same, nil
	}
	var name string
	var weight int64
	if stageID != "" {
		err := tx.QueryRow("SELECT name, weight FROM stages WHERE id = ? AND deleted = 0", stageID).Scan(&name, &weight)
		if errors.Is(err, sql.ErrNoRows) {
			return "", notFound(stageID)
		}
		if err != nil {
			return "", err
		}
	} else if !force {
		return Backward, nil // leaving every stage is a manual change only
	}
	var curName string
	var curWeight sql.NullInt64
	if cur != "" {
		err := tx.QueryRow("SELECT name, weight FROM stages WHERE id = ? AND deleted = 0", cur).Scan(&curName, &curWeight)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	if !force && curWeight.Valid && curWeight.Int64 > weight {
		return Backward, nil
	}
	var val any
	if stageID != "" {
		val = stageID
	}
	if _, err := tx.Update("contacts", contactID, db.Cols{"stage_id": val, "date_modified": tx.NowMs()}); err != nil {
		return "", err
	}
	data := map[string]any{"weight": weight, "forced": force}
	if cur != "" {
		data["from"], data["fromName"] = cur, curName
	}
	if _, err := events.Append(tx, events.Event{ContactID: contactID, Type: events.StageChanged, ObjectID: stageID,
		ObjectName: name, Source: source, Data: data}); err != nil {
		return "", err
	}
	return Changed, nil
}

// SetContact is Set in its own transaction (the contact page's "Change stage", the CLI).
func (s *Service) SetContact(ctx context.Context, contactID, stageID, source string, force bool) (Outcome, error) {
	var out Outcome
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		out, err = Move(tx, contactID, stageID, source, force)
		return err
	})
	return out, err
}
