package app

import (
	"magpie/backend/apperr"
	"magpie/backend/imports"
)

// Imports is the CSV import wizard: pick or upload a file, analyze it (delimiter, encoding,
// columns, preview, suggested mapping), adjust the mapping, start, follow the job, then
// download the rejected rows.
type Imports struct{ s *Shell }

// ImportRequest starts an import of an analyzed file.
type ImportRequest struct {
	Path    string          `json:"path"`
	Options imports.Options `json:"options"`
}

// PickFile opens the native file dialog (desktop only; the browser uploads through
// POST /upload, which returns a path).
func (a *Imports) PickFile() (string, error) {
	if a.s.dialogs == nil {
		return "", apperr.New(apperr.Unavailable, "errors.desktopOnly", "only available in the desktop app", nil)
	}
	return a.s.dialogs.OpenFile("Import contacts", []string{"*.csv", "*.txt", "*.tsv"})
}

// Analyze detects a file's delimiter and encoding and returns its columns, the first rows
// and a suggested mapping.
func (a *Imports) Analyze(path string) (imports.Analysis, error) {
	return a.s.core.Imports.Analyze(a.s.context(), path)
}

// Targets lists what a column can be mapped to (contact fields, points, tags).
func (a *Imports) Targets() ([]imports.Target, error) {
	return a.s.core.Imports.Targets(a.s.context())
}

// Start creates the import and runs it in the background; it returns the job id, which is
// also the import id (Jobs.Get/Cancel apply).
func (a *Imports) Start(req ImportRequest) (string, error) {
	return a.s.core.Imports.Start(a.s.context(), req.Path, req.Options)
}

// Resume continues a cancelled or interrupted import from its last committed batch.
func (a *Imports) Resume(id string) (string, error) {
	return a.s.core.Imports.Resume(a.s.context(), id)
}

// List returns the latest imports, newest first.
func (a *Imports) List() ([]imports.Record, error) {
	return a.s.core.Imports.List(a.s.context(), 50)
}

// Get returns one import with its counters.
func (a *Imports) Get(id string) (imports.Record, error) {
	return a.s.core.Imports.Get(a.s.context(), id)
}

// Rejected returns up to 1000 rejected rows after line `after` (0 = from the start).
func (a *Imports) Rejected(id string, after int64) ([]imports.Rejection, error) {
	return a.s.core.Imports.Rejected(a.s.context(), id, after, 1000)
}

// RejectedCSV writes the rejected rows to a CSV in the data dir and returns its path (the
// browser downloads it with GET /download?path=…; the desktop offers SaveRejected).
func (a *Imports) RejectedCSV(id string) (string, error) {
	return a.s.core.Imports.RejectedFile(a.s.context(), id)
}

// SaveRejected asks where to save the rejected rows (desktop only) and writes them there.
func (a *Imports) SaveRejected(id string) (string, error) {
	if a.s.dialogs == nil {
		return "", apperr.New(apperr.Unavailable, "errors.desktopOnly", "only available in the desktop app", nil)
	}
	p, err := a.s.core.Imports.RejectedFile(a.s.context(), id)
	if err != nil {
		return "", err
	}
	dst, err := a.s.dialogs.SaveFile("Save rejected rows", "rejected-rows.csv", []string{"*.csv"})
	if err != nil || dst == "" {
		return "", err
	}
	return dst, copyFile(p, dst)
}

// AnalyzeWith re-reads a file with the delimiter ("," ";" "\t" "|") and encoding
// ("utf-8", "utf-8-bom", "windows-1252") the user picked, when detection guessed wrong.
func (a *Imports) AnalyzeWith(path, delimiter, encoding string) (imports.Analysis, error) {
	return a.s.core.Imports.AnalyzeWith(a.s.context(), path, delimiter, encoding)
}
