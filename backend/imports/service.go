// Package imports brings contacts in from CSV files: detection of delimiter and encoding,
// automatic column mapping (English and French), Mautic's merge rules, per-row validation
// with every rejected row kept, and batches committed together with their progress cursor
// so that a cancelled or killed import keeps what it committed and resumes without
// duplicates.
package imports

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/ids"
	"magpie/backend/jobs"
)

// JobKind is the jobs kind of imports (the job id is the import id).
const JobKind = "import"

// Statuses of an import.
const (
	StatusQueued   = "queued"
	StatusRunning  = "running"
	StatusDone     = "done"
	StatusFailed   = "failed"
	StatusCanceled = "canceled"
)

// Options say how to read and merge a file.
type Options struct {
	Delimiter string `json:"delimiter"` // "," ";" "\t"; "" = detect
	Encoding  string `json:"encoding"`  // utf-8 | utf-8-bom | windows-1252; "" = detect
	// Mapping is the target of each column, in file order: a field alias, "tags",
	// "points" or "" (skip). Nil = the suggested mapping.
	Mapping []string `json:"mapping"`
	// Tags are added to every imported contact.
	Tags []string `json:"tags"`
	// UpdateExisting merges rows into contacts that existed before the import (matched by
	// email). When false those rows are ignored; duplicates inside the file always merge.
	UpdateExisting bool `json:"updateExisting"`
	// DateOrder is "dmy" (default) or "mdy" for ambiguous numeric dates.
	DateOrder string `json:"dateOrder"`
	// BatchSize is the number of rows per transaction (default 5000).
	BatchSize int `json:"batchSize,omitempty"`
}

// Record is an import as lists show it.
type Record struct {
	ID         string  `json:"id"`
	FileName   string  `json:"fileName"`
	Path       string  `json:"path"`
	Size       int64   `json:"size"`
	Status     string  `json:"status"`
	Options    Options `json:"options"`
	Offset     int64   `json:"offset"` // bytes of the (decoded) file committed
	Line       int64   `json:"line"`   // last line committed
	Inserted   int64   `json:"inserted"`
	Updated    int64   `json:"updated"`
	Ignored    int64   `json:"ignored"`
	Failed     int64   `json:"failed"`
	StartedAt  string  `json:"startedAt"`
	FinishedAt string  `json:"finishedAt"`
	CreatedAt  string  `json:"createdAt"`
	Error      string  `json:"error"`
}

// Rows is how many data rows were handled.
func (r Record) Rows() int64 { return r.Inserted + r.Updated + r.Ignored + r.Failed }

// Rejection is one rejected row.
type Rejection struct {
	Line   int64  `json:"line"`
	Reason string `json:"reason"` // English, for the CLI and the rejected-rows CSV
	Raw    string `json:"raw"`
	// Problems are the reason's parts the UI translates (none for a malformed CSV line).
	Problems []Problem `json:"problems,omitempty"`
}

// Problem is one cell's reason for rejecting a row: the column's field label, the i18n key
// of what is wrong with it (fields.errors.*) and the cell (cut at 60 characters).
type Problem struct {
	Label string `json:"label"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

// rowError rejects a row for its problems; its text is the English reason.
type rowError struct {
	problems []Problem
	text     []string
}

func (e *rowError) Error() string { return strings.Join(e.text, "; ") }

func (e *rowError) add(label, key, value, text string) {
	if r := []rune(value); len(r) > 60 {
		value = string(r[:59]) + "…"
	}
	e.problems = append(e.problems, Problem{Label: label, Key: key, Value: value})
	e.text = append(e.text, text)
}

// Service runs imports.
type Service struct {
	db       *db.DB
	contacts *contacts.Service
	fields   *fields.Service
	jobs     *jobs.Runner
	dataDir  string
}

// New returns the service; rejected-row files are written under dataDir/exports.
func New(c *contacts.Service, j *jobs.Runner, dataDir string) *Service {
	return &Service{db: c.DB(), contacts: c, fields: c.Fields(), jobs: j, dataDir: dataDir}
}

// Targets lists what columns can be mapped to.
func (s *Service) Targets(ctx context.Context) ([]Target, error) {
	fs, err := s.fields.List(ctx, fields.Contact)
	if err != nil {
		return nil, err
	}
	cfs, err := s.fields.List(ctx, fields.Company)
	if err != nil {
		return nil, err
	}
	return append(Targets(fs), CompanyTargets(cfs)...), nil
}

// Analyze detects a file's format and suggests a mapping.
func (s *Service) Analyze(ctx context.Context, path string) (Analysis, error) {
	ts, err := s.Targets(ctx)
	if err != nil {
		return Analysis{}, err
	}
	return Analyze(path, ts)
}

// Create records a new import of path (not started); unset options are detected.
func (s *Service) Create(ctx context.Context, path string, opt Options) (Record, error) {
	abs, err := filepath.Abs(path)
	if err == nil {
		path = abs
	}
	a, err := s.Analyze(ctx, path)
	if err != nil {
		return Record{}, err
	}
	if opt.Delimiter == "" {
		opt.Delimiter = a.Delimiter
	}
	if opt.Encoding == "" {
		opt.Encoding = a.Encoding
	}
	if a.Delimiter != opt.Delimiter || a.Encoding != opt.Encoding {
		// Re-read the header with the chosen format: the mapping is suggested from and
		// checked against it.
		a, err = s.AnalyzeWith(ctx, path, opt.Delimiter, opt.Encoding)
		if err != nil {
			return Record{}, err
		}
	}
	if opt.Mapping == nil {
		opt.Mapping = a.Mapping
	}
	ts, err := s.Targets(ctx)
	if err != nil {
		return Record{}, err
	}
	if err := checkMapping(a.Columns, opt.Mapping, ts); err != nil {
		return Record{}, err
	}
	if opt.DateOrder != "" && opt.DateOrder != "dmy" && opt.DateOrder != "mdy" {
		return Record{}, apperr.Invalidf("imports.errors.dateOrder", map[string]any{"value": opt.DateOrder},
			"date order must be dmy or mdy, not %q", opt.DateOrder)
	}
	opt.Tags = contacts.CleanTags(opt.Tags)
	b, _ := json.Marshal(opt)
	r := Record{ID: ids.New(), FileName: a.FileName, Path: path, Size: a.Size, Status: StatusQueued, Options: opt}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`INSERT INTO imports(id, object, file_path, file_name, file_size, status, options, created_at)
			VALUES(?, 'contact', ?, ?, ?, ?, ?, ?)`, r.ID, r.Path, r.FileName, r.Size, r.Status, string(b), tx.NowMs())
		return err
	})
	if err != nil {
		return Record{}, err
	}
	return s.Get(ctx, r.ID)
}

func analyzeWith(path, delim, enc string) (Analysis, error) {
	switch delim {
	case ",", ";", "\t", "|":
	default:
		return Analysis{}, apperr.Invalidf("imports.errors.delimiter", map[string]any{"delimiter": delim},
			"unsupported delimiter %q (use , ; tab or |)", delim)
	}
	f, err := os.Open(path)
	if err != nil {
		return Analysis{}, fileError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Analysis{}, fileError(path, err)
	}
	rd, err := decoded(f, enc)
	if err != nil {
		return Analysis{}, err
	}
	r := newCSV(rd, delim)
	h, err := r.Read()
	if err != nil {
		return Analysis{}, apperr.Invalidf("imports.errors.header", map[string]any{"path": path},
			"%s: cannot read the header row: %v", filepath.Base(path), err)
	}
	a := Analysis{Path: path, FileName: filepath.Base(path), Size: fi.Size(), Columns: cleanHeader(h), Delimiter: delim,
		Encoding: enc, Preview: [][]string{}}
	for len(a.Preview) < previewRows {
		rec, err := r.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue
			}
			break
		}
		a.Preview = append(a.Preview, append([]string(nil), rec...))
	}
	return a, nil
}

// AnalyzeWith re-reads a file with a delimiter and encoding the user chose (the mapping
// screen's "format" controls) and returns its columns, preview and suggested mapping.
func (s *Service) AnalyzeWith(ctx context.Context, path, delimiter, encoding string) (Analysis, error) {
	a, err := analyzeWith(path, delimiter, encoding)
	if err != nil {
		return a, err
	}
	ts, err := s.Targets(ctx)
	if err != nil {
		return a, err
	}
	a.Mapping = AutoMap(a.Columns, ts)
	return a, nil
}

func checkMapping(columns, mapping []string, ts []Target) error {
	if len(mapping) > len(columns) {
		return apperr.Invalidf("imports.errors.mappingLength", map[string]any{"columns": len(columns), "mapping": len(mapping)},
			"the mapping has %d entries but the file has %d columns", len(mapping), len(columns))
	}
	valid := map[string]bool{}
	for _, t := range ts {
		valid[t.Value] = true
	}
	used := map[string]string{}
	mapped := false
	for i, m := range mapping {
		if m == "" {
			continue
		}
		if !valid[m] {
			return apperr.Invalidf("imports.errors.unknownTarget", map[string]any{"column": columns[i], "target": m},
				"column %q is mapped to %q, which is not a contact field", columns[i], m)
		}
		if prev, dup := used[m]; dup && m != TargetTags {
			return apperr.Invalidf("imports.errors.mappedTwice", map[string]any{"column": columns[i], "other": prev, "target": m},
				"columns %q and %q are both mapped to %q", prev, columns[i], m)
		}
		used[m] = columns[i]
		mapped = true
	}
	if !mapped {
		return apperr.Invalidf("imports.errors.nothingMapped", nil,
			"no column is mapped to a contact field (columns: %s)", strings.Join(columns, ", "))
	}
	return nil
}

// Start creates an import and runs it as a background job; the job id is the import id.
func (s *Service) Start(ctx context.Context, path string, opt Options) (string, error) {
	r, err := s.Create(ctx, path, opt)
	if err != nil {
		return "", err
	}
	return s.Resume(ctx, r.ID)
}

// Resume (re)starts an import as a background job from its committed cursor.
func (s *Service) Resume(ctx context.Context, id string) (string, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	if r.Status == StatusDone {
		return "", apperr.New(apperr.Conflict, "imports.errors.finished", fmt.Sprintf("import %s is already finished", id), map[string]any{"id": id})
	}
	return s.jobs.StartWithID(id, JobKind, "Import "+r.FileName, func(ctx context.Context, p *jobs.Progress) error {
		err := s.Run(ctx, id, func(r Record) {
			// Rows done of an estimated total (from the share of the file read), so the
			// rate is in rows per second.
			var total int64
			if r.Offset > 0 {
				total = r.Rows() * r.Size / r.Offset
			}
			p.Set(r.Rows(), total, fmt.Sprintf("%d imported, %d updated, %d ignored, %d rejected", r.Inserted, r.Updated, r.Ignored, r.Failed))
			p.SetResult(r)
		})
		return err
	})
}

// ResumeInterrupted restarts the imports a previous process left running (crash, kill).
func (s *Service) ResumeInterrupted(ctx context.Context) ([]string, error) {
	idList, err := s.jobs.Interrupted(ctx, JobKind)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range idList {
		if _, err := s.Resume(ctx, id); err == nil {
			out = append(out, id)
		}
	}
	return out, nil
}

const selectRecord = `SELECT id, file_name, file_path, file_size, status, options, offset_bytes, line, inserted, updated,
	ignored, failed, started_at, finished_at, created_at, coalesce(error, '') FROM imports`

func scanRecord(sc db.Scanner) (Record, error) {
	var r Record
	var opts string
	var started, finished sql.NullInt64
	var created int64
	if err := sc.Scan(&r.ID, &r.FileName, &r.Path, &r.Size, &r.Status, &opts, &r.Offset, &r.Line, &r.Inserted, &r.Updated,
		&r.Ignored, &r.Failed, &started, &finished, &created, &r.Error); err != nil {
		return r, err
	}
	_ = json.Unmarshal([]byte(opts), &r.Options)
	r.CreatedAt = msText(sql.NullInt64{Int64: created, Valid: true})
	r.StartedAt, r.FinishedAt = msText(started), msText(finished)
	return r, nil
}

func msText(n sql.NullInt64) string {
	if !n.Valid {
		return ""
	}
	return time.UnixMilli(n.Int64).UTC().Format(time.RFC3339)
}

// Get returns one import.
func (s *Service) Get(ctx context.Context, id string) (Record, error) {
	r, err := scanRecord(s.db.R.QueryRowContext(ctx, selectRecord+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("imports.errors.notFound", map[string]any{"id": id}, "no import %s", id)
	}
	return r, err
}

// List returns the latest imports, newest first.
func (s *Service) List(ctx context.Context, limit int) ([]Record, error) {
	if limit <= 0 {
		limit = 50
	}
	return db.Collect(ctx, s.db.R, scanRecord, selectRecord+" ORDER BY created_at DESC, id DESC LIMIT ?", limit)
}

// Rejected returns rejected rows of an import by line, from line > after.
func (s *Service) Rejected(ctx context.Context, id string, after int64, limit int) ([]Rejection, error) {
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	rows, err := s.db.R.QueryContext(ctx, "SELECT line, reason, coalesce(raw, ''), coalesce(problems, '') FROM import_errors WHERE import_id = ? AND line > ? ORDER BY line LIMIT ?", id, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Rejection{}
	for rows.Next() {
		var r Rejection
		var problems string
		if err := rows.Scan(&r.Line, &r.Reason, &r.Raw, &problems); err != nil {
			return nil, err
		}
		if problems != "" {
			_ = json.Unmarshal([]byte(problems), &r.Problems) // written by merge.go; the reason says it anyway
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// WriteRejectedCSV writes every rejected row as CSV: its line, the reason, then the row's
// cells under the file's own header, so the rows can be fixed and imported again.
func (s *Service) WriteRejectedCSV(ctx context.Context, id string, w io.Writer) error {
	r, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	head := []string{"line", "reason"}
	if a, err := analyzeWith(r.Path, r.Options.Delimiter, r.Options.Encoding); err == nil {
		head = append(head, a.Columns...)
	} else {
		head = append(head, "row") // the file is gone: cells follow without names
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	var after int64
	for {
		page, err := s.Rejected(ctx, r.ID, after, 5000)
		if err != nil {
			return err
		}
		for _, x := range page {
			out := []string{fmt.Sprint(x.Line), x.Reason}
			if x.Raw != "" {
				cells, err := csv.NewReader(strings.NewReader(x.Raw)).Read()
				if err == nil {
					out = append(out, cells...)
				}
			}
			if err := cw.Write(out); err != nil {
				return err
			}
			after = x.Line
		}
		if len(page) < 5000 {
			break
		}
	}
	cw.Flush()
	return cw.Error()
}

// RejectedFile writes the rejected rows of an import to a CSV under the data dir and
// returns its path.
func (s *Service) RejectedFile(ctx context.Context, id string) (string, error) {
	dir := filepath.Join(s.dataDir, "exports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	p := filepath.Join(dir, "rejected-"+id+".csv")
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	if err := s.WriteRejectedCSV(ctx, id, f); err != nil {
		f.Close()
		os.Remove(p)
		return "", err
	}
	return p, f.Close()
}
