// Package cli is the command line of the magpie binary: the desktop and browser shells and
// the admin commands. Every command has --help; listing commands have --json; failures
// print one line "magpie: …" and exit non-zero.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"magpie/app"
	"magpie/backend/apperr"
	"magpie/backend/core"
	"magpie/backend/db"
)

// Shells are the parts main provides: the embedded frontend and the desktop runner (which
// needs the Wails build tags).
type Shells struct {
	Assets       fs.FS
	Desktop      func(*app.Shell, fs.FS) error
	DesktopBuilt bool
	Bindings     bool
}

// Env is what a command runs with.
type Env struct {
	DataDir string
	Out     io.Writer
	Err     io.Writer
	Shells  Shells
	ctx     context.Context
	core    *core.Core
}

// Ctx returns the command's context (canceled on Ctrl+C).
func (e *Env) Ctx() context.Context { return e.ctx }

// Core opens the backend on first use.
func (e *Env) Core() (*core.Core, error) {
	if e.core != nil {
		return e.core, nil
	}
	dir := e.DataDir
	if dir == "" {
		dir = core.DefaultDataDir()
	}
	_, statErr := os.Stat(dir)
	c, err := core.Open(e.ctx, e.DataDir, core.Options{})
	if err != nil {
		return nil, err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		// A mistyped --data-dir must not look like an empty store without a word.
		fmt.Fprintf(e.Err, "magpie: %s did not exist: created a new, empty data directory there\n", c.DataDir)
	}
	e.core = c
	return c, nil
}

// installSide closes the backend and puts the side file a bulk load built (seed.RunFresh,
// imports.RunFresh) in place of its store (db.InstallFile). busy is the message when another
// program opened the store meanwhile (nothing changed then, the side file is removed).
func (e *Env) installSide(side, what, busy string) error {
	path := e.core.DB.Path
	e.core.Close()
	e.core = nil
	if err := db.InstallFile(path, side); err != nil {
		os.Remove(side)
		if errors.Is(err, db.ErrInUse) {
			return fmt.Errorf("%s was opened by another program during the %s; nothing was changed, %s", path, what, busy)
		}
		return fmt.Errorf("%s: install %s: %w", what, side, err)
	}
	return nil
}

// JSON prints v as indented JSON.
func (e *Env) JSON(v any) error {
	enc := json.NewEncoder(e.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

type command struct {
	name    string
	summary string
	run     func(e *Env, args []string) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// usageError makes the command exit with code 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// Main runs the command line and returns the exit code.
func Main(args []string, sh Shells) int {
	return run(args, sh, os.Stdout, os.Stderr)
}

func run(args []string, sh Shells, stdout, stderr io.Writer) int {
	ctx, stop := signalContext()
	defer stop()
	env := &Env{Out: stdout, Err: stderr, Shells: sh, ctx: ctx}
	global := flag.NewFlagSet("magpie", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.StringVar(&env.DataDir, "data-dir", "", "data directory (default $MAGPIE_DATA_DIR or the user config dir)")
	showVersion := global.Bool("version", false, "print the version")
	global.Usage = func() { printUsage(stderr) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, "magpie", core.Version)
		return 0
	}
	rest := global.Args()
	name := "desktop"
	if sh.Bindings {
		rest = nil
	}
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if name == "help" {
		printUsage(stdout)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "magpie: unknown command %q (see magpie help)\n", name)
		return 2
	}
	err := cmd.run(env, rest)
	if env.core != nil {
		env.core.Close()
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "magpie %s: %s\n", name, u.msg)
		return 2
	}
	fmt.Fprintf(stderr, "magpie: %s\n", oneLine(core.UserError(err)))
	if apperr.CodeOf(err) == apperr.Canceled {
		return 130
	}
	return 1
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: magpie [--data-dir DIR] [command] [flags]")
	fmt.Fprintln(w, "\nWithout a command magpie opens the desktop window (or, with no display, serves the UI in a browser).")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'magpie COMMAND --help' for a command's flags.")
}

// flags makes a FlagSet for a subcommand that also accepts --data-dir.
func flags(e *Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("magpie "+name, flag.ContinueOnError)
	fs.SetOutput(e.Err)
	fs.StringVar(&e.DataDir, "data-dir", e.DataDir, "data directory")
	fs.Usage = func() {
		fmt.Fprintf(e.Err, "usage: magpie %s\n\nflags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags allowing them before and after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// subcommands makes a command group's run function: it dispatches on the first argument,
// prints usage for help (on stdout) and for a missing or unknown subcommand (on stderr,
// exit code 2).
func subcommands(usage string, fns map[string]func(*Env, []string) error) func(*Env, []string) error {
	return func(e *Env, args []string) error {
		if len(args) == 0 {
			fmt.Fprintln(e.Err, usage)
			return usagef("missing subcommand")
		}
		sub, rest := args[0], args[1:]
		switch sub {
		case "-h", "--help", "-help", "help":
			fmt.Fprintln(e.Out, usage)
			return nil
		}
		fn, ok := fns[sub]
		if !ok {
			fmt.Fprintln(e.Err, usage)
			return usagef("unknown subcommand %q", sub)
		}
		return fn(e, rest)
	}
}
