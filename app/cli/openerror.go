package cli

import (
	"fmt"
	"html"
	"io/fs"
	"testing/fstest"

	"magpie/backend/core"
)

// openErrorPage is the window's only page when the store cannot be opened (locked,
// read-only, not SQLite, folder that cannot be created): the message in English and French,
// naming the file, and what to do. Nothing is written.
func openErrorPage(dataDir string, err error) fs.FS {
	msg := html.EscapeString(oneLine(core.UserError(err)))
	dir := ""
	if dataDir != "" {
		dir = "<p>Data folder / dossier de données : <code>" + html.EscapeString(dataDir) + "</code></p>"
	}
	page := fmt.Sprintf(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Magpie</title>
<style>
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; padding: 48px; color: #212529; background: #f8f9fa; }
main { max-width: 720px; margin: auto; background: #fff; border: 1px solid #dee2e6; border-left: 6px solid #e03131; border-radius: 6px; padding: 24px 32px; }
h1 { font-size: 1.4rem; margin-top: 0; } code { background: #f1f3f5; padding: 2px 4px; border-radius: 4px; word-break: break-all; }
p.err { font-size: 1.05rem; font-weight: 600; } hr { border: 0; border-top: 1px solid #dee2e6; margin: 24px 0; }
</style></head><body><main role="alert">
<h1>Magpie cannot open its data</h1>
<p class="err" data-testid="open-error">%[1]s</p>
%[2]s
<p>Nothing was changed. Close any other program using this file, check that you may write to the folder, or start Magpie with another folder (<code>magpie --data-dir DIR</code>), then open Magpie again.</p>
<hr>
<h1 lang="fr">Magpie ne peut pas ouvrir ses données</h1>
<p lang="fr">Rien n'a été modifié. Fermez tout autre programme qui utilise ce fichier, vérifiez que vous pouvez écrire dans le dossier, ou lancez Magpie sur un autre dossier (<code>magpie --data-dir DOSSIER</code>), puis rouvrez Magpie.</p>
</main></body></html>`, msg, dir)
	return fstest.MapFS{"index.html": &fstest.MapFile{Data: []byte(page)}}
}
