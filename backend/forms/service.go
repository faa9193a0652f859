package forms

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/ids"
)

// Source is the events' source of everything a form action writes.
const Source = "form"

// Service manages form definitions and results.
type Service struct {
	db *db.DB
}

// New returns the forms service.
func New(d *db.DB) *Service { return &Service{db: d} }

// DB is the store.
func (s *Service) DB() *db.DB { return s.db }

const formCols = `id, name, description, kind, kiosk, submit_label, post_action, post_value, min_seconds, fields, actions,
	is_published, date_added, date_modified, deleted`

func scanForm(sc db.Scanner) (Form, error) {
	var f Form
	var fields, actions string
	err := sc.Scan(&f.ID, &f.Name, &f.Description, &f.Kind, &f.Kiosk, &f.SubmitLabel, &f.PostAction, &f.PostValue,
		&f.MinSeconds, &fields, &actions, &f.Published, &f.DateAdded, &f.DateModified, &f.Deleted)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal([]byte(fields), &f.Fields); err != nil {
		return f, err
	}
	if err := json.Unmarshal([]byte(actions), &f.Actions); err != nil {
		return f, err
	}
	if f.Fields == nil {
		f.Fields = []Field{}
	}
	if f.Actions == nil {
		f.Actions = []Action{}
	}
	return f, nil
}

func notFound(id string) error {
	return apperr.NotFoundf("forms.errors.notFound", map[string]any{"id": id}, "no form %q", id)
}

// List returns the forms (trash = the trashed ones), by name, with their result counts.
func (s *Service) List(ctx context.Context, trash bool) ([]Form, error) {
	del := 0
	if trash {
		del = 1
	}
	out, err := db.Collect(ctx, s.db.R, scanForm, "SELECT "+formCols+` FROM forms WHERE deleted = ? ORDER BY coalesce(name_key, ''), id`, del)
	if err != nil {
		return nil, err
	}
	counts, err := s.resultCounts(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Results = counts[out[i].ID]
	}
	return out, nil
}

func (s *Service) resultCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT form_id, count(*) FROM form_results GROUP BY form_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Get returns one form (trashed ones too).
func (s *Service) Get(ctx context.Context, id string) (Form, error) {
	f, err := scanForm(s.db.R.QueryRowContext(ctx, "SELECT "+formCols+" FROM forms WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, notFound(id)
	}
	if err != nil {
		return f, err
	}
	err = s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM form_results WHERE form_id = ?", id).Scan(&f.Results)
	return f, err
}

// Save creates (empty ID) or updates a form after checking it.
func (s *Service) Save(ctx context.Context, f Form) (Form, error) {
	f.Name = strings.TrimSpace(f.Name)
	if f.Kind == "" {
		f.Kind = "standalone"
	}
	if f.PostAction == "" {
		f.PostAction = "message"
	}
	if f.SubmitLabel == "" {
		f.SubmitLabel = "Submit"
	}
	if f.Fields == nil {
		f.Fields = []Field{}
	}
	if f.Actions == nil {
		f.Actions = []Action{}
	}
	if err := f.Check(); err != nil {
		return f, err
	}
	cols := db.Cols{"name": f.Name, "description": f.Description, "kind": f.Kind, "kiosk": f.Kiosk,
		"submit_label": f.SubmitLabel, "post_action": f.PostAction, "post_value": f.PostValue, "min_seconds": f.MinSeconds,
		"fields": toJSON(f.Fields), "actions": toJSON(f.Actions), "is_published": f.Published}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cols["date_modified"] = tx.NowMs()
		if f.ID == "" {
			f.ID = ids.New()
			cols["date_added"] = tx.NowMs()
			return tx.Insert("forms", f.ID, cols)
		}
		ok, err := tx.Update("forms", f.ID, cols)
		if err == nil && !ok {
			return notFound(f.ID)
		}
		return err
	})
	if err != nil {
		return f, err
	}
	return s.Get(ctx, f.ID)
}

// Delete moves a form to the trash; Restore takes it back.
func (s *Service) Delete(ctx context.Context, id string) error { return s.setDeleted(ctx, id, true) }

// Restore takes a form out of the trash.
func (s *Service) Restore(ctx context.Context, id string) error { return s.setDeleted(ctx, id, false) }

func (s *Service) setDeleted(ctx context.Context, id string, del bool) error {
	return s.db.Trash(ctx, "forms", id, del, notFound(id))
}

// Result is one stored submission.
type Result struct {
	ID        string            `json:"id"`
	ContactID string            `json:"contactId"`
	Contact   string            `json:"contact"` // the contact's email or name, for display
	At        int64             `json:"at"`
	URL       string            `json:"url"`
	IP        string            `json:"ip"`
	Values    map[string]string `json:"values"`
	Issues    []string          `json:"issues"`
	Files     []StoredFile      `json:"files"` // uploads of file fields (download with ExportFile)
}

// Results is one page of a form's results, newest first.
type Results struct {
	Total int64    `json:"total"`
	Rows  []Result `json:"rows"`
}

// Results returns a page of results.
func (s *Service) Results(ctx context.Context, formID string, offset, limit int) (Results, error) {
	out := Results{Rows: []Result{}}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	if err := s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM form_results WHERE form_id = ?", formID).Scan(&out.Total); err != nil {
		return out, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT r.id, r.contact_id, coalesce(nullif(c.email, ''), trim(coalesce(c.firstname, '') || ' ' || coalesce(c.lastname, '')), ''),
		r.at, coalesce(r.url, ''), coalesce(r.ip, ''), r.vals, r.issues
		FROM form_results r LEFT JOIN contacts c ON c.id = r.contact_id WHERE r.form_id = ? ORDER BY r.at DESC, r.id DESC LIMIT ? OFFSET ?`,
		formID, limit, offset)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Result
		var vals, issues string
		if err := rows.Scan(&r.ID, &r.ContactID, &r.Contact, &r.At, &r.URL, &r.IP, &vals, &issues); err != nil {
			return out, err
		}
		_ = json.Unmarshal([]byte(vals), &r.Values)
		_ = json.Unmarshal([]byte(issues), &r.Issues)
		if r.Issues == nil {
			r.Issues = []string{}
		}
		out.Rows = append(out.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	rids := make([]string, len(out.Rows))
	for i, r := range out.Rows {
		rids[i] = r.ID
	}
	files, err := s.filesOf(ctx, rids)
	if err != nil {
		return out, err
	}
	for i := range out.Rows {
		out.Rows[i].Files = files[out.Rows[i].ID]
		if out.Rows[i].Files == nil {
			out.Rows[i].Files = []StoredFile{}
		}
	}
	return out, nil
}
