package app

import (
	"encoding/json"
	"path/filepath"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/charts"
	"magpie/backend/reports"
)

// Reports is the report list, builder (live preview with graph), exports and schedules.
type Reports struct{ s *Shell }

// ReportDef is a report definition as the builder edits it; contact filters are the
// segment editor's JSON text.
type ReportDef struct {
	Source         string           `json:"source"`
	Columns        []string         `json:"columns"`
	Filters        []reports.Filter `json:"filters"`
	ContactFilters string           `json:"contactFilters"`
	GroupBy        []string         `json:"groupBy"`
	Aggregates     []reports.Agg    `json:"aggregates"`
	OrderBy        []reports.Order  `json:"orderBy"`
	SummarySort    string           `json:"summarySort"`
	SummaryLimit   int              `json:"summaryLimit"`
	DateFrom       string           `json:"dateFrom"`
	DateTo         string           `json:"dateTo"`
	Graph          string           `json:"graph"`
}

// ReportView is one saved report.
type ReportView struct {
	ID           string           `json:"id"`
	Name         string           `json:"name"`
	Description  string           `json:"description"`
	Definition   ReportDef        `json:"definition"`
	Schedule     reports.Schedule `json:"schedule"`
	DateAdded    string           `json:"dateAdded"`
	DateModified string           `json:"dateModified"`
	Deleted      bool             `json:"deleted"`
	LastRunAt    string           `json:"lastRunAt"`
	LastStatus   string           `json:"lastStatus"`
	LastError    string           `json:"lastError"`
	LastPath     string           `json:"lastPath"`
	NextRunAt    string           `json:"nextRunAt"`
}

// ReportPreview is a page of detail rows and the summary; values are JSON (dates as RFC
// 3339 text), the chart is the echarts option as JSON text ("" = no graph).
type ReportPreview struct {
	Columns        []reports.Column `json:"columns"`
	Rows           [][]any          `json:"rows"`
	Total          int64            `json:"total"`
	SummaryColumns []reports.Column `json:"summaryColumns"`
	SummaryRows    [][]any          `json:"summaryRows"`
	SummaryTotal   int64            `json:"summaryTotal"`
	Chart          string           `json:"chart"`
	Ms             int64            `json:"ms"`
}

// ReportExportRequest starts an export of a saved report (ReportID) or of the definition
// being edited.
type ReportExportRequest struct {
	ReportID   string     `json:"reportId"`
	Name       string     `json:"name"`
	Definition *ReportDef `json:"definition"`
	Format     string     `json:"format"`
	DateFrom   string     `json:"dateFrom"`
	DateTo     string     `json:"dateTo"`
	Lang       string     `json:"lang"` // the file's column names: en or fr
}

// ReportOptions are the builder's choices: sources with their columns, filter operators per
// column type, aggregate functions, graph types.
type ReportOptions struct {
	Sources    []reports.Source    `json:"sources"`
	Ops        map[string][]string `json:"ops"`
	Aggregates []string            `json:"aggregates"`
	Graphs     []string            `json:"graphs"`
	Buckets    []string            `json:"buckets"`
}

func (d ReportDef) model() reports.Definition {
	m := reports.Definition{Source: d.Source, Columns: d.Columns, Filters: d.Filters, GroupBy: d.GroupBy,
		Aggregates: d.Aggregates, OrderBy: d.OrderBy, SummarySort: d.SummarySort, SummaryLimit: d.SummaryLimit,
		DateFrom: d.DateFrom, DateTo: d.DateTo, Graph: charts.Kind(d.Graph)}
	if d.ContactFilters != "" {
		m.ContactFilters = json.RawMessage(d.ContactFilters)
	}
	return m
}

func defView(m reports.Definition) ReportDef {
	d := ReportDef{Source: m.Source, Columns: m.Columns, Filters: m.Filters, ContactFilters: string(m.ContactFilters),
		GroupBy: m.GroupBy, Aggregates: m.Aggregates, OrderBy: m.OrderBy, SummarySort: m.SummarySort,
		SummaryLimit: m.SummaryLimit, DateFrom: m.DateFrom, DateTo: m.DateTo, Graph: string(m.Graph)}
	if d.Columns == nil {
		d.Columns = []string{}
	}
	if d.Filters == nil {
		d.Filters = []reports.Filter{}
	}
	if d.GroupBy == nil {
		d.GroupBy = []string{}
	}
	if d.Aggregates == nil {
		d.Aggregates = []reports.Agg{}
	}
	if d.OrderBy == nil {
		d.OrderBy = []reports.Order{}
	}
	return d
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func reportView(r reports.Report) ReportView {
	v := ReportView{ID: r.ID, Name: r.Name, Description: r.Description, Definition: defView(r.Definition), Schedule: r.Schedule,
		DateAdded: stamp(r.DateAdded), DateModified: stamp(r.DateModified), Deleted: r.Deleted}
	if v.Schedule.Emails == nil {
		v.Schedule.Emails = []string{}
	}
	if r.LastRun != nil {
		v.LastRunAt, v.LastStatus, v.LastError, v.LastPath = stamp(r.LastRun.At), r.LastRun.Status, r.LastRun.Error, r.LastRun.Path
	}
	if r.NextRun != nil {
		v.NextRunAt = stamp(*r.NextRun)
	}
	return v
}

// Options returns the builder's sources (named in lang: en or fr), operators, functions and
// graph types.
func (a *Reports) Options(lang string) (ReportOptions, error) {
	srcs, err := a.s.core.Reports.Sources(a.s.context())
	if err != nil {
		return ReportOptions{}, err
	}
	for i := range srcs {
		srcs[i] = reports.Localize(srcs[i], lang)
	}
	ops := map[string][]string{}
	for _, t := range []string{reports.Text, reports.Int, reports.Float, reports.DateTime, reports.Date, reports.Bool} {
		ops[t] = reports.Ops(t)
	}
	graphs := []string{}
	for _, k := range charts.Kinds {
		graphs = append(graphs, string(k))
	}
	return ReportOptions{Sources: srcs, Ops: ops, Aggregates: []string{"count", "sum", "avg", "min", "max"}, Graphs: graphs,
		Buckets: []string{"day", "week", "month", "year"}}, nil
}

// List returns the saved reports (the trash when trash is true).
func (a *Reports) List(trash bool) ([]ReportView, error) {
	list, err := a.s.core.Reports.List(a.s.context(), trash)
	if err != nil {
		return nil, err
	}
	out := make([]ReportView, len(list))
	for i, r := range list {
		out[i] = reportView(r)
	}
	return out, nil
}

// Get returns one report.
func (a *Reports) Get(id string) (ReportView, error) {
	r, err := a.s.core.Reports.Get(a.s.context(), id)
	if err != nil {
		return ReportView{}, err
	}
	return reportView(r), nil
}

// Save creates (empty id) or updates a report.
func (a *Reports) Save(v ReportView) (ReportView, error) {
	r, err := a.s.core.Reports.Save(a.s.context(), reports.Report{ID: v.ID, Name: v.Name, Description: v.Description,
		Definition: v.Definition.model(), Schedule: v.Schedule})
	if err != nil {
		return ReportView{}, err
	}
	return reportView(r), nil
}

// Delete moves a report to the trash.
func (a *Reports) Delete(id string) error {
	return a.s.core.Reports.Delete(a.s.context(), id)
}

// Restore brings a report back from the trash.
func (a *Reports) Restore(id string) error {
	return a.s.core.Reports.Restore(a.s.context(), id)
}

// Preview runs a definition: detail rows [offset, offset+limit) and the summary with its
// graph, columns named in lang (en or fr).
func (a *Reports) Preview(def ReportDef, offset, limit int, lang string) (ReportPreview, error) {
	p, err := a.s.core.Reports.Preview(a.s.context(), def.model(), lang, offset, limit)
	if err != nil {
		return ReportPreview{}, err
	}
	out := ReportPreview{Columns: p.Columns, Rows: p.Rows, Total: p.Total, Ms: p.Ms,
		SummaryColumns: []reports.Column{}, SummaryRows: [][]any{}}
	if p.Summary != nil {
		out.SummaryColumns, out.SummaryRows, out.SummaryTotal = p.Summary.Columns, p.Summary.Rows, p.Summary.Total
		out.Chart = string(p.Summary.Chart)
	}
	// A filter that matches nothing gives nil slices: the frontend expects lists.
	if out.Rows == nil {
		out.Rows = [][]any{}
	}
	if out.SummaryRows == nil {
		out.SummaryRows = [][]any{}
	}
	return out, nil
}

// StartExport begins an XLSX/CSV/HTML export job and returns its id.
func (a *Reports) StartExport(req ReportExportRequest) (string, error) {
	r := reports.ExportRequest{ReportID: req.ReportID, Name: req.Name, Format: req.Format, DateFrom: req.DateFrom,
		DateTo: req.DateTo, Lang: req.Lang}
	if req.Definition != nil {
		d := req.Definition.model()
		r.Definition = &d
	}
	id, err := a.s.core.Reports.StartExport(a.s.context(), r)
	return id, err
}

// ExportResult returns the file of a finished export job.
func (a *Reports) ExportResult(jobID string) (reports.ExportResult, error) {
	st, err := a.s.core.Jobs.Get(a.s.context(), jobID)
	if err != nil {
		return reports.ExportResult{}, err
	}
	if st.Kind != reports.JobKind || st.State != "done" || st.Result == "" {
		return reports.ExportResult{}, apperr.New(apperr.Conflict, "reports.errors.notReady",
			"the export is not finished ("+st.State+")", map[string]any{"state": st.State})
	}
	var r reports.ExportResult
	return r, json.Unmarshal([]byte(st.Result), &r)
}

// SaveAs asks where to save a finished export (desktop only) and copies it there.
func (a *Reports) SaveAs(jobID string) (string, error) {
	if a.s.dialogs == nil {
		return "", apperr.New(apperr.Unavailable, "errors.desktopOnly", "only available in the desktop app", nil)
	}
	r, err := a.ExportResult(jobID)
	if err != nil {
		return "", err
	}
	dst, err := a.s.dialogs.SaveFile("Save report", filepath.Base(r.Path), []string{"*." + r.Format})
	if err != nil || dst == "" {
		return "", err
	}
	return dst, copyFile(r.Path, dst)
}

// OpenFolder shows the folder of a finished export in the file manager (desktop only).
func (a *Reports) OpenFolder(jobID string) error {
	if a.s.dialogs == nil {
		return apperr.New(apperr.Unavailable, "errors.desktopOnly", "only available in the desktop app", nil)
	}
	r, err := a.ExportResult(jobID)
	if err != nil {
		return err
	}
	return a.s.dialogs.OpenFolder(filepath.Dir(r.Path))
}
