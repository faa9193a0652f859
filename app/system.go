package app

import (
	"encoding/json"
	"os"

	"magpie/backend/apperr"
	"magpie/backend/core"
	"magpie/backend/db"
)

// System is the app's own information and preferences.
type System struct{ s *Shell }

// SystemInfo describes this installation.
type SystemInfo struct {
	Version   string `json:"version"`
	Mode      string `json:"mode"`
	DataDir   string `json:"dataDir"`
	DBPath    string `json:"dbPath"`
	DBSize    int64  `json:"dbSize"`
	Schema    int    `json:"schema"`
	Contacts  int    `json:"contacts"`
	Companies int    `json:"companies"`
}

// Info returns the version, data dir and store size.
func (a *System) Info() (SystemInfo, error) {
	c := a.s.core
	ctx := a.s.context()
	info := SystemInfo{Version: core.Version, Mode: string(a.s.mode), DataDir: c.DataDir, DBPath: c.DB.Path, Schema: db.SchemaVersion()}
	if fi, err := os.Stat(c.DB.Path); err == nil {
		info.DBSize = fi.Size()
	}
	n, err := c.Contacts.Count(ctx, "", nil, false)
	if err != nil {
		return info, err
	}
	info.Contacts = n
	err = c.DB.R.QueryRowContext(ctx, "SELECT count(*) FROM companies WHERE deleted = 0").Scan(&info.Companies)
	return info, err
}

// Preferences are per-installation UI settings.
type Preferences struct {
	Theme    string `json:"theme"`    // light | dark | auto
	Language string `json:"language"` // en | fr | "" (system)
	// GridColumns is the contact grid's chosen columns (field aliases), in order.
	GridColumns []string `json:"gridColumns"`
	// GridWidths is the width in pixels of resized grid columns, by column id (absent = default).
	GridWidths map[string]int `json:"gridWidths"`
}

// Bounds of a grid column width (pixels).
const (
	minColumnWidth = 48
	maxColumnWidth = 2000
)

const prefsKey = "ui.preferences"

// GetPreferences returns the UI preferences.
func (a *System) GetPreferences() (Preferences, error) {
	p := Preferences{Theme: "auto"}
	v, err := a.s.core.DB.Meta(a.s.context(), prefsKey)
	if err != nil || v == "" {
		return p, err
	}
	err = json.Unmarshal([]byte(v), &p)
	return p, err
}

// SetPreferences stores the UI preferences.
func (a *System) SetPreferences(p Preferences) error {
	switch p.Theme {
	case "light", "dark", "auto":
	default:
		return apperr.Invalidf("settings.errors.theme", map[string]any{"theme": p.Theme}, "unknown theme %q", p.Theme)
	}
	switch p.Language {
	case "", "en", "fr":
	default:
		return apperr.Invalidf("settings.errors.language", map[string]any{"language": p.Language}, "unsupported language %q", p.Language)
	}
	for col, w := range p.GridWidths {
		if w < minColumnWidth || w > maxColumnWidth {
			return apperr.Invalidf("settings.errors.columnWidth", map[string]any{"column": col, "width": w, "min": minColumnWidth, "max": maxColumnWidth},
				"width %d of column %q is out of range (%d–%d)", w, col, minColumnWidth, maxColumnWidth)
		}
	}
	b, _ := json.Marshal(p)
	return a.s.core.DB.SetMeta(a.s.context(), prefsKey, string(b))
}

// OpenDataDir shows the data folder in the file manager (desktop only).
func (a *System) OpenDataDir() error {
	if a.s.dialogs == nil {
		return apperr.New(apperr.Unavailable, "errors.desktopOnly", "only available in the desktop app", nil)
	}
	return a.s.dialogs.OpenFolder(a.s.core.DataDir)
}
