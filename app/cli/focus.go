package cli

import (
	"fmt"

	"magpie/backend/focus"
)

func init() {
	register(command{name: "focus", summary: "focus items: list, save from JSON, trash", run: runFocus})
}

const focusUsage = `usage: magpie focus list [--trash] [--json]
       magpie focus save FILE.json [--json]   (an item: name, style, position, contentType, headline, body, linkUrl, trigger, triggerValue, frequency, urlInclude…)
       magpie focus delete|restore ID`

var runFocus = subcommands(focusUsage, map[string]func(*Env, []string) error{
	"list": focusList, "save": focusSave, "delete": focusTrash(true), "restore": focusTrash(false),
})

func focusList(e *Env, args []string) error {
	fs := flags(e, "focus list", "focus list [--trash] [--json]")
	trash := fs.Bool("trash", false, "list the trash")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	list, err := c.Focus.List(e.Ctx(), *trash)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(list)
	}
	for _, it := range list {
		fmt.Fprintf(e.Out, "%s  %-24s %s/%s, %s %d, %s\n", it.ID, it.Name, it.Style, it.Position, it.Trigger, it.TriggerValue, it.Frequency)
	}
	return nil
}

func focusSave(e *Env, args []string) error {
	file, asJSON, err := onePos(e, "focus save", "focus save FILE.json [--json]", args)
	if err != nil {
		return err
	}
	in := focus.Item{Published: true}
	if err := readJSONFile(file, &in); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	it, err := c.Focus.Save(e.Ctx(), in)
	if err != nil {
		return err
	}
	if asJSON {
		return e.JSON(it)
	}
	fmt.Fprintf(e.Out, "saved focus item %s\n", it.ID)
	return nil
}

func focusTrash(del bool) func(*Env, []string) error {
	return func(e *Env, args []string) error {
		id, _, err := onePos(e, "focus delete", "focus delete|restore ID", args)
		if err != nil {
			return err
		}
		c, err := e.Core()
		if err != nil {
			return err
		}
		if del {
			return c.Focus.Delete(e.Ctx(), id)
		}
		return c.Focus.Restore(e.Ctx(), id)
	}
}
