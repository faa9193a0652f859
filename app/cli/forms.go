package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/assets"
	"magpie/backend/core"
	"magpie/backend/forms"
)

func init() {
	register(command{name: "forms", summary: "forms: list, get, save (JSON), results, export, delete/restore", run: runForms})
	register(command{name: "assets", summary: "assets: list, get, upload, remote, delete/restore", run: runAssets})
}

const formsUsage = `usage: magpie forms list [--trash] [--json]
       magpie forms get ID [--json]
       magpie forms save FILE.json [--json]        (a form as JSON; with "id" to update)
       magpie forms results ID [--limit N] [--offset N] [--json]
       magpie forms export ID [--format csv|xlsx] [--out PATH]
       magpie forms delete|restore ID`

// formsArg keeps the forms group's own argument messages ("save needs one ID").
func formsArg(group string) func(e *Env, name, usage string, args []string) (string, bool, error) {
	return func(e *Env, name, _ string, args []string) (string, bool, error) {
		return formArg(e, strings.TrimPrefix(name, group+" "), args)
	}
}

var formsCrud = crud[forms.Form]{
	group: "forms",
	list: func(c *core.Core, ctx context.Context, trash bool) ([]forms.Form, error) {
		return c.Forms.List(ctx, trash)
	},
	line: func(w io.Writer, f forms.Form) {
		fprintf(w, "%s  %s  %d fields, %d actions, %d results\n", f.ID, f.Name, len(f.Fields), len(f.Actions), f.Results)
	},
	blank: func() forms.Form { return forms.Form{} },
	read:  readFormFile,
	save:  func(c *core.Core, ctx context.Context, f forms.Form) (forms.Form, error) { return c.Forms.Save(ctx, f) },
	saved: func(w io.Writer, f forms.Form) {
		fprintf(w, "%s  %s saved (%d fields, %d actions)\n", f.ID, f.Name, len(f.Fields), len(f.Actions))
	},
	del:     func(c *core.Core, ctx context.Context, id string) error { return c.Forms.Delete(ctx, id) },
	restore: func(c *core.Core, ctx context.Context, id string) error { return c.Forms.Restore(ctx, id) },
	arg:     formsArg("forms"),
}

var runForms = subcommands(formsUsage, with(formsCrud.commands(), map[string]func(*Env, []string) error{
	"get": formGet, "results": formResults, "export": formExport,
}))

// readFormFile decodes a form file with the forms group's own messages.
func readFormFile(path string, f *forms.Form) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return apperr.Invalidf("forms.errors.file", map[string]any{"path": path}, "cannot read %s: %v", path, err)
	}
	if err := json.Unmarshal(b, f); err != nil {
		return apperr.Invalidf("forms.errors.file", map[string]any{"path": path}, "%s is not a form in JSON: %v", path, err)
	}
	return nil
}

func formArg(e *Env, name string, args []string) (string, bool, error) {
	fs := flags(e, "forms "+name, "forms "+name+" ID [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return "", false, err
	}
	if len(pos) != 1 {
		return "", false, usagef("%s needs one ID", name)
	}
	return pos[0], *asJSON, nil
}

func formGet(e *Env, args []string) error {
	id, _, err := formArg(e, "get", args)
	if err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	f, err := c.Forms.Get(e.Ctx(), id)
	if err != nil {
		return err
	}
	return e.JSON(f)
}

func formResults(e *Env, args []string) error {
	fs := flags(e, "forms results", "forms results ID [--limit N] [--offset N] [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 50, "rows")
	offset := fs.Int("offset", 0, "skip rows")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("results needs one form ID")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	res, err := c.Forms.Results(e.Ctx(), pos[0], *offset, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(res)
	}
	fmt.Fprintf(e.Out, "%d results\n", res.Total)
	for _, r := range res.Rows {
		b, _ := json.Marshal(r.Values)
		fmt.Fprintf(e.Out, "%s  %s  %s\n", r.ID, r.Contact, b)
	}
	return nil
}

func formExport(e *Env, args []string) error {
	fs := flags(e, "forms export", "forms export ID [--format csv|xlsx] [--out PATH]")
	format := fs.String("format", "csv", "csv or xlsx")
	out := fs.String("out", "", "file to write (default DATA-DIR/exports/…)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("export needs one form ID")
	}
	if *format != "csv" && *format != "xlsx" {
		return usagef("--format must be csv or xlsx, not %q", *format)
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	if *out != "" {
		if *out, err = filepath.Abs(*out); err != nil {
			return err
		}
	}
	res, err := c.Forms.ExportResults(e.Ctx(), pos[0], *format, *out, c.DataDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "%s: %d rows, %d bytes\n", res.Path, res.Rows, res.Bytes)
	return nil
}

const assetsUsage = `usage: magpie assets list [--trash] [--json]
       magpie assets get ID [--json]
       magpie assets upload FILE --title T [--slug S] [--category C] [--gate-form ID] [--id ID] [--json]
       magpie assets remote URL --title T [--slug S] [--category C] [--gate-form ID] [--json]
       magpie assets delete|restore ID`

// Assets have no save-from-JSON (a file or URL is uploaded instead): list and trash only.
var assetsCrud = crud[assets.Asset]{
	group: "assets",
	list: func(c *core.Core, ctx context.Context, trash bool) ([]assets.Asset, error) {
		return c.Assets.List(ctx, trash)
	},
	line: func(w io.Writer, a assets.Asset) {
		fprintf(w, "%s  /asset/%s  %s  %s %d bytes  %d downloads (%d unique)\n", a.ID, a.Slug, a.Title, a.Mime, a.Size, a.Downloads, a.Unique)
	},
	del:     func(c *core.Core, ctx context.Context, id string) error { return c.Assets.Delete(ctx, id) },
	restore: func(c *core.Core, ctx context.Context, id string) error { return c.Assets.Restore(ctx, id) },
	arg:     formsArg("assets"),
}

var runAssets = subcommands(assetsUsage, map[string]func(*Env, []string) error{
	"list": assetsCrud.listCmd, "get": assetGet, "upload": assetPut(true), "remote": assetPut(false),
	"delete": assetsCrud.trashCmd(true), "restore": assetsCrud.trashCmd(false),
})

func assetGet(e *Env, args []string) error {
	id, _, err := formArg(e, "get", args)
	if err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	a, err := c.Assets.Get(e.Ctx(), id)
	if err != nil {
		return err
	}
	return e.JSON(a)
}

func assetPut(file bool) func(*Env, []string) error {
	return func(e *Env, args []string) error {
		fs := flags(e, "assets upload", assetsUsage)
		in := assets.Input{Published: true}
		fs.StringVar(&in.Title, "title", "", "title")
		fs.StringVar(&in.Slug, "slug", "", "URL slug (default from the title)")
		fs.StringVar(&in.Category, "category", "", "category")
		fs.StringVar(&in.GateFormID, "gate-form", "", "show this form before the download")
		fs.StringVar(&in.ID, "id", "", "replace the file of this asset")
		asJSON := fs.Bool("json", false, "print JSON")
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("give one file or URL")
		}
		c, err := e.Core()
		if err != nil {
			return err
		}
		var a assets.Asset
		if file {
			f, err := os.Open(pos[0])
			if err != nil {
				return err
			}
			defer f.Close()
			a, err = c.Assets.Upload(e.Ctx(), in, filepath.Base(pos[0]), f)
			if err != nil {
				return err
			}
		} else {
			in.RemoteURL = pos[0]
			if a, err = c.Assets.Save(e.Ctx(), in); err != nil {
				return err
			}
		}
		if *asJSON {
			return e.JSON(a)
		}
		fmt.Fprintf(e.Out, "%s  /asset/%s  %s  %s %d bytes\n", a.ID, a.Slug, a.Title, a.Mime, a.Size)
		return nil
	}
}
