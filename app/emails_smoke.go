package app

import (
	"encoding/json"
	"os"

	"magpie/backend/emails"
)

// smokePreview records the last email preview for the desktop smoke test (tests/desktop):
// with MAGPIE_SMOKE_FILE set, the HTML the editor previewed — compiled by the GrapesJS MJML
// builder inside the real window — and the checker's findings go to <file>.preview.
func smokePreview(html string, issues []emails.Issue) {
	f := os.Getenv("MAGPIE_SMOKE_FILE")
	if f == "" {
		return
	}
	b, _ := json.Marshal(map[string]any{"html": html, "issues": issues})
	_ = os.WriteFile(f+".preview.tmp", b, 0o600)
	_ = os.Rename(f+".preview.tmp", f+".preview")
}
