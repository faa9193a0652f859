package cli

import (
	"fmt"

	"magpie/backend/dwc"
)

func init() {
	register(command{name: "dwc", summary: "dynamic web content: list, save from JSON, resolve for a contact, trash", run: runDWC})
}

const dwcUsage = `usage: magpie dwc list [--trash] [--json]
       magpie dwc save FILE.json [--json]     (a slot: name, slot, defaultContent, variants[{name, filters, content}])
       magpie dwc resolve SLOT [--contact ID]
       magpie dwc delete|restore ID`

var runDWC = subcommands(dwcUsage, map[string]func(*Env, []string) error{
	"list": dwcList, "save": dwcSave, "resolve": dwcResolve, "delete": dwcTrash(true), "restore": dwcTrash(false),
})

func dwcList(e *Env, args []string) error {
	fs := flags(e, "dwc list", "dwc list [--trash] [--json]")
	trash := fs.Bool("trash", false, "list the trash")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	list, err := c.DWC.List(e.Ctx(), *trash)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(list)
	}
	for _, s := range list {
		fmt.Fprintf(e.Out, "%s  %-24s slot %-16s %d variant(s)\n", s.ID, s.Name, s.Slot, len(s.Variants))
	}
	return nil
}

func dwcSave(e *Env, args []string) error {
	file, asJSON, err := onePos(e, "dwc save", "dwc save FILE.json [--json]", args)
	if err != nil {
		return err
	}
	in := dwc.Slot{Published: true}
	if err := readJSONFile(file, &in); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	s, err := c.DWC.Save(e.Ctx(), in)
	if err != nil {
		return err
	}
	if asJSON {
		return e.JSON(s)
	}
	fmt.Fprintf(e.Out, "saved dynamic content %s (slot %s)\n", s.ID, s.Slot)
	return nil
}

func dwcResolve(e *Env, args []string) error {
	fs := flags(e, "dwc resolve", "dwc resolve SLOT [--contact ID]")
	contact := fs.String("contact", "", "contact id (empty = an unknown visitor)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want the slot name")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	content, found, err := c.DWC.Resolve(e.Ctx(), *contact, pos[0])
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("no published dynamic content for slot %q", pos[0])
	}
	fmt.Fprintln(e.Out, content)
	return nil
}

func dwcTrash(del bool) func(*Env, []string) error {
	return func(e *Env, args []string) error {
		id, _, err := onePos(e, "dwc delete", "dwc delete|restore ID", args)
		if err != nil {
			return err
		}
		c, err := e.Core()
		if err != nil {
			return err
		}
		if del {
			return c.DWC.Delete(e.Ctx(), id)
		}
		return c.DWC.Restore(e.Ctx(), id)
	}
}
