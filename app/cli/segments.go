package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/core"
	"magpie/backend/segments"
)

func init() {
	register(command{name: "segments", summary: "segments: list, create, preview, rebuild, members, manual add/remove, Mautic import", run: runSegments})
}

const segmentsUsage = `usage: magpie segments list [--trash] [--json]
       magpie segments get ID|ALIAS [--json]
       magpie segments create --name N --filters FILE.json [--alias A] [--unpublished] [--json]
       magpie segments update ID --filters FILE.json [--name N] [--json]
       magpie segments preview --filters FILE.json [--now RFC3339] [--limit N] --json
       magpie segments rebuild [--id ID] [--now RFC3339] [--json]
       magpie segments members ID [--limit N] [--offset N] [--json]
       magpie segments add|remove ID --email E [--email E…]
       magpie segments delete|restore ID
       magpie segments versions ID [--json]
       magpie segments import-mautic FILE.json [--json]`

var runSegments = subcommands(segmentsUsage, map[string]func(*Env, []string) error{
	"list": segList, "get": segGet, "create": segCreate, "update": segUpdate, "preview": segPreview,
	"rebuild": segRebuild, "members": segMembers, "add": segManual(true), "remove": segManual(false),
	"delete": segDelete(true), "restore": segDelete(false), "versions": segVersions, "import-mautic": segImportMautic,
})

func readFilters(path string) ([]byte, error) {
	if path == "" {
		return nil, usagef("--filters FILE.json is required")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, apperr.Invalidf("segments.errors.filtersFile", map[string]any{"path": path}, "cannot read %s: %v", path, err)
	}
	return b, nil
}

func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, usagef("--now %q is not an RFC 3339 time (2026-03-02T09:30:00Z)", s)
	}
	return t, nil
}

// segArg parses the flags (when fs is not nil) and the one positional argument, a segment id
// or alias, and loads that segment.
func segArg(e *Env, fs *flag.FlagSet, args []string) (*core.Core, segments.Segment, error) {
	pos := args
	if fs != nil {
		var err error
		if pos, err = parse(fs, args); err != nil {
			return nil, segments.Segment{}, err
		}
	}
	if len(pos) != 1 {
		return nil, segments.Segment{}, usagef("want one segment id or alias")
	}
	c, err := e.Core()
	if err != nil {
		return nil, segments.Segment{}, err
	}
	g, err := c.Segments.Get(e.Ctx(), pos[0])
	return c, g, err
}

func printSegment(e *Env, g segments.Segment, asJSON bool) error {
	if asJSON {
		return e.JSON(g)
	}
	kind := "live"
	if g.Static {
		kind = "static"
	}
	fmt.Fprintf(e.Out, "%s  %s (%s, %s) v%d: %d members\n", g.ID, g.Name, g.Alias, kind, g.Version, g.Members)
	return nil
}

func segList(e *Env, args []string) error {
	fs := flags(e, "segments list", "segments list [--trash] [--json]")
	trash := fs.Bool("trash", false, "list the trash")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	list, err := c.Segments.List(e.Ctx(), *trash)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(list)
	}
	for _, g := range list {
		printSegment(e, g, false)
	}
	return nil
}

func segGet(e *Env, args []string) error {
	fs := flags(e, "segments get", "segments get ID|ALIAS [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	_, g, err := segArg(e, fs, args)
	if err != nil {
		return err
	}
	if !*asJSON {
		printSegment(e, g, false)
		fmt.Fprintln(e.Out, string(g.Filters))
		return nil
	}
	return e.JSON(g)
}

func segCreate(e *Env, args []string) error { return segSave(e, "create", args) }
func segUpdate(e *Env, args []string) error { return segSave(e, "update", args) }

func segSave(e *Env, verb string, args []string) error {
	fs := flags(e, "segments "+verb, "segments "+verb+" [ID] --name N --filters FILE.json [--alias A] [--unpublished] [--json]")
	name := fs.String("name", "", "segment name")
	alias := fs.String("alias", "", "alias (default: from the name)")
	desc := fs.String("description", "", "description")
	file := fs.String("filters", "", "filters JSON file (Mautic list or nested group; [] = static)")
	unpub := fs.Bool("unpublished", false, "save as inactive (not rebuilt)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	in := segments.Input{Name: *name, Alias: *alias, Description: *desc}
	if verb == "update" {
		if len(pos) != 1 {
			return usagef("want the segment id")
		}
		cur, err := c.Segments.Get(e.Ctx(), pos[0])
		if err != nil {
			return err
		}
		in.ID, in.Filters = cur.ID, cur.Filters
		if in.Name == "" {
			in.Name = cur.Name
		}
		if in.Alias == "" {
			in.Alias = cur.Alias
		}
		if in.Description == "" {
			in.Description = cur.Description
		}
		if *file == "" {
			*file = "-keep"
		}
	}
	if *file != "-keep" {
		if in.Filters, err = readFilters(*file); err != nil {
			return err
		}
	}
	pub := !*unpub
	in.Published = &pub
	g, err := c.Segments.Save(e.Ctx(), in)
	if err != nil {
		return err
	}
	return printSegment(e, g, *asJSON)
}

func segPreview(e *Env, args []string) error {
	fs := flags(e, "segments preview", "segments preview --filters FILE.json [--now RFC3339] [--limit N] [--json]")
	file := fs.String("filters", "", "filters JSON file")
	nowS := fs.String("now", "", "evaluate relative dates at this instant (RFC 3339)")
	limit := fs.Int("limit", 1000, "how many matching contacts to list")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	b, err := readFilters(*file)
	if err != nil {
		return err
	}
	now, err := parseNow(*nowS)
	if err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	n, ms, err := c.Segments.Preview(e.Ctx(), b, "", now, *limit)
	if err != nil {
		return err
	}
	type row struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	}
	out := struct {
		Count    int   `json:"count"`
		Contacts []row `json:"contacts"`
	}{Count: n, Contacts: []row{}}
	for _, m := range ms {
		out.Contacts = append(out.Contacts, row{m.ID, m.Email})
	}
	if *asJSON {
		return e.JSON(out)
	}
	fmt.Fprintf(e.Out, "%d contacts match\n", n)
	for _, r := range out.Contacts {
		fmt.Fprintf(e.Out, "%s  %s\n", r.ID, r.Email)
	}
	return nil
}

func segRebuild(e *Env, args []string) error {
	fs := flags(e, "segments rebuild", "segments rebuild [--id ID] [--now RFC3339] [--json]")
	id := fs.String("id", "", "only this segment (id or alias)")
	nowS := fs.String("now", "", "evaluate relative dates at this instant (RFC 3339)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	now, err := parseNow(*nowS)
	if err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	var res []segments.BuildResult
	if *id != "" {
		g, err := c.Segments.Get(e.Ctx(), *id)
		if err != nil {
			return err
		}
		r, err := c.Segments.Rebuild(e.Ctx(), g.ID, now)
		if err != nil {
			return err
		}
		res = append(res, r)
	} else if res, err = c.Segments.RebuildAll(e.Ctx(), now, nil); err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(res)
	}
	for _, r := range res {
		if r.Skipped != "" {
			fmt.Fprintf(e.Out, "%s: skipped (%s), %d members\n", r.SegmentID, r.Skipped, r.Members)
			continue
		}
		fmt.Fprintf(e.Out, "%s: %d added, %d removed, %d members (%d ms)\n", r.SegmentID, r.Added, r.Removed, r.Members, r.Ms)
	}
	return nil
}

func segMembers(e *Env, args []string) error {
	fs := flags(e, "segments members", "segments members ID [--limit N] [--offset N] [--json]")
	limit := fs.Int("limit", 100, "page size (max 1000)")
	offset := fs.Int("offset", 0, "skip this many")
	asJSON := fs.Bool("json", false, "print JSON")
	c, g, err := segArg(e, fs, args)
	if err != nil {
		return err
	}
	ms, total, err := c.Segments.Members(e.Ctx(), g.ID, *offset, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(map[string]any{"total": total, "members": ms})
	}
	fmt.Fprintf(e.Out, "%d members\n", total)
	for _, m := range ms {
		manual := ""
		if m.ManuallyAdded {
			manual = "  (manual)"
		}
		fmt.Fprintf(e.Out, "%s  %s%s\n", m.ID, m.Email, manual)
	}
	return nil
}

func segManual(add bool) func(*Env, []string) error {
	verb := "remove"
	if add {
		verb = "add"
	}
	return func(e *Env, args []string) error {
		fs := flags(e, "segments "+verb, "segments "+verb+" ID --email E [--email E…]")
		var emails listFlag
		fs.Var(&emails, "email", "contact email (repeatable)")
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 || len(emails) == 0 {
			return usagef("want a segment id and at least one --email")
		}
		c, err := e.Core()
		if err != nil {
			return err
		}
		g, err := c.Segments.Get(e.Ctx(), pos[0])
		if err != nil {
			return err
		}
		var ids []string
		for _, em := range emails {
			d, err := c.Contacts.ByEmail(e.Ctx(), em)
			if err != nil {
				return err
			}
			ids = append(ids, d.ID)
		}
		var n int
		if add {
			n, err = c.Segments.AddManual(e.Ctx(), g.ID, ids)
		} else {
			n, err = c.Segments.RemoveManual(e.Ctx(), g.ID, ids)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Out, "%d changed, %d already so\n", n, len(ids)-n)
		return nil
	}
}

func segDelete(del bool) func(*Env, []string) error {
	return func(e *Env, args []string) error {
		c, g, err := segArg(e, nil, args)
		if err != nil {
			return err
		}
		if del {
			return c.Segments.Delete(e.Ctx(), g.ID)
		}
		return c.Segments.Restore(e.Ctx(), g.ID)
	}
}

func segVersions(e *Env, args []string) error {
	fs := flags(e, "segments versions", "segments versions ID [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	c, g, err := segArg(e, fs, args)
	if err != nil {
		return err
	}
	vs, err := c.Segments.Versions(e.Ctx(), g.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(vs)
	}
	for _, v := range vs {
		fmt.Fprintf(e.Out, "v%d  %s  %s\n", v.Version, v.At.Format(time.RFC3339), v.Name)
	}
	return nil
}

// segImportMautic reads a segment as Mautic's API returns it ({"list":{…}}, the list object
// itself, or {"lists":{id:{…}}}) and saves it; an unknown filter fails the import by name.
func segImportMautic(e *Env, args []string) error {
	fs := flags(e, "segments import-mautic", "segments import-mautic FILE.json [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one FILE.json")
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", pos[0], err)
	}
	type mlist struct {
		Name        string          `json:"name"`
		Alias       string          `json:"alias"`
		Description string          `json:"description"`
		IsPublished *bool           `json:"isPublished"`
		Filters     json.RawMessage `json:"filters"`
	}
	var wrap struct {
		List  *mlist           `json:"list"`
		Lists map[string]mlist `json:"lists"`
		mlist
	}
	if err := json.Unmarshal(b, &wrap); err != nil {
		return apperr.Invalidf("segments.errors.mauticJSON", nil, "%s is not a Mautic segment JSON: %v", pos[0], err)
	}
	var todo []mlist
	switch {
	case wrap.List != nil:
		todo = append(todo, *wrap.List)
	case len(wrap.Lists) > 0:
		for _, l := range wrap.Lists {
			todo = append(todo, l)
		}
	case wrap.Name != "":
		todo = append(todo, wrap.mlist)
	default:
		return apperr.Invalidf("segments.errors.mauticJSON", nil, "%s has no segment (want {\"list\":{…}})", pos[0])
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	var out []segments.Segment
	for _, l := range todo {
		if len(l.Filters) == 0 {
			l.Filters = json.RawMessage("[]")
		}
		g, err := c.Segments.Save(e.Ctx(), segments.Input{Name: l.Name, Alias: l.Alias, Description: l.Description,
			Filters: l.Filters, Published: l.IsPublished})
		if err != nil {
			return fmt.Errorf("segment %q: %w", l.Name, err)
		}
		out = append(out, g)
	}
	if *asJSON {
		return e.JSON(out)
	}
	for _, g := range out {
		printSegment(e, g, false)
	}
	return nil
}
