package cli

import (
	"fmt"
	"strconv"
	"strings"

	"magpie/backend/contacts"
	"magpie/backend/core"
	"magpie/backend/points"
	"magpie/backend/stages"
)

func init() {
	register(command{name: "points", summary: "point actions, triggers, groups; adjust a contact's points", run: runPoints})
	register(command{name: "stages", summary: "stages: list, create, set a contact's stage", run: runStages})
}

const pointsUsage = `usage: magpie points actions|triggers|groups list [--trash] [--json]
       magpie points actions create --name N --type T --delta N [--url PATTERN] [--repeatable] [--group G] [--json]
       magpie points groups create --name N [--json]
       magpie points triggers apply ID       (fire for contacts already at the threshold)
       magpie points adjust CONTACT N [--group G] [--reason R]   (CONTACT = id or email)
       magpie points show CONTACT [--json]`

const stagesUsage = `usage: magpie stages list [--trash] [--json]
       magpie stages create --name N --weight W [--json]
       magpie stages set CONTACT STAGE|"" [--forward-only]   (CONTACT = id or email, STAGE = id or name)`

// runPoints dispatches `magpie points …`: two levels through the shared subcommands().
var runPoints = subcommands(pointsUsage, map[string]func(*Env, []string) error{
	"adjust": pointsAdjust,
	"show":   pointsShow,
	"actions": subcommands(pointsUsage, map[string]func(*Env, []string) error{
		"list": pointsLister("actions"), "create": pointsCreateAction}),
	"triggers": subcommands(pointsUsage, map[string]func(*Env, []string) error{
		"list": pointsLister("triggers"), "apply": pointsApply}),
	"groups": subcommands(pointsUsage, map[string]func(*Env, []string) error{
		"list": pointsLister("groups"), "create": pointsCreateGroup}),
})

func pointsLister(what string) func(*Env, []string) error {
	return func(e *Env, args []string) error { return pointsList(e, what, args) }
}

func pointsList(e *Env, what string, args []string) error {
	fs := flags(e, "points "+what+" list", "points "+what+" list [--trash] [--json]")
	trash := fs.Bool("trash", false, "list the trash")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	ps := c.Points
	switch what {
	case "actions":
		l, err := ps.Actions(e.Ctx(), *trash)
		if err != nil || *asJSON {
			return orJSON(e, l, err)
		}
		for _, a := range l {
			fmt.Fprintf(e.Out, "%s  %s  %s %+d%s  applied to %d\n", a.ID, a.Name, a.Type, a.Delta, groupNote(a.GroupName), a.Contacts)
		}
	case "triggers":
		l, err := ps.Triggers(e.Ctx(), *trash)
		if err != nil || *asJSON {
			return orJSON(e, l, err)
		}
		for _, t := range l {
			fmt.Fprintf(e.Out, "%s  %s  at %d%s  %d events, fired for %d\n", t.ID, t.Name, t.Points, groupNote(t.GroupName), len(t.Events), t.Fired)
		}
	case "groups":
		l, err := ps.Groups(e.Ctx(), *trash)
		if err != nil || *asJSON {
			return orJSON(e, l, err)
		}
		for _, g := range l {
			fmt.Fprintf(e.Out, "%s  %s  %d contacts\n", g.ID, g.Name, g.Contacts)
		}
	}
	return nil
}

func orJSON(e *Env, v any, err error) error {
	if err != nil {
		return err
	}
	return e.JSON(v)
}

func groupNote(name string) string {
	if name == "" {
		return ""
	}
	return " (" + name + ")"
}

func pointsCreateAction(e *Env, args []string) error {
	fs := flags(e, "points actions create", "points actions create --name N --type T --delta N [flags]")
	name := fs.String("name", "", "action name")
	typ := fs.String("type", "", "type: "+strings.Join(points.ActionTypes, ", "))
	delta := fs.Int64("delta", 0, "points to add (negative to remove)")
	url := fs.String("url", "", "URL pattern (fnmatch, case-sensitive) for url.hit / email.click")
	hits := fs.Int64("page-hits", 0, "url.hit: from the Nth hit; page.visits: number of pages")
	repeat := fs.Bool("repeatable", false, "apply on every qualifying event (default: once per contact)")
	group := fs.String("group", "", "point group id or name (default: main points)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	gid := ""
	if *group != "" {
		g, err := c.Points.Group(e.Ctx(), *group)
		if err != nil {
			return err
		}
		gid = g.ID
	}
	a, err := c.Points.SaveAction(e.Ctx(), points.Action{Name: *name, Type: *typ, Delta: *delta, Repeatable: *repeat, GroupID: gid,
		Published: true, Props: points.Props{URL: *url, PageHits: *hits}})
	if err != nil || *asJSON {
		return orJSON(e, a, err)
	}
	fmt.Fprintf(e.Out, "created %s %s\n", a.ID, a.Name)
	return nil
}

func pointsCreateGroup(e *Env, args []string) error {
	fs := flags(e, "points groups create", "points groups create --name N [--json]")
	name := fs.String("name", "", "group name")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	g, err := c.Points.SaveGroup(e.Ctx(), points.Group{Name: *name, Published: true})
	if err != nil || *asJSON {
		return orJSON(e, g, err)
	}
	fmt.Fprintf(e.Out, "created %s %s\n", g.ID, g.Name)
	return nil
}

func pointsApply(e *Env, args []string) error {
	if len(args) != 1 {
		return usagef("points triggers apply: want one trigger id")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	n, err := c.Points.ApplyExisting(e.Ctx(), args[0], nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "checked %d contacts at or above the threshold\n", n)
	return nil
}

// contactRef resolves an id or an email.
func contactRef(e *Env, ref string) (*core.Core, string, error) {
	c, err := e.Core()
	if err != nil {
		return nil, "", err
	}
	var d contacts.Detail
	if strings.Contains(ref, "@") {
		d, err = c.Contacts.ByEmail(e.Ctx(), ref)
	} else {
		d, err = c.Contacts.Get(e.Ctx(), ref)
	}
	return c, d.ID, err
}

func pointsAdjust(e *Env, args []string) error {
	fs := flags(e, "points adjust", "points adjust CONTACT N [--group G] [--reason R]")
	group := fs.String("group", "", "point group id or name (default: main points)")
	reason := fs.String("reason", "", "why (shown in the timeline)")
	// A negative number is the points, not a flag: take it out before parsing flags.
	var num []string
	rest := make([]string, 0, len(args))
	for _, a := range args {
		if _, err := strconv.ParseInt(a, 10, 64); err == nil && strings.HasPrefix(a, "-") {
			num = append(num, a)
		} else {
			rest = append(rest, a)
		}
	}
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	pos = append(pos, num...)
	if len(pos) != 2 {
		return usagef("want a contact (id or email) and a number of points, e.g. points adjust a@b.c -5")
	}
	n, err := strconv.ParseInt(pos[1], 10, 64)
	if err != nil || n == 0 {
		return usagef("points must be a non-zero whole number, not %q", pos[1])
	}
	c, cid, err := contactRef(e, pos[0])
	if err != nil {
		return err
	}
	if err := c.Points.Adjust(e.Ctx(), cid, n, *group, *reason, "cli"); err != nil {
		return err
	}
	return showPoints(e, c, cid, false)
}

func pointsShow(e *Env, args []string) error {
	fs := flags(e, "points show", "points show CONTACT [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want a contact (id or email)")
	}
	c, cid, err := contactRef(e, pos[0])
	if err != nil {
		return err
	}
	return showPoints(e, c, cid, *asJSON)
}

func showPoints(e *Env, c *core.Core, cid string, asJSON bool) error {
	d, err := c.Contacts.Get(e.Ctx(), cid)
	if err != nil {
		return err
	}
	sc, err := c.Points.ContactScores(e.Ctx(), cid)
	if err != nil {
		return err
	}
	stage := ""
	if d.StageID != "" {
		if st, err := c.Stages.Get(e.Ctx(), d.StageID); err == nil {
			stage = st.Name
		}
	}
	if asJSON {
		return e.JSON(map[string]any{"contactId": cid, "points": d.Points, "stageId": d.StageID, "stage": stage, "groups": sc})
	}
	fmt.Fprintf(e.Out, "%s: %d points", cid, d.Points)
	for _, s := range sc {
		fmt.Fprintf(e.Out, ", %s %d", s.GroupName, s.Score)
	}
	if stage != "" {
		fmt.Fprintf(e.Out, ", stage %s", stage)
	}
	fmt.Fprintln(e.Out)
	return nil
}

// runStages dispatches `magpie stages …` through the shared subcommands().
var runStages = subcommands(stagesUsage, map[string]func(*Env, []string) error{
	"list": stagesList, "create": stagesCreate, "set": stagesSet,
})

func stagesList(e *Env, rest []string) error {
	fs := flags(e, "stages list", "stages list [--trash] [--json]")
	trash := fs.Bool("trash", false, "list the trash")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, rest); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	l, err := c.Stages.List(e.Ctx(), *trash)
	if err != nil || *asJSON {
		return orJSON(e, l, err)
	}
	for _, s := range l {
		fmt.Fprintf(e.Out, "%s  %s  weight %d  %d contacts\n", s.ID, s.Name, s.Weight, s.Contacts)
	}
	return nil
}

func stagesCreate(e *Env, rest []string) error {
	fs := flags(e, "stages create", "stages create --name N --weight W [--json]")
	name := fs.String("name", "", "stage name")
	weight := fs.Int64("weight", 0, "weight (contacts move forward to heavier stages)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, rest); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	s, err := c.Stages.Save(e.Ctx(), stages.Input{Name: *name, Weight: *weight, Published: true})
	if err != nil || *asJSON {
		return orJSON(e, s, err)
	}
	fmt.Fprintf(e.Out, "created %s %s\n", s.ID, s.Name)
	return nil
}

func stagesSet(e *Env, rest []string) error {
	fs := flags(e, "stages set", `stages set CONTACT STAGE|"" [--forward-only]`)
	fwd := fs.Bool("forward-only", false, "refuse to move to a lighter stage (as campaigns do)")
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("want a contact (id or email) and a stage (id or name, \"\" for none)")
	}
	c, cid, err := contactRef(e, pos[0])
	if err != nil {
		return err
	}
	sid := ""
	if pos[1] != "" {
		st, err := c.Stages.Get(e.Ctx(), pos[1])
		if err != nil {
			return err
		}
		sid = st.ID
	}
	out, err := c.Stages.SetContact(e.Ctx(), cid, sid, "cli", !*fwd)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "%s: %s\n", cid, out)
	return nil
}
