package fields

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/ids"
)

func init() {
	db.Declare(db.Table{Name: "fields", Synced: true})
}

// Service manages field definitions and their columns.
type Service struct {
	db *db.DB

	mu    sync.RWMutex
	cache map[Object][]Field // core + custom, by position; nil when stale
}

// New returns the field service and makes sure every custom field has its column (fields
// may have arrived by sync while this desktop was closed).
func New(ctx context.Context, d *db.DB) (*Service, error) {
	s := &Service{db: d}
	d.OnCommit(func(c db.Commit) {
		if c.Touches("fields") {
			s.invalidate()
		}
	})
	if d.W != nil {
		if err := s.EnsureColumns(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Service) invalidate() {
	s.mu.Lock()
	s.cache = nil
	s.mu.Unlock()
}

// List returns the live fields of obj: core fields then custom ones, by position.
func (s *Service) List(ctx context.Context, obj Object) ([]Field, error) {
	s.mu.RLock()
	if s.cache != nil {
		fs := s.cache[obj]
		s.mu.RUnlock()
		return fs, nil
	}
	s.mu.RUnlock()
	all, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache = all
	s.mu.Unlock()
	return all[obj], nil
}

// Get returns one live field by alias.
func (s *Service) Get(ctx context.Context, obj Object, alias string) (Field, error) {
	fs, err := s.List(ctx, obj)
	if err != nil {
		return Field{}, err
	}
	for _, f := range fs {
		if f.Alias == alias {
			return f, nil
		}
	}
	return Field{}, apperr.NotFoundf("fields.errors.notFound", map[string]any{"alias": alias},
		"no %s field %q", obj, alias)
}

// Custom returns the custom (non-core) live fields of obj.
func (s *Service) Custom(ctx context.Context, obj Object) ([]Field, error) {
	fs, err := s.List(ctx, obj)
	if err != nil {
		return nil, err
	}
	var out []Field
	for _, f := range fs {
		if !f.Fixed {
			out = append(out, f)
		}
	}
	return out, nil
}

const selectFields = `SELECT id, object, alias, label, coalesce(label_fr, ''), type, field_group, position, coalesce(default_value, ''),
	required, coalesce(options, ''), coalesce(properties, ''), listable, publicly_updatable, unique_identifier, deleted
	FROM fields`

func scanField(sc db.Scanner) (Field, bool, error) {
	var f Field
	var opts, props string
	var deleted bool
	if err := sc.Scan(&f.ID, &f.Object, &f.Alias, &f.Label, &f.LabelFR, &f.Type, &f.Group, &f.Position, &f.Default,
		&f.Required, &opts, &props, &f.Listable, &f.PubliclyUpdatable, &f.UniqueIdentifier, &deleted); err != nil {
		return f, false, err
	}
	if opts != "" {
		if err := json.Unmarshal([]byte(opts), &f.Options); err != nil {
			return f, false, fmt.Errorf("fields: %s options: %w", f.Alias, err)
		}
	}
	if props != "" {
		if err := json.Unmarshal([]byte(props), &f.Properties); err != nil {
			return f, false, fmt.Errorf("fields: %s properties: %w", f.Alias, err)
		}
	}
	return f, deleted, nil
}

func (s *Service) load(ctx context.Context) (map[Object][]Field, error) {
	out := map[Object][]Field{}
	for _, o := range []Object{Contact, Company} {
		out[o] = append(out[o], Core(o)...)
	}
	rows, err := s.db.R.QueryContext(ctx, selectFields+" WHERE deleted = 0 ORDER BY position, alias")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		f, _, err := scanField(rows)
		if err != nil {
			return nil, err
		}
		if f.Object != Contact && f.Object != Company {
			continue
		}
		out[f.Object] = append(out[f.Object], f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for o := range out {
		fs := out[o]
		sort.SliceStable(fs, func(i, j int) bool {
			if fs[i].Fixed != fs[j].Fixed {
				return fs[i].Fixed
			}
			return fs[i].Position < fs[j].Position
		})
	}
	return out, nil
}

// Input is what the user gives to create or edit a custom field.
type Input struct {
	Object            Object         `json:"object"`
	Alias             string         `json:"alias"`
	Label             string         `json:"label"`
	LabelFR           string         `json:"labelFr"` // the label in French ("" = the label)
	Type              Type           `json:"type"`
	Group             string         `json:"group"`
	Default           string         `json:"defaultValue"`
	Required          bool           `json:"required"`
	Options           []Option       `json:"options"`
	Properties        map[string]any `json:"properties"`
	Listable          bool           `json:"listable"`
	PubliclyUpdatable bool           `json:"publiclyUpdatable"`
	UniqueIdentifier  bool           `json:"uniqueIdentifier"`
}

// AliasFromLabel derives an alias from a label ("Date de naissance" -> date_de_naissance).
func AliasFromLabel(label string) string {
	var b strings.Builder
	for _, r := range foldLabel(label) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
		}
	}
	a := strings.Trim(b.String(), "_")
	if a == "" || a[0] < 'a' || a[0] > 'z' {
		a = "f_" + a
	}
	if len(a) > 64 {
		a = a[:64]
	}
	return a
}

func (in *Input) validate() error {
	errs := map[string]string{}
	msgs := map[string]string{}
	in.Label = strings.TrimSpace(in.Label)
	in.Alias = strings.TrimSpace(in.Alias)
	if in.Object == "" {
		in.Object = Contact
	}
	if in.Object != Contact && in.Object != Company {
		errs["object"], msgs["object"] = "fields.errors.object", "object must be contact or company"
	}
	if in.Label == "" {
		errs["label"], msgs["label"] = "fields.errors.labelRequired", "a label is required"
	}
	if in.Alias == "" && in.Label != "" {
		in.Alias = AliasFromLabel(in.Label)
	}
	if !in.Type.Valid() {
		errs["type"], msgs["type"] = "fields.errors.type", fmt.Sprintf("unknown type %q", in.Type)
	}
	if in.Group == "" {
		in.Group = "core"
	}
	if (in.Type == Select || in.Type == Multiselect) && len(in.Options) == 0 {
		errs["options"], msgs["options"] = "fields.errors.optionsRequired", "a select field needs at least one option"
	}
	seen := map[string]bool{}
	for i, o := range in.Options {
		o.Label, o.Value = strings.TrimSpace(o.Label), strings.TrimSpace(o.Value)
		if o.Value == "" {
			o.Value = o.Label
		}
		if o.Label == "" {
			o.Label = o.Value
		}
		if o.Value == "" || strings.Contains(o.Value, "|") {
			errs["options"], msgs["options"] = "fields.errors.optionValue", fmt.Sprintf("option %d: empty or contains |", i+1)
		}
		if seen[o.Value] {
			errs["options"], msgs["options"] = "fields.errors.optionDuplicate", fmt.Sprintf("option %q twice", o.Value)
		}
		seen[o.Value] = true
		in.Options[i] = o
	}
	if in.Type == Time {
		in.Listable = false // Mautic forces time fields out of segment filters
	}
	if len(errs) > 0 {
		return apperr.FieldErrors(errs, msgs)
	}
	return nil
}

// Add creates a custom field and its column. Adding an alias that belongs to a deleted
// field of the same type restores it (with its data).
func (s *Service) Add(ctx context.Context, in Input) (Field, error) {
	if err := in.validate(); err != nil {
		return Field{}, err
	}
	if err := CheckAlias(in.Object, in.Alias); err != nil {
		key := "fields.errors.aliasInvalid"
		if errors.Is(err, ErrAliasReserved) || errors.Is(err, ErrAliasTaken) {
			key = "fields.errors.aliasTaken"
		}
		return Field{}, &apperr.Error{Code: apperr.Invalid, Key: key, Fields: map[string]string{"alias": key},
			Params: map[string]any{"alias": in.Alias}, Msg: fmt.Sprintf("alias %q: %v", in.Alias, err), Err: err}
	}
	if in.Default != "" {
		probe := Field{Alias: in.Alias, Type: in.Type, Options: in.Options, Properties: in.Properties}
		if _, err := probe.Parse(in.Default, ParseOptions{}); err != nil {
			return Field{}, apperr.FieldErrors(map[string]string{"defaultValue": "fields.errors.default"},
				map[string]string{"defaultValue": err.Error()})
		}
	}
	id := ids.Derived("field", string(in.Object), in.Alias)
	var out Field
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		existing, deleted, err := scanField(tx.QueryRow(selectFields+" WHERE id = ?", id))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case !deleted:
			return &apperr.Error{Code: apperr.Conflict, Key: "fields.errors.aliasTaken", Fields: map[string]string{"alias": "fields.errors.aliasTaken"},
				Params: map[string]any{"alias": in.Alias}, Msg: fmt.Sprintf("a field %q already exists", in.Alias)}
		case existing.Type != in.Type:
			return &apperr.Error{Code: apperr.Conflict, Key: "fields.errors.aliasDeletedOtherType", Fields: map[string]string{"alias": "fields.errors.aliasDeletedOtherType"},
				Params: map[string]any{"alias": in.Alias, "type": existing.Type},
				Msg:    fmt.Sprintf("alias %q belongs to a deleted %s field; restore it from the trash or pick another alias", in.Alias, existing.Type)}
		}
		var pos int
		if err := tx.QueryRow("SELECT coalesce(max(position), 0) + 1 FROM fields WHERE object = ?", in.Object).Scan(&pos); err != nil {
			return err
		}
		pos += len(Core(in.Object))
		cols := in.cols()
		cols["position"] = pos
		cols["date_modified"] = tx.NowMs()
		if existing.ID != "" {
			if _, err := tx.Update("fields", id, cols); err != nil {
				return err
			}
			if _, err := tx.Restore("fields", id); err != nil {
				return err
			}
		} else {
			cols["date_added"] = tx.NowMs()
			if err := tx.Insert("fields", id, cols); err != nil {
				return err
			}
		}
		if err := ensureColumn(tx, in.Object, in.Alias, in.Type); err != nil {
			return err
		}
		out, _, err = scanField(tx.QueryRow(selectFields+" WHERE id = ?", id))
		return err
	})
	return out, err
}

func (in Input) cols() db.Cols {
	opts, _ := json.Marshal(in.Options)
	if len(in.Options) == 0 {
		opts = nil
	}
	var props []byte
	if len(in.Properties) > 0 {
		props, _ = json.Marshal(in.Properties)
	}
	return db.Cols{
		"object": string(in.Object), "alias": in.Alias, "label": in.Label, "label_fr": nullable(strings.TrimSpace(in.LabelFR)),
		"type":        string(in.Type),
		"field_group": in.Group, "default_value": nullable(in.Default), "required": in.Required,
		"options": nullableBytes(opts), "properties": nullableBytes(props), "listable": in.Listable,
		"publicly_updatable": in.PubliclyUpdatable, "unique_identifier": in.UniqueIdentifier,
	}
}

// Update edits a custom field's label, group, options, flags and default; alias, object
// and type are fixed.
func (s *Service) Update(ctx context.Context, in Input) (Field, error) {
	cur, err := s.Get(ctx, in.Object, in.Alias)
	if err != nil {
		return Field{}, err
	}
	if cur.Fixed {
		return Field{}, apperr.Invalidf("fields.errors.fixed", map[string]any{"alias": in.Alias}, "core field %q cannot be edited", in.Alias)
	}
	in.Type = cur.Type
	if err := in.validate(); err != nil {
		return Field{}, err
	}
	cols := in.cols()
	delete(cols, "object")
	delete(cols, "alias")
	delete(cols, "type")
	var out Field
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		cols["date_modified"] = tx.NowMs()
		if _, err := tx.Update("fields", cur.ID, cols); err != nil {
			return err
		}
		out, _, err = scanField(tx.QueryRow(selectFields+" WHERE id = ?", cur.ID))
		return err
	})
	return out, err
}

// Delete moves a custom field to the trash; its column and values stay for a restore.
func (s *Service) Delete(ctx context.Context, obj Object, alias string) error {
	f, err := s.Get(ctx, obj, alias)
	if err != nil {
		return err
	}
	if f.Fixed {
		return apperr.Invalidf("fields.errors.fixed", map[string]any{"alias": alias}, "core field %q cannot be deleted", alias)
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Delete("fields", f.ID)
		return err
	})
}

// Restore brings a deleted custom field back.
func (s *Service) Restore(ctx context.Context, obj Object, alias string) error {
	id := ids.Derived("field", string(obj), alias)
	return s.db.Write(ctx, func(tx *db.Tx) error {
		ok, err := tx.Restore("fields", id)
		if err == nil && !ok {
			err = apperr.NotFoundf("fields.errors.notFound", map[string]any{"alias": alias}, "no deleted field %q", alias)
		}
		return err
	})
}

// EnsureColumns adds any missing column for custom fields (e.g. definitions that arrived by
// sync).
func (s *Service) EnsureColumns(ctx context.Context) error {
	rows, err := s.db.R.QueryContext(ctx, "SELECT object, alias, type FROM fields")
	if err != nil {
		return err
	}
	type def struct {
		o Object
		a string
		t Type
	}
	var defs []def
	for rows.Next() {
		var d def
		if err := rows.Scan(&d.o, &d.a, &d.t); err != nil {
			rows.Close()
			return err
		}
		defs = append(defs, d)
	}
	rows.Close()
	if len(defs) == 0 {
		return nil
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		for _, d := range defs {
			if d.o != Contact && d.o != Company {
				continue
			}
			if err := ensureColumn(tx, d.o, d.a, d.t); err != nil {
				return err
			}
		}
		return nil
	})
}

func ensureColumn(tx *db.Tx, obj Object, alias string, t Type) error {
	if !aliasRe.MatchString(alias) || reserved[alias] {
		return fmt.Errorf("fields: refusing column %q", alias)
	}
	table := obj.Table()
	exists, err := columnExists(tx, table, alias)
	if err != nil || exists {
		return err
	}
	decl := "TEXT COLLATE NOCASE"
	switch t.Storage() {
	case StoreReal:
		decl = "REAL"
	case StoreInt:
		decl = "INTEGER"
	}
	if _, err := tx.Exec(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", db.Quote(table), db.Quote(alias), decl)); err != nil {
		return fmt.Errorf("fields: add column %s.%s: %w", table, alias, err)
	}
	return nil
}

func columnExists(tx *db.Tx, table, col string) (bool, error) {
	var n int
	err := tx.QueryRow("SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", table, col).Scan(&n)
	return n > 0, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullableBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}
