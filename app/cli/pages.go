package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"magpie/backend/apperr"
	"magpie/backend/core"
	"magpie/backend/pages"
	"magpie/backend/signing"
	"magpie/backend/tracking"
)

func init() {
	register(command{name: "pages", summary: "landing pages: list, save from JSON, stats, trash; preference center segments and links", run: runPages})
}

const pagesUsage = `usage: magpie pages list [--trash] [--json]
       magpie pages get ID [--json]
       magpie pages save FILE.json [--json]        (a page object; no id = new; html is sanitised)
       magpie pages stats ID [--json]
       magpie pages delete|restore ID
       magpie pages prefs [--json]                 (segments and their preference-center flag)
       magpie pages prefs-visible SEGMENT_ID on|off
       magpie pages prefs-link --contact ID [--address A] [--public-url URL]`

var pagesCrud = crud[pages.Page]{
	group: "pages",
	list: func(c *core.Core, ctx context.Context, trash bool) ([]pages.Page, error) {
		return c.Pages.List(ctx, trash)
	},
	line: func(w io.Writer, p pages.Page) {
		fprintf(w, "%s  %-30s /p/%-20s hits %d, unique %d, conversions %d\n", p.ID, p.Title, p.Alias, p.Hits, p.UniqueHits, p.Conversions)
	},
	blank: func() pages.Page { return pages.Page{Published: true} },
	save:  func(c *core.Core, ctx context.Context, p pages.Page) (pages.Page, error) { return c.Pages.Save(ctx, p) },
	saved: func(w io.Writer, p pages.Page) { fprintf(w, "saved page %s (/p/%s)\n", p.ID, p.Alias) },
	del:   func(c *core.Core, ctx context.Context, id string) error { return c.Pages.Delete(ctx, id) },
	restore: func(c *core.Core, ctx context.Context, id string) error {
		return c.Pages.Restore(ctx, id)
	},
}

var runPages = subcommands(pagesUsage, with(pagesCrud.commands(), map[string]func(*Env, []string) error{
	"get": pagesGet, "stats": pagesStats,
	"prefs": pagesPrefs, "prefs-visible": pagesPrefsVisible, "prefs-link": pagesPrefsLink,
}))

// readJSONFile decodes a JSON file into v, naming the file in errors.
func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return apperr.Invalidf("cli.errors.file", map[string]any{"path": path}, "cannot read %s: %v", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return apperr.Invalidf("cli.errors.json", map[string]any{"path": path}, "%s is not valid JSON: %v", path, err)
	}
	return nil
}

func onePos(e *Env, name, usage string, args []string) (string, bool, error) {
	fs := flags(e, name, usage)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return "", false, err
	}
	if len(pos) != 1 {
		return "", false, usagef("one argument expected: magpie %s", usage)
	}
	return pos[0], *asJSON, nil
}

func pagesGet(e *Env, args []string) error {
	id, _, err := onePos(e, "pages get", "pages get ID [--json]", args)
	if err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	p, err := c.Pages.Get(e.Ctx(), id)
	if err != nil {
		return err
	}
	return e.JSON(p)
}

func pagesStats(e *Env, args []string) error {
	id, asJSON, err := onePos(e, "pages stats", "pages stats ID [--json]", args)
	if err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	st, err := c.Pages.Stats(e.Ctx(), id)
	if err != nil {
		return err
	}
	if asJSON {
		return e.JSON(st)
	}
	for _, v := range st {
		fmt.Fprintf(e.Out, "%-11s %-30s hits %d, unique %d, conversions %d (%.1f %%)\n", v.Role, v.Title, v.Counter.Hits,
			v.Counter.UniqueHits, v.Counter.Conversions, v.Rate*100)
	}
	return nil
}

func pagesPrefs(e *Env, args []string) error {
	fs := flags(e, "pages prefs", "pages prefs [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	list, err := c.Pages.PrefSegments(e.Ctx())
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(list)
	}
	for _, s := range list {
		fmt.Fprintf(e.Out, "%s  %-30s visible: %v\n", s.ID, s.Name, s.Visible)
	}
	return nil
}

func pagesPrefsVisible(e *Env, args []string) error {
	fs := flags(e, "pages prefs-visible", "pages prefs-visible SEGMENT_ID on|off")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || (pos[1] != "on" && pos[1] != "off") {
		return usagef("want a segment id and on or off")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	return c.Pages.SetPrefVisible(e.Ctx(), pos[0], pos[1] == "on")
}

func pagesPrefsLink(e *Env, args []string) error {
	fs := flags(e, "pages prefs-link", "pages prefs-link --contact ID [--address A] [--public-url URL]")
	contact := fs.String("contact", "", "contact id")
	address := fs.String("address", "", "the contact's email address")
	public := fs.String("public-url", "", "tracker URL (default: the saved setting)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *contact == "" {
		return usagef("--contact is required")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	if *public == "" {
		st, err := tracking.LoadSettings(e.Ctx(), c.DB)
		if err != nil {
			return err
		}
		*public = st.PublicURL
	}
	if *public == "" {
		return usagef("no public URL saved: pass --public-url")
	}
	secret, err := tracking.Secret(e.Ctx(), c.DB)
	if err != nil {
		return err
	}
	sg, err := signing.New(secret)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Out, tracking.Links{Base: *public, Signer: sg}.PrefsLink(*contact, *address))
	return nil
}
