package app

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	"magpie/backend/apperr"
	"magpie/backend/exports"
)

// Exports writes contacts to CSV or XLSX in the background.
type Exports struct{ s *Shell }

// ExportRequest chooses the contacts (a selection or a search), the fields and the format.
type ExportRequest struct {
	Format string   `json:"format"` // csv | xlsx
	Fields []string `json:"fields"` // field aliases (and "tags"); empty = every field
	Search string   `json:"search"`
	IDs    []string `json:"ids"`
}

// Start begins an export and returns the job id; when the job is done, Result gives the
// file.
func (a *Exports) Start(req ExportRequest) (string, error) {
	return a.s.core.Exports.Start(a.s.context(), exports.Request{Format: req.Format, Fields: req.Fields, Search: req.Search, IDs: req.IDs})
}

// Result returns the file of a finished export job (the browser downloads Path with
// GET /download?path=…; the desktop offers SaveAs).
func (a *Exports) Result(jobID string) (exports.Result, error) {
	st, err := a.s.core.Jobs.Get(a.s.context(), jobID)
	if err != nil {
		return exports.Result{}, err
	}
	if st.Kind != exports.JobKind || st.State != "done" || st.Result == "" {
		return exports.Result{}, apperr.New(apperr.Conflict, "exports.errors.notReady",
			"the export is not finished ("+st.State+")", map[string]any{"state": st.State})
	}
	var r exports.Result
	err = json.Unmarshal([]byte(st.Result), &r)
	return r, err
}

// SaveAs asks where to save a finished export (desktop only) and copies it there.
func (a *Exports) SaveAs(jobID string) (string, error) {
	if a.s.dialogs == nil {
		return "", apperr.New(apperr.Unavailable, "errors.desktopOnly", "only available in the desktop app", nil)
	}
	r, err := a.Result(jobID)
	if err != nil {
		return "", err
	}
	dst, err := a.s.dialogs.SaveFile("Save export", filepath.Base(r.Path), []string{"*." + r.Format})
	if err != nil || dst == "" {
		return "", err
	}
	return dst, copyFile(r.Path, dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".part"
	out, err := os.Create(tmp)
	if err != nil {
		return apperr.New(apperr.Forbidden, "errors.saveFile", "cannot write "+dst+": "+err.Error(), map[string]any{"path": dst})
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}
