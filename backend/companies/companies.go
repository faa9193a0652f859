// Package companies manages companies: their core and custom fields, search, and the
// find-or-create used when imports, forms and the contact editor name a company.
//
// Contacts link to companies through package contacts (which owns company_contacts and the
// contact's mirrored "company" field); this package never writes contacts.
package companies

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/fold"
	"magpie/backend/ids"
	"magpie/backend/listing"
)

func init() {
	db.Declare(db.Table{Name: "companies", Synced: true, Local: []string{"name_key"}, Derive: func(c db.Cols) {
		if v, ok := c["companyname"]; ok {
			s, _ := v.(string)
			c["name_key"] = fold.String(s)
		}
	}})
}

// Company is one company with its field values by alias.
type Company struct {
	ID           string         `json:"id"`
	Values       map[string]any `json:"values"`
	Score        int64          `json:"score"`
	OwnerID      string         `json:"ownerId"`
	DateAdded    time.Time      `json:"dateAdded"`
	DateModified time.Time      `json:"dateModified"`
	Contacts     int            `json:"contacts"`
	Deleted      bool           `json:"deleted"`
}

// Name is the company name.
func (c Company) Name() string { s, _ := c.Values["companyname"].(string); return s }

// Service manages companies.
type Service struct {
	db      *db.DB
	fields  *fields.Service
	anchors listing.Anchors
}

// New returns the service.
func New(d *db.DB, fs *fields.Service) *Service {
	s := &Service{db: d, fields: fs}
	d.OnCommit(func(c db.Commit) {
		if c.Touches("companies", "company_contacts") {
			s.anchors.Invalidate()
		}
	})
	return s
}

// ParseValues validates raw user values against the company fields; it returns the stored
// values (nil = clear) or a field-keyed error.
func (s *Service) ParseValues(ctx context.Context, raw map[string]string, opt fields.ParseOptions) (db.Cols, error) {
	return s.fields.ParseValues(ctx, fields.Company, raw, opt)
}

// Create adds a company.
func (s *Service) Create(ctx context.Context, raw map[string]string) (Company, error) {
	cols, err := s.ParseValues(ctx, raw, fields.ParseOptions{})
	if err != nil {
		return Company{}, err
	}
	if n, _ := cols["companyname"].(string); strings.TrimSpace(n) == "" {
		return Company{}, apperr.FieldErrors(map[string]string{"companyname": "fields.errors.required"},
			map[string]string{"companyname": "a company name is required"})
	}
	id := ids.New()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		cols["date_added"], cols["date_modified"] = tx.NowMs(), tx.NowMs()
		return tx.Insert("companies", id, cols)
	})
	if err != nil {
		return Company{}, err
	}
	return s.Get(ctx, id)
}

// Update writes the given fields ("" clears a field).
func (s *Service) Update(ctx context.Context, id string, raw map[string]string) (Company, error) {
	cols, err := s.ParseValues(ctx, raw, fields.ParseOptions{})
	if err != nil {
		return Company{}, err
	}
	if v, ok := cols["companyname"]; ok && v == nil {
		return Company{}, apperr.FieldErrors(map[string]string{"companyname": "fields.errors.required"},
			map[string]string{"companyname": "a company name is required"})
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		cols["date_modified"] = tx.NowMs()
		ok, err := tx.Update("companies", id, cols)
		if err == nil && !ok {
			err = notFound(id)
		}
		if err != nil {
			return err
		}
		if name, ok := cols["companyname"]; ok {
			// Keep the mirrored name on contacts whose primary company this is.
			rows, err := tx.Query("SELECT contact_id FROM company_contacts WHERE company_id = ? AND is_primary = 1 AND deleted = 0", id)
			if err != nil {
				return err
			}
			var contactIDs []string
			for rows.Next() {
				var cid string
				if err := rows.Scan(&cid); err != nil {
					rows.Close()
					return err
				}
				contactIDs = append(contactIDs, cid)
			}
			rows.Close()
			for _, cid := range contactIDs {
				if _, err := tx.Update("contacts", cid, db.Cols{"company": name, "date_modified": tx.NowMs()}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return Company{}, err
	}
	return s.Get(ctx, id)
}

func notFound(id string) error {
	return apperr.NotFoundf("companies.errors.notFound", map[string]any{"id": id}, "no company %s", id)
}

// Delete moves companies to the trash.
func (s *Service) Delete(ctx context.Context, idList []string) (int, error) {
	n := 0
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		for _, id := range idList {
			ok, err := tx.Delete("companies", id)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	})
	return n, err
}

// Restore brings companies back from the trash.
func (s *Service) Restore(ctx context.Context, idList []string) (int, error) {
	n := 0
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		for _, id := range idList {
			ok, err := tx.Restore("companies", id)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	})
	return n, err
}

// FindOrCreateTx returns the live company named name (case and accent-insensitive),
// creating it when missing.
func FindOrCreateTx(tx *db.Tx, name string) (string, bool, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", false, errors.New("companies: empty name")
	}
	var id string
	err := tx.QueryRow("SELECT id FROM companies WHERE name_key = ? AND deleted = 0 ORDER BY date_added LIMIT 1", fold.String(name)).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, err
	}
	id = ids.New()
	return id, true, tx.Insert("companies", id, db.Cols{"companyname": name, "date_added": tx.NowMs(), "date_modified": tx.NowMs()})
}

// FindOrCreateManyTx is FindOrCreateTx for many names at once (a batch of imported
// contacts): one look-up per 500 distinct names and one multi-row insert of the missing
// companies. ids[i] is the company of names[i]; names that fold to the same key share one
// company, made from the first of them, as calling FindOrCreateTx in order would.
func FindOrCreateManyTx(tx *db.Tx, names []string) ([]string, error) {
	keys := make([]string, len(names))
	byKey := make(map[string]string, len(names))
	var look []string
	for i, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			return nil, errors.New("companies: empty name")
		}
		keys[i] = fold.String(n)
		if _, ok := byKey[keys[i]]; !ok {
			byKey[keys[i]] = ""
			look = append(look, keys[i])
		}
	}
	err := db.EachIn(tx.Query, "SELECT name_key, id FROM companies WHERE deleted = 0 AND name_key IN (%s) ORDER BY date_added DESC", look,
		func(rows *sql.Rows) error {
			var k, id string
			if err := rows.Scan(&k, &id); err != nil {
				return err
			}
			byKey[k] = id // the oldest comes last and wins
			return nil
		})
	if err != nil {
		return nil, err
	}
	var add []db.Row
	out := make([]string, len(names))
	for i, k := range keys {
		if byKey[k] == "" {
			byKey[k] = ids.New()
			add = append(add, db.Row{ID: byKey[k], Vals: []any{strings.TrimSpace(names[i]), tx.NowMs(), tx.NowMs()}})
		}
		out[i] = byKey[k]
	}
	if err := tx.InsertMany("companies", []string{"companyname", "date_added", "date_modified"}, add); err != nil {
		return nil, err
	}
	return out, nil
}

// Get loads one company (live or in the trash).
func (s *Service) Get(ctx context.Context, id string) (Company, error) {
	cs, err := s.load(ctx, "id", []any{id})
	if err != nil {
		return Company{}, err
	}
	if len(cs) == 0 {
		return Company{}, notFound(id)
	}
	return cs[0], nil
}

// load reads the companies whose column by (id or rowid) is one of keys, in keys' order.
func (s *Service) load(ctx context.Context, by string, keys []any) ([]Company, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	fs, err := s.fields.List(ctx, fields.Company)
	if err != nil {
		return nil, err
	}
	sel := []string{"rowid", "id", "score", "coalesce(owner_id,'')", "date_added", "date_modified", "deleted",
		"(SELECT count(*) FROM company_contacts cc WHERE cc.company_id = companies.id AND cc.deleted = 0)"}
	for _, f := range fs {
		sel = append(sel, db.Quote(f.Alias))
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM companies WHERE " + by + " IN (" + listing.Placeholders(len(keys)) + ")"
	rows, err := s.db.R.QueryContext(ctx, q, keys...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[any]Company{}
	for rows.Next() {
		var c Company
		var rowid, added, modified int64
		vals := make([]any, len(fs))
		dest := []any{&rowid, &c.ID, &c.Score, &c.OwnerID, &added, &modified, &c.Deleted, &c.Contacts}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		c.DateAdded, c.DateModified = time.UnixMilli(added).UTC(), time.UnixMilli(modified).UTC()
		c.Values = map[string]any{}
		for i, f := range fs {
			if vals[i] != nil {
				c.Values[f.Alias] = vals[i]
			}
		}
		if by == "rowid" {
			found[rowid] = c
		} else {
			found[c.ID] = c
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Company, 0, len(keys))
	for _, k := range keys {
		if c, ok := found[k]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// Query lists companies.
type Query struct {
	Search  string `json:"search"`
	Sort    string `json:"sort"` // name | date_added
	Desc    bool   `json:"desc"`
	Offset  int    `json:"offset"`
	Limit   int    `json:"limit"`
	Deleted bool   `json:"deleted"`
}

// Page is one page of companies.
type Page struct {
	Rows   []Company `json:"rows"`
	Total  int       `json:"total"`
	Offset int       `json:"offset"`
}

// List returns one page of companies.
func (s *Service) List(ctx context.Context, q Query) (Page, error) {
	spec := listing.Spec{Table: "companies", Key: "coalesce(name_key, '')", Desc: q.Desc, Offset: q.Offset, Limit: q.Limit, Deleted: q.Deleted}
	if q.Sort == "date_added" {
		spec.Key = "date_added"
	}
	if q.Deleted {
		spec.Key, spec.Desc = "coalesce(deleted_at, 0)", true
	}
	if t := fold.String(strings.TrimSpace(q.Search)); t != "" {
		spec.Where = "coalesce(name_key, '') >= ? AND coalesce(name_key, '') < ?"
		spec.Args = []any{t, t + "\U0010ffff"}
	}
	if spec.Limit <= 0 || spec.Limit > 1000 {
		spec.Limit = 100
	}
	rowids, err := listing.Rowids(ctx, s.db.R, &s.anchors, spec)
	if err != nil {
		return Page{}, err
	}
	rows, err := s.load(ctx, "rowid", listing.Int64s(rowids))
	if err != nil {
		return Page{}, err
	}
	deleted := 0
	if q.Deleted {
		deleted = 1
	}
	cq := fmt.Sprintf("SELECT count(*) FROM companies WHERE deleted = %d", deleted)
	if spec.Where != "" {
		cq += " AND " + spec.Where
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, cq, spec.Args...).Scan(&total); err != nil {
		return Page{}, err
	}
	return Page{Rows: rows, Total: total, Offset: q.Offset}, nil
}
