package cli

import (
	"context"
	"fmt"
	"io"

	"magpie/backend/core"
	"magpie/backend/dwc"
)

func init() {
	register(command{name: "dwc", summary: "dynamic web content: list, save from JSON, resolve for a contact, trash", run: runDWC})
}

const dwcUsage = `usage: magpie dwc list [--trash] [--json]
       magpie dwc save FILE.json [--json]     (a slot: name, slot, defaultContent, variants[{name, filters, content}])
       magpie dwc resolve SLOT [--contact ID]
       magpie dwc delete|restore ID`

var dwcCrud = crud[dwc.Slot]{
	group: "dwc",
	list:  func(c *core.Core, ctx context.Context, trash bool) ([]dwc.Slot, error) { return c.DWC.List(ctx, trash) },
	line: func(w io.Writer, s dwc.Slot) {
		fprintf(w, "%s  %-24s slot %-16s %d variant(s)\n", s.ID, s.Name, s.Slot, len(s.Variants))
	},
	blank: func() dwc.Slot { return dwc.Slot{Published: true} },
	save:  func(c *core.Core, ctx context.Context, in dwc.Slot) (dwc.Slot, error) { return c.DWC.Save(ctx, in) },
	saved: func(w io.Writer, s dwc.Slot) { fprintf(w, "saved dynamic content %s (slot %s)\n", s.ID, s.Slot) },
	del:   func(c *core.Core, ctx context.Context, id string) error { return c.DWC.Delete(ctx, id) },
	restore: func(c *core.Core, ctx context.Context, id string) error {
		return c.DWC.Restore(ctx, id)
	},
}

var runDWC = subcommands(dwcUsage, with(dwcCrud.commands(), map[string]func(*Env, []string) error{
	"resolve": dwcResolve,
}))

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
