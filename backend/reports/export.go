package reports

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/jobs"
)

// JobKind is the jobs kind of report exports.
const JobKind = "report.export"

// Formats.
const (
	XLSX = "xlsx"
	CSV  = "csv"
	HTML = "html"
)

// ExportRequest says what to export: a saved report (ReportID) or an unsaved definition,
// with an optional date range overriding the definition's.
type ExportRequest struct {
	ReportID   string      `json:"reportId"`
	Name       string      `json:"name"`
	Definition *Definition `json:"definition,omitempty"`
	Format     string      `json:"format"`
	Path       string      `json:"path"` // "" = DataDir/reports/<name>-<time>.<format>
	DateFrom   string      `json:"dateFrom"`
	DateTo     string      `json:"dateTo"`
	Lang       string      `json:"lang"` // column names in en (default) or fr
}

// ExportResult is a finished export.
type ExportResult struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	Rows   int64  `json:"rows"`
	Sheets int    `json:"sheets"`
	Bytes  int64  `json:"bytes"`
}

// fileWriter is where an export's bytes go (an *os.File; tests wrap it to fill the disk).
type fileWriter interface {
	io.Writer
	Sync() error
	Close() error
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N}._-]+`)

type prepared struct {
	req  ExportRequest
	name string
	plan *plan
}

func (s *Service) prepare(ctx context.Context, req ExportRequest) (*prepared, error) {
	req.Format = strings.ToLower(strings.TrimSpace(req.Format))
	if req.Format == "" {
		req.Format = XLSX
	}
	if req.Format != XLSX && req.Format != CSV && req.Format != HTML {
		return nil, invalid("format", "reports.errors.format", "unknown format %q (use xlsx, csv or html)", req.Format)
	}
	var def Definition
	name := req.Name
	switch {
	case req.Definition != nil:
		def = *req.Definition
	case req.ReportID != "":
		r, err := s.Get(ctx, req.ReportID)
		if err != nil {
			return nil, err
		}
		def = r.Definition
		if name == "" {
			name = r.Name
		}
	default:
		return nil, invalid("reportId", "reports.errors.noReport", "say which report to export")
	}
	if name == "" {
		name = "report"
	}
	if req.DateFrom != "" || req.DateTo != "" {
		def.DateFrom, def.DateTo = req.DateFrom, req.DateTo
	}
	p, err := s.compile(ctx, def, req.Lang)
	if err != nil {
		return nil, err
	}
	if req.Path == "" {
		dir := filepath.Join(s.dataDir, "reports")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, writeError(dir, err)
		}
		base := strings.Trim(unsafeName.ReplaceAllString(name, "-"), "-")
		if base == "" {
			base = "report"
		}
		req.Path = filepath.Join(dir, base+"-"+s.db.Clock.Now().UTC().Format("20060102-150405")+"."+req.Format)
	}
	if fi, err := os.Stat(filepath.Dir(req.Path)); err != nil || !fi.IsDir() {
		return nil, apperr.New(apperr.Invalid, "reports.errors.dir", fmt.Sprintf("cannot write %s: its folder does not exist", req.Path),
			map[string]any{"path": req.Path})
	}
	return &prepared{req: req, name: name, plan: p}, nil
}

func writeError(path string, err error) error {
	return apperr.New(apperr.Unavailable, "reports.errors.write", fmt.Sprintf("cannot write %s: %v", path, unwrapPath(err)),
		map[string]any{"path": path, "reason": unwrapPath(err).Error()})
}

func unwrapPath(err error) error {
	var pe *os.PathError
	for e := err; e != nil; {
		if p, ok := e.(*os.PathError); ok {
			pe = p
			break
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	if pe != nil {
		return pe.Err
	}
	return err
}

// StartExport runs an export as a background job (progress, cancel); the job's result is
// the ExportResult.
func (s *Service) StartExport(ctx context.Context, req ExportRequest) (string, error) {
	pr, err := s.prepare(ctx, req)
	if err != nil {
		return "", err
	}
	title := fmt.Sprintf("Report %s → %s", pr.name, filepath.Base(pr.req.Path))
	return s.jobs.Start(JobKind, title, func(ctx context.Context, p *jobs.Progress) error {
		res, err := s.write(ctx, pr, func(done, total int64) { p.Set(done, total, "") })
		if err == nil {
			p.SetResult(res)
		}
		return err
	})
}

// Export runs an export synchronously (CLI, schedules, tests).
func (s *Service) Export(ctx context.Context, req ExportRequest, progress func(done, total int64)) (ExportResult, error) {
	pr, err := s.prepare(ctx, req)
	if err != nil {
		return ExportResult{}, err
	}
	return s.write(ctx, pr, progress)
}

// sink receives the export.
type sink interface {
	begin(cols []Column, total int64) error
	row(vals []any) error
	// finish writes the summary (and chart) and the file to w.
	finish(sum *Summary, w io.Writer) error
	abort()
	sheets() int
}

func (s *Service) write(ctx context.Context, pr *prepared, progress func(done, total int64)) (res ExportResult, err error) {
	path := pr.req.Path
	tmp := path + ".part"
	var out sink
	switch pr.req.Format {
	case XLSX:
		out = newXLSX(pr.name)
	case CSV:
		out = &csvSink{}
	default:
		out = &htmlSink{title: pr.name, def: pr.plan.def, src: pr.plan.src.Label, now: s.db.Clock.Now()}
	}
	f, err := s.create(tmp)
	if err != nil {
		out.abort()
		return res, writeError(path, err)
	}
	fw := s.wrap(f)
	ok := false
	defer func() {
		if !ok {
			out.abort()
			fw.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(fw, 1<<20)
	if c, isCSV := out.(*csvSink); isCSV {
		c.w = bw
	}
	if h, isHTML := out.(*htmlSink); isHTML {
		h.w = bw
	}
	total, err := s.count(ctx, pr.plan)
	if err != nil {
		return res, err
	}
	if err := out.begin(pr.plan.columns(), total); err != nil {
		return res, writeError(path, err)
	}
	var done int64
	if len(pr.plan.def.Columns) > 0 {
		if done, err = s.stream(ctx, pr.plan, func(v []any) error {
			if err := out.row(v); err != nil {
				return writeError(path, err)
			}
			return nil
		}, func(n int64) {
			if progress != nil {
				progress(n, total)
			}
		}); err != nil {
			return res, err
		}
	}
	var sum *Summary
	if len(pr.plan.def.GroupBy) > 0 || len(pr.plan.def.Aggregates) > 0 {
		if sum, err = s.summary(ctx, pr.plan); err != nil {
			return res, err
		}
	}
	if err := out.finish(sum, bw); err != nil {
		return res, writeError(path, err)
	}
	if err := bw.Flush(); err != nil {
		return res, writeError(path, err)
	}
	if err := fw.Sync(); err != nil {
		return res, writeError(path, err)
	}
	if err := fw.Close(); err != nil {
		return res, writeError(path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return res, writeError(path, err)
	}
	ok = true
	if progress != nil {
		progress(done, total)
	}
	res = ExportResult{Path: path, Format: pr.req.Format, Rows: done, Sheets: out.sheets()}
	if fi, err := os.Stat(path); err == nil {
		res.Bytes = fi.Size()
	}
	return res, nil
}

// stream reads the detail rows in one goroutine and hands them to write in the caller's, so
// SQLite and the file encoder run on two cores; it returns the rows written.
func (s *Service) stream(ctx context.Context, p *plan, write func([]any) error, progress func(int64)) (int64, error) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan [][]any, 8)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		const size = 512
		buf := make([][]any, 0, size)
		err := s.rows(rctx, p, 0, 0, func(v []any) error {
			buf = append(buf, append([]any(nil), v...))
			if len(buf) == size {
				select {
				case batches <- buf:
				case <-rctx.Done():
					return rctx.Err()
				}
				buf = make([][]any, 0, size)
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
	var werr error
	for b := range batches {
		if werr != nil {
			continue // drain so the reader ends
		}
		for _, v := range b {
			if werr = write(v); werr != nil {
				cancel()
				break
			}
			done++
			if done%4096 == 0 {
				if ctx.Err() != nil {
					werr = ctx.Err()
					cancel()
					break
				}
				progress(done)
			}
		}
	}
	rerr := <-readErr
	if werr != nil {
		return done, werr
	}
	if rerr != nil {
		return done, rerr
	}
	return done, ctx.Err()
}

// cellText formats a value of a column type for CSV and HTML.
func cellText(typ string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if typ == Date {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case float64:
		return fmt.Sprintf("%.10g", x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
