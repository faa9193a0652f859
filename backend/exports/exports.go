// Package exports writes contacts to CSV or XLSX files: any search or list of ids, the
// fields the user chose, streamed page by page (keyset over the date_added index) so memory
// stays flat whatever the number of rows. Files are written next to their final name and
// renamed when complete, so a cancelled or failed export never leaves a half file.
package exports

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/jobs"
	"magpie/backend/listing"
)

// JobKind is the jobs kind of exports.
const JobKind = "export"

// Formats.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// Request says what to export.
type Request struct {
	Format string   `json:"format"` // csv | xlsx
	Fields []string `json:"fields"` // field aliases, in order; empty = every contact field
	Search string   `json:"search"` // contacts search (ignored when IDs is set)
	IDs    []string `json:"ids"`    // explicit contacts
	Tags   bool     `json:"tags"`   // add a "tags" column
	// Path is where to write; empty = DataDir/exports/contacts-<time>.<format>.
	Path string `json:"path"`
}

// Result is a finished export.
type Result struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
}

// Service writes exports.
type Service struct {
	contacts *contacts.Service
	jobs     *jobs.Runner
	dataDir  string
}

// New returns the service.
func New(c *contacts.Service, j *jobs.Runner, dataDir string) *Service {
	return &Service{contacts: c, jobs: j, dataDir: dataDir}
}

// Start runs an export in the background; the job's result is the Result as JSON.
func (s *Service) Start(ctx context.Context, req Request) (string, error) {
	req, cols, err := s.prepare(ctx, req)
	if err != nil {
		return "", err
	}
	title := fmt.Sprintf("Export %s", filepath.Base(req.Path))
	return s.jobs.Start(JobKind, title, func(ctx context.Context, p *jobs.Progress) error {
		res, err := s.write(ctx, req, cols, func(done, total int64) { p.Set(done, total, "") })
		if err == nil {
			p.SetResult(res)
		}
		return err
	})
}

// Write runs an export synchronously (CLI, tests).
func (s *Service) Write(ctx context.Context, req Request, progress func(done, total int64)) (Result, error) {
	req, cols, err := s.prepare(ctx, req)
	if err != nil {
		return Result{}, err
	}
	return s.write(ctx, req, cols, progress)
}

type column struct {
	alias string
	field fields.Field
}

func (s *Service) prepare(ctx context.Context, req Request) (Request, []column, error) {
	req.Format = strings.ToLower(strings.TrimSpace(req.Format))
	if req.Format == "" {
		req.Format = CSV
	}
	if req.Format != CSV && req.Format != XLSX {
		return req, nil, apperr.Invalidf("exports.errors.format", map[string]any{"format": req.Format},
			"unknown export format %q (use csv or xlsx)", req.Format)
	}
	if _, err := contacts.ParseSearch(req.Search); err != nil {
		return req, nil, err
	}
	fs, err := s.contacts.Fields().List(ctx, fields.Contact)
	if err != nil {
		return req, nil, err
	}
	byAlias := map[string]fields.Field{}
	for _, f := range fs {
		byAlias[f.Alias] = f
	}
	var cols []column
	if len(req.Fields) == 0 {
		for _, f := range fs {
			cols = append(cols, column{alias: f.Alias, field: f})
		}
	}
	for _, a := range req.Fields {
		if a == "tags" {
			req.Tags = true
			continue
		}
		f, ok := byAlias[a]
		if !ok && a != "id" && a != "date_added" {
			return req, nil, apperr.Invalidf("exports.errors.field", map[string]any{"field": a}, "unknown contact field %q", a)
		}
		cols = append(cols, column{alias: a, field: f})
	}
	if req.Path == "" {
		dir := filepath.Join(s.dataDir, "exports")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return req, nil, apperr.New(apperr.Unavailable, "exports.errors.dir", fmt.Sprintf("cannot create %s: %v", dir, err), map[string]any{"path": dir})
		}
		req.Path = filepath.Join(dir, "contacts-"+time.Now().UTC().Format("20060102-150405")+"."+req.Format)
	}
	if fi, err := os.Stat(filepath.Dir(req.Path)); err != nil || !fi.IsDir() {
		return req, nil, apperr.Invalidf("exports.errors.dir", map[string]any{"path": req.Path},
			"cannot write %s: its folder does not exist", req.Path)
	}
	return req, cols, nil
}

// sink receives rows.
type sink interface {
	header([]string) error
	row([]any) error
	close() error
	abort()
}

func (s *Service) write(ctx context.Context, req Request, cols []column, progress func(done, total int64)) (Result, error) {
	tmp := req.Path + ".part"
	var out sink
	var err error
	if req.Format == XLSX {
		out, err = newXLSX(tmp)
	} else {
		out, err = newCSV(tmp)
	}
	if err != nil {
		return Result{}, apperr.New(apperr.Unavailable, "exports.errors.write", fmt.Sprintf("cannot write %s: %v", req.Path, err), map[string]any{"path": req.Path})
	}
	ok := false
	defer func() {
		if !ok {
			out.abort()
			os.Remove(tmp)
		}
	}()
	head := make([]string, 0, len(cols)+1)
	for _, c := range cols {
		head = append(head, c.alias)
	}
	if req.Tags {
		head = append(head, "tags")
	}
	if err := out.header(head); err != nil {
		return Result{}, err
	}
	r, release, err := s.readConn(ctx)
	if err != nil {
		return Result{}, err
	}
	defer release()
	total := int64(len(req.IDs))
	where, args := "", []any(nil)
	if len(req.IDs) == 0 {
		f, _ := contacts.ParseSearch(req.Search)
		where, args = f.Where, f.Args
		q := "SELECT count(*) FROM contacts WHERE deleted = 0"
		if where != "" {
			q += " AND (" + where + ")"
		}
		if err := r.QueryRowContext(ctx, q, args...).Scan(&total); err != nil {
			return Result{}, err
		}
	}
	// Reading the store and encoding the file run side by side (one core each): pages
	// produces batches of rows, this goroutine writes them.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan [][]any, 8)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		var buf [][]any
		err := s.pages(rctx, r, req, cols, where, args, func(vals []any) error {
			buf = append(buf, vals)
			if len(buf) == 512 {
				select {
				case batches <- buf:
				case <-rctx.Done():
					return rctx.Err()
				}
				buf = nil
			}
			return nil
		})
		if err == nil && len(buf) > 0 {
			select {
			case batches <- buf:
			case <-rctx.Done():
				err = rctx.Err()
			}
		}
		readErr <- err
	}()
	var done int64
	var writeErr error
	for b := range batches {
		if writeErr != nil {
			continue // drain so the reader ends
		}
		for _, vals := range b {
			if writeErr = out.row(vals); writeErr != nil {
				cancel()
				break
			}
			done++
			if done%5000 == 0 && progress != nil {
				progress(done, total)
			}
		}
	}
	if err := <-readErr; err != nil && writeErr == nil {
		return Result{}, err
	}
	if writeErr != nil {
		return Result{}, writeErr
	}
	if err := out.close(); err != nil {
		return Result{}, apperr.New(apperr.Unavailable, "exports.errors.write", fmt.Sprintf("cannot write %s: %v", req.Path, err), map[string]any{"path": req.Path})
	}
	if err := os.Rename(tmp, req.Path); err != nil {
		return Result{}, err
	}
	ok = true
	if progress != nil {
		progress(done, total)
	}
	fi, _ := os.Stat(req.Path)
	res := Result{Path: req.Path, Format: req.Format, Rows: done}
	if fi != nil {
		res.Bytes = fi.Size()
	}
	return res, nil
}

const pageSize = 2000

// pages streams the selected contacts in (date_added, rowid) order (a keyset on the
// contacts_date_added index, whose entries end with the rowid: migration 0093).
// readConn is the export's one read connection, with a small page cache and no memory
// map: a sequential read gains nothing from the pool's 64 MB per connection, which a
// 1M-row export would otherwise fill (a third of its memory budget), and every mapped page
// of the file would count in the process's RSS. release restores the connection's own
// settings before it goes back to the pool.
func (s *Service) readConn(ctx context.Context) (r *sql.Conn, release func(), err error) {
	if r, err = s.contacts.DB().R.Conn(ctx); err != nil {
		return nil, nil, err
	}
	var cache int
	if err := r.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
		r.Close()
		return nil, nil, err
	}
	release = func() {
		bg := context.Background()
		r.ExecContext(bg, fmt.Sprintf("PRAGMA cache_size = %d", cache)) //nolint:errcheck // best effort
		r.Close()
	}
	if _, err := r.ExecContext(ctx, "PRAGMA cache_size = -8192; PRAGMA mmap_size = 0"); err != nil {
		release()
		return nil, nil, err
	}
	return r, release, nil
}

func (s *Service) pages(ctx context.Context, r *sql.Conn, req Request, cols []column, where string, args []any, emit func([]any) error) error {
	sel := []string{"id", "date_added", "rowid"}
	for _, c := range cols {
		switch c.alias {
		case "id", "date_added":
			sel = append(sel, c.alias)
		case "last_active":
			sel = append(sel, "last_active")
		default:
			sel = append(sel, db.Quote(c.alias))
		}
	}
	base := "SELECT " + strings.Join(sel, ", ") + " FROM contacts WHERE deleted = 0"
	emitRows := func(rows *sql.Rows) (n int, lastAdded, lastRow int64, err error) {
		defer rows.Close()
		raw := make([]any, len(sel))
		ptrs := make([]any, len(sel))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		type pending struct {
			id   string
			vals []any
		}
		var buf []pending
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return 0, 0, 0, err
			}
			id, _ := raw[0].(string)
			lastAdded, _ = raw[1].(int64)
			lastRow, _ = raw[2].(int64)
			vals := make([]any, 0, len(cols)+1)
			for i, c := range cols {
				vals = append(vals, cell(c, raw[i+3]))
			}
			buf = append(buf, pending{id: id, vals: vals})
			n++
		}
		if err := rows.Err(); err != nil {
			return 0, 0, 0, err
		}
		var tags map[string][]string
		if req.Tags && len(buf) > 0 {
			idList := make([]string, len(buf))
			for i, p := range buf {
				idList[i] = p.id
			}
			if tags, err = s.contacts.TagsOf(ctx, idList); err != nil {
				return 0, 0, 0, err
			}
		}
		for _, p := range buf {
			if req.Tags {
				p.vals = append(p.vals, strings.Join(tags[p.id], "|"))
			}
			if err := emit(p.vals); err != nil {
				return 0, 0, 0, err
			}
		}
		return n, lastAdded, lastRow, nil
	}
	if len(req.IDs) > 0 {
		for start := 0; start < len(req.IDs); start += 500 {
			if err := ctx.Err(); err != nil {
				return err
			}
			chunk := req.IDs[start:min(start+500, len(req.IDs))]
			rows, err := r.QueryContext(ctx, base+" AND id IN ("+listing.Placeholders(len(chunk))+") ORDER BY date_added, rowid", listing.Strings(chunk)...)
			if err != nil {
				return err
			}
			if _, _, _, err := emitRows(rows); err != nil {
				return err
			}
		}
		return nil
	}
	q := base
	if where != "" {
		q += " AND (" + where + ")"
	}
	read := func(part string, limit int, after ...any) (int, int64, int64, error) {
		rows, err := r.QueryContext(ctx, q+part, append(append(append([]any{}, args...), after...), limit)...)
		if err != nil {
			return 0, 0, 0, err
		}
		return emitRows(rows)
	}
	var lastAdded, lastRow int64 = -1 << 62, 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, _, lr, err := read(restOfRun, pageSize, lastAdded, lastRow)
		if err != nil {
			return err
		}
		if n > 0 {
			lastRow = lr
		}
		if n < pageSize {
			m, la, lr, err := read(afterRun, pageSize-n, lastAdded)
			if err != nil {
				return err
			}
			if n+m < pageSize {
				return nil
			}
			if m > 0 {
				lastAdded, lastRow = la, lr
			}
		}
	}
}

// restOfRun and afterRun are a page's two reads after the last row emitted, (lastAdded,
// lastRow): the rest of its run of equal date_added, sought by rowid, then the dates after
// it. A row value, (date_added, rowid) > (?, ?), seeks only date_added on contacts_date_added
// (whose entries end with the rowid) and so walks the run from its start at every page — an
// imported million shares one or two date_added values (TestPagePlans).
const (
	restOfRun = " AND date_added = ? AND rowid > ? ORDER BY rowid LIMIT ?"
	afterRun  = " AND date_added > ? ORDER BY date_added, rowid LIMIT ?"
)

// cell converts a stored value to what a file shows: numbers stay numbers, instants become
// "YYYY-MM-DD HH:MM:SS" UTC.
func cell(c column, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		return string(x)
	case int64:
		if c.alias == "date_added" || c.alias == "last_active" {
			return time.UnixMilli(x).UTC().Format("2006-01-02 15:04:05")
		}
		return x
	}
	return v
}
