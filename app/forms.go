package app

import (
	"html/template"
	"os"
	"path/filepath"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/assets"
	"magpie/backend/exports"
	"magpie/backend/forms"
	"magpie/backend/signing"
	"magpie/backend/tracking"
)

// Forms is the form list, builder, embed codes and results (issue 9).
type Forms struct{ s *Shell }

// FormMeta lists what the builder offers: field and action types.
type FormMeta struct {
	FieldTypes  []string `json:"fieldTypes"`
	ActionTypes []string `json:"actionTypes"`
}

// Meta returns the builder's choices.
func (a *Forms) Meta() FormMeta {
	return FormMeta{FieldTypes: forms.Types, ActionTypes: forms.ActionTypes}
}

// List returns the forms (trash = the trashed ones) with their result counts.
func (a *Forms) List(trash bool) ([]forms.Form, error) {
	return a.s.core.Forms.List(a.s.context(), trash)
}

// Get returns one form.
func (a *Forms) Get(id string) (forms.Form, error) { return a.s.core.Forms.Get(a.s.context(), id) }

// Save creates (empty id) or updates a form.
func (a *Forms) Save(f forms.Form) (forms.Form, error) { return a.s.core.Forms.Save(a.s.context(), f) }

// Delete moves a form to the trash.
func (a *Forms) Delete(id string) error { return a.s.core.Forms.Delete(a.s.context(), id) }

// Restore takes a form out of the trash.
func (a *Forms) Restore(id string) error { return a.s.core.Forms.Restore(a.s.context(), id) }

// Results returns a page of a form's results, newest first.
func (a *Forms) Results(id string, offset, limit int) (forms.Results, error) {
	return a.s.core.Forms.Results(a.s.context(), id, offset, limit)
}

// ExportResults writes the results as csv or xlsx under the data dir (the browser then
// downloads it through /download; the desktop offers Save as).
func (a *Forms) ExportResults(id, format string) (exports.Result, error) {
	return a.s.core.Forms.ExportResults(a.s.context(), id, format, "", a.s.core.DataDir)
}

// SaveResultsAs asks where to save an export made by ExportResults (desktop only).
func (a *Forms) SaveResultsAs(path string) (string, error) {
	if a.s.dialogs == nil {
		return "", apperr.New(apperr.Unavailable, "errors.desktopOnly", "only available in the desktop app", nil)
	}
	dst, err := a.s.dialogs.SaveFile("Save results", filepath.Base(path), []string{"*" + filepath.Ext(path)})
	if err != nil || dst == "" {
		return "", err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return dst, os.WriteFile(dst, b, 0o644)
}

// Embed are the ways to put a form on a site.
type Embed struct {
	TrackerURL string `json:"trackerUrl"`
	Configured bool   `json:"configured"` // false: no public tracker URL saved yet (the codes use a placeholder)
	Script     string `json:"script"`
	Iframe     string `json:"iframe"`
	HTML       string `json:"html"`
	PageURL    string `json:"pageUrl"`
}

// Embed returns the script, iframe and plain HTML codes for a saved form.
func (a *Forms) Embed(id string) (Embed, error) {
	ctx := a.s.context()
	f, err := a.s.core.Forms.Get(ctx, id)
	if err != nil {
		return Embed{}, err
	}
	set, err := tracking.LoadSettings(ctx, a.s.core.DB)
	if err != nil {
		return Embed{}, err
	}
	e := Embed{TrackerURL: strings.TrimRight(set.PublicURL, "/"), Configured: set.PublicURL != ""}
	if !e.Configured {
		e.TrackerURL = "https://tracker.example.com"
	}
	e.PageURL = e.TrackerURL + "/form/" + f.ID
	e.Script = `<script src="` + e.PageURL + `.js"></script>`
	e.Iframe = `<iframe src="` + e.PageURL + `" title="` + template.HTMLEscapeString(f.Name) +
		`" style="border:0;width:100%;min-height:480px" loading="lazy"></iframe>`
	opt := forms.RenderOptions{Action: e.TrackerURL + "/form/submit"}
	if f.MinSeconds > 0 {
		// The static copy carries a render time signed now: it never expires, so the
		// time-to-submit check does not protect this embed (the honeypot and rate limit do).
		sec, err := tracking.Secret(ctx, a.s.core.DB)
		if err != nil {
			return e, err
		}
		sg, err := signing.New(sec)
		if err != nil {
			return e, err
		}
		opt.Token = sg.Sign("form.ts", 0, f.ID, "1")
	}
	e.HTML = string(f.Render(opt))
	return e, nil
}

// Preview renders a form (saved or not) as the tracker's page shows it, without script.
func (a *Forms) Preview(f forms.Form) string {
	if f.ID == "" {
		f.ID = "preview"
	}
	if f.SubmitLabel == "" {
		f.SubmitLabel = "Submit"
	}
	return `<!doctype html><html><head><meta charset="utf-8"><style>` + tracking.FormCSS + `</style></head><body class="magpie-form-page">` +
		string(f.Render(forms.RenderOptions{Action: "#"})) + `</body></html>`
}

// Assets is the asset list, upload and detail (issue 9).
type Assets struct{ s *Shell }

// List returns the assets (or the trashed ones) with download counts.
func (a *Assets) List(trash bool) ([]assets.Asset, error) {
	return a.s.core.Assets.List(a.s.context(), trash)
}

// Get returns one asset with its download counts.
func (a *Assets) Get(id string) (assets.Asset, error) { return a.s.core.Assets.Get(a.s.context(), id) }

// Save creates or updates an asset's settings (remote URL assets are created here).
func (a *Assets) Save(in assets.Input) (assets.Asset, error) {
	return a.s.core.Assets.Save(a.s.context(), in)
}

// PickFile opens the native file dialog (desktop only; the browser uploads through POST
// /upload, which returns a path).
func (a *Assets) PickFile() (string, error) {
	if a.s.dialogs == nil {
		return "", apperr.New(apperr.Unavailable, "errors.desktopOnly", "only available in the desktop app", nil)
	}
	return a.s.dialogs.OpenFile("Choose a file", []string{"*.pdf", "*.png", "*.jpg", "*.jpeg", "*.gif", "*.webp", "*.svg", "*.zip",
		"*.gz", "*.docx", "*.xlsx", "*.pptx", "*.txt", "*.csv"})
}

// Upload stores the file at path (from PickFile or /upload) as a new asset or as the new
// content of in.ID; name is the original file name ("" = the path's).
func (a *Assets) Upload(in assets.Input, path, name string) (assets.Asset, error) {
	f, err := os.Open(path)
	if err != nil {
		return assets.Asset{}, apperr.FieldErrors(map[string]string{"file": "assets.errors.read"}, map[string]string{"file": err.Error()})
	}
	defer f.Close()
	if name == "" {
		name = filepath.Base(path)
	}
	return a.s.core.Assets.Upload(a.s.context(), in, name, f)
}

// Delete moves an asset to the trash.
func (a *Assets) Delete(id string) error { return a.s.core.Assets.Delete(a.s.context(), id) }

// Restore takes an asset out of the trash.
func (a *Assets) Restore(id string) error { return a.s.core.Assets.Restore(a.s.context(), id) }

// Limits tells the UI the upload limit.
func (a *Assets) Limits() map[string]int64 {
	return map[string]int64{"maxSize": assets.MaxSize, "chunkSize": assets.ChunkSize}
}

// ExportFile writes an uploaded file of a result under the data dir (the browser downloads it
// through /download; the desktop offers Save as with SaveResultsAs).
func (a *Forms) ExportFile(fileID string) (exports.Result, error) {
	return a.s.core.Forms.ExportFile(a.s.context(), fileID, a.s.core.DataDir)
}
