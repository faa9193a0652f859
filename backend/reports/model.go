// Package reports is Magpie's report builder (Mautic's ReportBundle, MAUTIC.md §9): a data
// source (contacts, companies, segment membership, emails, the behaviour log's email events,
// page hits, form submissions, asset downloads, points log), columns, column filters and
// segment filters on the rows' contacts, a date range, a grouped summary with count / sum /
// avg / min / max drawn as a go-echarts graph, exports to XLSX (typed cells, a Summary
// sheet with a native chart), CSV and self-contained HTML as background jobs, and
// schedules that write the export to a folder and/or email it.
//
// Definitions are a synced table (reports); the schedule's run state is local (report_runs).
package reports

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/ids"
	"magpie/backend/jobs"
	"magpie/backend/segments"
)

func init() {
	db.Declare(db.Table{Name: "reports", Synced: true})
}

// Schedule says when a report runs by itself and where the export goes.
type Schedule struct {
	Every string `json:"every"` // "" (off) | daily | weekly | monthly
	// Weekday (0 = Sunday … 6) for weekly; Day of month (1–28, or -1 = last day) for
	// monthly; Hour (0–23, UTC) for all.
	Weekday int      `json:"weekday"`
	Day     int      `json:"day"`
	Hour    int      `json:"hour"`
	Format  string   `json:"format"` // xlsx | csv | html
	Folder  string   `json:"folder"` // write the file there ("" = not written to a folder)
	Emails  []string `json:"emails"` // send it as an attachment to these addresses
	Lang    string   `json:"lang"`   // the file's column names and the email's words: en or fr
}

// Run is the last scheduled run on this desktop.
type Run struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	Error  string    `json:"error"`
	Path   string    `json:"path"`
}

// Report is a saved report.
type Report struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Description  string     `json:"description"`
	Definition   Definition `json:"definition"`
	Schedule     Schedule   `json:"schedule"`
	DateAdded    time.Time  `json:"dateAdded"`
	DateModified time.Time  `json:"dateModified"`
	Deleted      bool       `json:"deleted"`
	LastRun      *Run       `json:"lastRun,omitempty"`
	NextRun      *time.Time `json:"nextRun,omitempty"`
}

// Mailer sends a file by email (backend/emails' sender in production).
type Mailer interface {
	SendFile(ctx context.Context, to []string, subject, text string, name, contentType string, data []byte) error
}

// Service manages reports.
type Service struct {
	db       *db.DB
	fields   *fields.Service
	segments *segments.Service
	jobs     *jobs.Runner
	dataDir  string
	mailer   Mailer
	lease    Lease
	days     DayCounts
	bg       *background
	// create opens an export's temporary file (tests inject a full disk).
	create func(path string) (*os.File, error)
	wrap   func(f *os.File) fileWriter
}

// New returns the service.
func New(d *db.DB, fs *fields.Service, seg *segments.Service, j *jobs.Runner, dataDir string) *Service {
	return &Service{db: d, fields: fs, segments: seg, jobs: j, dataDir: dataDir, create: os.Create,
		wrap: func(f *os.File) fileWriter { return f }}
}

// SetMailer installs the email sender of scheduled reports.
func (s *Service) SetMailer(m Mailer) { s.mailer = m }

// Lease says whether this process is the team's one runner of scheduled reports (alone,
// without team sync, it always is).
type Lease interface {
	Held(ctx context.Context) bool
}

// SetLease makes RunDue run schedules only while l is held (nil: always).
func (s *Service) SetLease(l Lease) { s.lease = l }

// Sources lists the data sources (with the current custom fields).
func (s *Service) Sources(ctx context.Context) ([]Source, error) { return Sources(ctx, s.fields) }

const selectCols = `SELECT r.id, r.name, r.description, r.definition, r.schedule, r.date_added, r.date_modified, r.deleted,
	rr.last_run_at, coalesce(rr.last_status, ''), coalesce(rr.last_error, ''), coalesce(rr.last_path, '')
	FROM reports r LEFT JOIN report_runs rr ON rr.report_id = r.id`

func scan(sc db.Scanner) (Report, error) {
	var r Report
	var def, sched string
	var added, modified int64
	var lastAt sql.NullInt64
	var st, er, path string
	if err := sc.Scan(&r.ID, &r.Name, &r.Description, &def, &sched, &added, &modified, &r.Deleted, &lastAt, &st, &er, &path); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(def), &r.Definition); err != nil {
		return r, fmt.Errorf("reports: definition of %s: %w", r.ID, err)
	}
	_ = json.Unmarshal([]byte(sched), &r.Schedule)
	r.DateAdded, r.DateModified = time.UnixMilli(added).UTC(), time.UnixMilli(modified).UTC()
	if lastAt.Valid {
		r.LastRun = &Run{At: time.UnixMilli(lastAt.Int64).UTC(), Status: st, Error: er, Path: path}
	}
	return r, nil
}

// List returns the reports by name (deleted ones when trash is true).
func (s *Service) List(ctx context.Context, trash bool) ([]Report, error) {
	out, err := db.Collect(ctx, s.db.R, scan, selectCols+" WHERE r.deleted = ? ORDER BY r.name, r.id", trash)
	for i := range out {
		s.setNext(&out[i])
	}
	return out, err
}

// Get returns one report (also from the trash).
func (s *Service) Get(ctx context.Context, id string) (Report, error) {
	r, err := scan(s.db.R.QueryRowContext(ctx, selectCols+" WHERE r.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("reports.errors.notFound", map[string]any{"id": id}, "no report %s", id)
	}
	if err == nil {
		s.setNext(&r)
	}
	return r, err
}

func (s *Service) setNext(r *Report) {
	if r.Schedule.Every == "" || r.Deleted {
		return
	}
	n := NextRun(r.Schedule, lastRunOr(r), s.db.Clock.Now())
	r.NextRun = &n
}

// lastRunOr is the reference instant of the schedule: the last run, else the report's
// creation (a new schedule first runs at its next slot, not at once).
func lastRunOr(r *Report) time.Time {
	if r.LastRun != nil {
		return r.LastRun.At
	}
	return r.DateAdded
}

func (s *Service) checkSchedule(sc *Schedule) error {
	switch sc.Every {
	case "":
		return nil
	case "daily", "weekly", "monthly":
	default:
		return invalid("schedule.every", "reports.errors.every", "schedule %q must be daily, weekly or monthly", sc.Every)
	}
	if sc.Format == "" {
		sc.Format = XLSX
	}
	if sc.Format != XLSX && sc.Format != CSV && sc.Format != HTML {
		return invalid("schedule.format", "reports.errors.format", "unknown format %q (use xlsx, csv or html)", sc.Format)
	}
	if sc.Hour < 0 || sc.Hour > 23 {
		return invalid("schedule.hour", "reports.errors.hour", "hour %d must be 0–23", sc.Hour)
	}
	if sc.Every == "weekly" && (sc.Weekday < 0 || sc.Weekday > 6) {
		return invalid("schedule.weekday", "reports.errors.weekday", "weekday %d must be 0 (Sunday) to 6", sc.Weekday)
	}
	if sc.Every == "monthly" && (sc.Day == 0 || sc.Day < -1 || sc.Day > 28) {
		return invalid("schedule.day", "reports.errors.day", "day %d must be 1–28, or -1 for the last day", sc.Day)
	}
	var cleaned []string
	for _, e := range sc.Emails {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		if !strings.Contains(e, "@") {
			return invalid("schedule.emails", "reports.errors.email", "%q is not an email address", e)
		}
		cleaned = append(cleaned, e)
	}
	sc.Emails = cleaned
	if sc.Folder == "" && len(sc.Emails) == 0 {
		return invalid("schedule.folder", "reports.errors.destination", "a scheduled report needs a folder or email addresses")
	}
	if sc.Folder != "" {
		if fi, err := os.Stat(sc.Folder); err != nil || !fi.IsDir() {
			return invalid("schedule.folder", "reports.errors.folder", "the folder %s does not exist", sc.Folder)
		}
	}
	return nil
}

// Save creates (empty id) or updates a report after checking its definition compiles.
func (s *Service) Save(ctx context.Context, r Report) (Report, error) {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		return r, invalid("name", "reports.errors.name", "a report needs a name")
	}
	if _, err := s.compile(ctx, r.Definition, ""); err != nil {
		return r, err
	}
	if err := s.checkSchedule(&r.Schedule); err != nil {
		return r, err
	}
	def, _ := json.Marshal(r.Definition)
	sched, _ := json.Marshal(r.Schedule)
	cols := db.Cols{"name": r.Name, "description": r.Description, "source": r.Definition.Source,
		"definition": string(def), "schedule": string(sched)}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cols["date_modified"] = tx.NowMs()
		if r.ID == "" {
			r.ID = ids.New()
			cols["date_added"] = tx.NowMs()
			return tx.Insert("reports", r.ID, cols)
		}
		ok, err := tx.Update("reports", r.ID, cols)
		if err == nil && !ok {
			err = apperr.NotFoundf("reports.errors.notFound", map[string]any{"id": r.ID}, "no report %s", r.ID)
		}
		return err
	})
	if err != nil {
		return r, err
	}
	return s.Get(ctx, r.ID)
}

// Delete moves a report to the trash; Restore brings it back.
func (s *Service) Delete(ctx context.Context, id string) error { return s.setDeleted(ctx, id, true) }

// Restore brings a report back from the trash.
func (s *Service) Restore(ctx context.Context, id string) error { return s.setDeleted(ctx, id, false) }

func (s *Service) setDeleted(ctx context.Context, id string, del bool) error {
	return s.db.Trash(ctx, "reports", id, del, apperr.NotFoundf("reports.errors.notFound", map[string]any{"id": id}, "no report %s", id))
}

// Portable is a report as a JSON file (import/export between installs).
type Portable struct {
	Magpie      string     `json:"magpie"` // "report"
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Definition  Definition `json:"definition"`
	Schedule    Schedule   `json:"schedule"`
}

// ExportJSON returns the report as a portable JSON document.
func (s *Service) ExportJSON(ctx context.Context, id string) ([]byte, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(Portable{Magpie: "report", Name: r.Name, Description: r.Description, Definition: r.Definition, Schedule: r.Schedule}, "", "  ")
}

// ImportJSON saves a portable report as a new report (or over id when given).
func (s *Service) ImportJSON(ctx context.Context, id string, data []byte) (Report, error) {
	var p Portable
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Report{}, apperr.Invalidf("reports.errors.importJSON", nil, "not a report file: %v", err)
	}
	if p.Magpie != "report" {
		return Report{}, apperr.Invalidf("reports.errors.importJSON", nil, `not a report file (missing "magpie": "report")`)
	}
	return s.Save(ctx, Report{ID: id, Name: p.Name, Description: p.Description, Definition: p.Definition, Schedule: p.Schedule})
}

// Preview is one page of detail rows and the summary.
type Preview struct {
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"rows"`
	Total   int64    `json:"total"`
	Summary *Summary `json:"summary"`
	Ms      int64    `json:"ms"`
}

// Preview runs def: the detail page [offset, offset+limit) and the summary, columns named
// in lang.
func (s *Service) Preview(ctx context.Context, def Definition, lang string, offset, limit int) (Preview, error) {
	start := time.Now()
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	if offset < 0 {
		offset = 0
	}
	p, err := s.compile(ctx, def, lang)
	if err != nil {
		return Preview{}, err
	}
	out := Preview{Columns: p.columns(), Rows: [][]any{}}
	if len(def.Columns) > 0 {
		err = s.rows(ctx, p, limit, offset, func(v []any) error {
			out.Rows = append(out.Rows, append([]any{}, v...))
			return nil
		})
		if err != nil {
			return out, err
		}
		if out.Total, err = s.count(ctx, p); err != nil {
			return out, err
		}
	}
	if len(def.GroupBy) > 0 || len(def.Aggregates) > 0 {
		if out.Summary, err = s.summary(ctx, p); err != nil {
			return out, err
		}
	}
	out.Ms = time.Since(start).Milliseconds()
	return out, nil
}

// Summarize runs only the grouped summary of def (dashboards, benchmarks).
func (s *Service) Summarize(ctx context.Context, def Definition) (*Summary, error) {
	p, err := s.compile(ctx, def, "")
	if err != nil {
		return nil, err
	}
	return s.summary(ctx, p)
}
