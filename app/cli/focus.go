package cli

import (
	"context"
	"io"

	"magpie/backend/core"
	"magpie/backend/focus"
)

func init() {
	register(command{name: "focus", summary: "focus items: list, save from JSON, trash", run: runFocus})
}

const focusUsage = `usage: magpie focus list [--trash] [--json]
       magpie focus save FILE.json [--json]   (an item: name, style, position, contentType, headline, body, linkUrl, trigger, triggerValue, frequency, urlInclude…)
       magpie focus delete|restore ID`

var focusCrud = crud[focus.Item]{
	group: "focus",
	list: func(c *core.Core, ctx context.Context, trash bool) ([]focus.Item, error) {
		return c.Focus.List(ctx, trash)
	},
	line: func(w io.Writer, it focus.Item) {
		fprintf(w, "%s  %-24s %s/%s, %s %d, %s\n", it.ID, it.Name, it.Style, it.Position, it.Trigger, it.TriggerValue, it.Frequency)
	},
	blank: func() focus.Item { return focus.Item{Published: true} },
	save: func(c *core.Core, ctx context.Context, in focus.Item) (focus.Item, error) {
		return c.Focus.Save(ctx, in)
	},
	saved: func(w io.Writer, it focus.Item) { fprintf(w, "saved focus item %s\n", it.ID) },
	del:   func(c *core.Core, ctx context.Context, id string) error { return c.Focus.Delete(ctx, id) },
	restore: func(c *core.Core, ctx context.Context, id string) error {
		return c.Focus.Restore(ctx, id)
	},
}

var runFocus = subcommands(focusUsage, focusCrud.commands())
