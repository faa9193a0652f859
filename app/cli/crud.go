package cli

import (
	"context"
	"fmt"
	"io"

	"magpie/backend/core"
)

// crud holds what a component group (pages, dwc, focus, forms…) plugs into the shared
// "list [--trash] [--json]", "save FILE.json [--json]" and "delete|restore ID" commands.
type crud[T any] struct {
	group string // the command group, e.g. "dwc"
	list  func(c *core.Core, ctx context.Context, trash bool) ([]T, error)
	line  func(w io.Writer, it T) // one item of the plain list
	empty string                  // the plain list's line when there is no item (optional)
	// blank is the value a save file is decoded into (defaults such as Published).
	blank func() T
	// read decodes a save file; nil = readJSONFile.
	read  func(path string, v *T) error
	save  func(c *core.Core, ctx context.Context, it T) (T, error)
	saved func(w io.Writer, it T) // the message after a save without --json
	// del and restore move an item to the trash and back.
	del, restore func(c *core.Core, ctx context.Context, id string) error
	// arg reads the one positional argument (FILE or ID); nil = onePos.
	arg func(e *Env, name, usage string, args []string) (string, bool, error)
}

func (k crud[T]) oneArg(e *Env, name, usage string, args []string) (string, bool, error) {
	if k.arg != nil {
		return k.arg(e, name, usage, args)
	}
	return onePos(e, name, usage, args)
}

// listCmd is "<group> list [--trash] [--json]".
func (k crud[T]) listCmd(e *Env, args []string) error {
	fs := flags(e, k.group+" list", k.group+" list [--trash] [--json]")
	trash := fs.Bool("trash", false, "list the trash")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	list, err := k.list(c, e.Ctx(), *trash)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(list)
	}
	for _, it := range list {
		k.line(e.Out, it)
	}
	if len(list) == 0 && k.empty != "" {
		fmt.Fprintln(e.Out, k.empty)
	}
	return nil
}

// saveCmd is "<group> save FILE.json [--json]".
func (k crud[T]) saveCmd(e *Env, args []string) error {
	file, asJSON, err := k.oneArg(e, k.group+" save", k.group+" save FILE.json [--json]", args)
	if err != nil {
		return err
	}
	in := k.blank()
	read := k.read
	if read == nil {
		read = func(path string, v *T) error { return readJSONFile(path, v) }
	}
	if err := read(file, &in); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	out, err := k.save(c, e.Ctx(), in)
	if err != nil {
		return err
	}
	if asJSON {
		return e.JSON(out)
	}
	k.saved(e.Out, out)
	return nil
}

// trashCmd is "<group> delete ID" (del) or "<group> restore ID".
func (k crud[T]) trashCmd(del bool) func(*Env, []string) error {
	return func(e *Env, args []string) error {
		id, _, err := k.oneArg(e, k.group+" delete", k.group+" delete|restore ID", args)
		if err != nil {
			return err
		}
		c, err := e.Core()
		if err != nil {
			return err
		}
		if del {
			return k.del(c, e.Ctx(), id)
		}
		return k.restore(c, e.Ctx(), id)
	}
}

// commands returns the list, save, delete and restore entries of a subcommands map.
func (k crud[T]) commands() map[string]func(*Env, []string) error {
	return map[string]func(*Env, []string) error{
		"list": k.listCmd, "save": k.saveCmd, "delete": k.trashCmd(true), "restore": k.trashCmd(false),
	}
}

// with adds a group's other subcommands to the shared ones.
func with(base, more map[string]func(*Env, []string) error) map[string]func(*Env, []string) error {
	for k, v := range more {
		base[k] = v
	}
	return base
}

// fprintf is fmt.Fprintf for the line/saved callbacks.
var fprintf = func(w io.Writer, format string, a ...any) { fmt.Fprintf(w, format, a...) }
