package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/imports"
)

// importers are the kinds `magpie import KIND …` knows. Other files add theirs from init()
// (e.g. importers["events"]).
var importers = map[string]func(*Env, []string) error{
	"contacts": importContacts,
}

func init() {
	register(command{name: "import", summary: "import a CSV file (contacts …, list, resume ID, rejected ID)", run: runImport})
}

func importUsage(w io.Writer) {
	kinds := make([]string, 0, len(importers))
	for k := range importers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintln(w, "usage: magpie import KIND FILE.csv [flags]   (KIND: "+strings.Join(kinds, ", ")+")")
	fmt.Fprintln(w, "       magpie import list [--json]")
	fmt.Fprintln(w, "       magpie import resume ID")
	fmt.Fprintln(w, "       magpie import rejected ID [-o FILE]")
	fmt.Fprintln(w, "\nRun 'magpie import KIND --help' for a kind's flags.")
}

func runImport(e *Env, args []string) error {
	if len(args) == 0 {
		importUsage(e.Err)
		return usagef("missing what to import")
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		importUsage(e.Out)
		return nil
	case "list":
		return importList(e, args[1:])
	case "resume":
		return importResume(e, args[1:])
	case "rejected":
		return importRejected(e, args[1:])
	}
	fn, ok := importers[args[0]]
	if !ok {
		importUsage(e.Err)
		return usagef("unknown import kind %q", args[0])
	}
	return fn(e, args[1:])
}

// listFlag collects a repeatable flag (also comma-separated).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func importContacts(e *Env, args []string) error {
	fs := flags(e, "import contacts", "import contacts FILE.csv [--map col=field,…] [--tag T] [--update-existing]")
	var maps, tags listFlag
	fs.Var(&maps, "map", "column=field pairs overriding the automatic mapping (field \"\" skips the column; \"tags\", \"points\" allowed)")
	fs.Var(&tags, "tag", "tag to add to every imported contact (repeatable)")
	update := fs.Bool("update-existing", false, "merge rows into contacts that already exist (matched by email); otherwise they are skipped")
	delim := fs.String("delimiter", "", "field delimiter: , ; | or tab (default: detected)")
	enc := fs.String("encoding", "", "utf-8 or windows-1252 (default: detected)")
	dateOrder := fs.String("date-order", "dmy", "ambiguous numeric dates: dmy or mdy")
	asJSON := fs.Bool("json", false, "print the finished import as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one FILE.csv, got %d arguments", len(pos))
	}
	if *delim == "tab" || *delim == `\t` {
		*delim = "\t"
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	a, err := c.Imports.Analyze(e.Ctx(), pos[0])
	if err != nil {
		return err
	}
	if (*delim != "" && *delim != a.Delimiter) || (*enc != "" && *enc != a.Encoding) {
		d, en := a.Delimiter, a.Encoding
		if *delim != "" {
			d = *delim
		}
		if *enc != "" {
			en = *enc
		}
		if a, err = c.Imports.AnalyzeWith(e.Ctx(), pos[0], d, en); err != nil {
			return err
		}
	}
	mapping := a.Mapping
	for _, m := range maps {
		col, field, ok := strings.Cut(m, "=")
		if !ok {
			return usagef("--map %q: want column=field", m)
		}
		i := indexFold(a.Columns, strings.TrimSpace(col))
		if i < 0 {
			return usagef("--map: the file has no column %q (columns: %s)", col, strings.Join(a.Columns, ", "))
		}
		field = strings.TrimSpace(field)
		for j := range mapping { // a target taken by another column moves here
			if mapping[j] == field && field != "" && j != i {
				mapping[j] = ""
			}
		}
		mapping[i] = field
	}
	rec, err := c.Imports.Create(e.Ctx(), pos[0], imports.Options{Delimiter: *delim, Encoding: *enc, Mapping: mapping,
		Tags: tags, UpdateExisting: *update, DateOrder: *dateOrder})
	if err != nil {
		return err
	}
	if !*asJSON {
		fmt.Fprintf(e.Err, "importing %s (%s, delimiter %q) as import %s\n", rec.FileName, rec.Options.Encoding, rec.Options.Delimiter, rec.ID)
		for i, col := range a.Columns {
			if i < len(mapping) && mapping[i] != "" {
				fmt.Fprintf(e.Err, "  %-24s -> %s\n", col, mapping[i])
			} else {
				fmt.Fprintf(e.Err, "  %-24s (skipped)\n", col)
			}
		}
	}
	return runImportID(e, rec.ID, *asJSON)
}

func indexFold(list []string, s string) int {
	for i, x := range list {
		if strings.EqualFold(x, s) {
			return i
		}
	}
	return -1
}

// runImportID runs (or resumes) an import in the foreground with a progress line.
func runImportID(e *Env, id string, asJSON bool) error {
	c, err := e.Core()
	if err != nil {
		return err
	}
	start := time.Now()
	var last time.Time
	before, err := c.Imports.Get(e.Ctx(), id)
	if err != nil {
		return err
	}
	first := before.Rows() // rows done by earlier runs (resume)
	// Into a store without contacts a big import runs in a side file, installed once the
	// store is closed (imports.RunFresh).
	side, err := c.Imports.RunFresh(e.Ctx(), id, func(r imports.Record) {
		if asJSON || time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		rate := float64(r.Rows()-first) / time.Since(start).Seconds()
		pct := 0.0
		if r.Size > 0 {
			pct = 100 * float64(r.Offset) / float64(r.Size)
		}
		fmt.Fprintf(e.Err, "\r%5.1f%%  %d rows  %.0f rows/s ", pct, r.Rows(), rate)
	})
	if err == nil && side != "" {
		if err := e.installSide(side, "import", "close it and run: magpie import resume "+id); err != nil {
			return err
		}
		if c, err = e.Core(); err != nil {
			return err
		}
	}
	rec, gerr := c.Imports.Get(context.Background(), id)
	if err != nil {
		if !asJSON {
			fmt.Fprintln(e.Err)
		}
		if errors.Is(err, e.Ctx().Err()) && e.Ctx().Err() != nil && gerr == nil {
			return &apperr.Error{Code: apperr.Canceled, Key: "imports.canceled", Err: err,
				Msg: fmt.Sprintf("import %s canceled at line %d (%d rows kept); continue with: magpie import resume %s", id, rec.Line, rec.Inserted+rec.Updated, id)}
		}
		return err
	}
	if gerr != nil {
		return gerr
	}
	if asJSON {
		return e.JSON(rec)
	}
	el := time.Since(start).Seconds()
	fmt.Fprintf(e.Err, "\r%s: %d created, %d updated, %d ignored, %d rejected in %.1fs (%.0f rows/s)\n",
		rec.FileName, rec.Inserted, rec.Updated, rec.Ignored, rec.Failed, el, float64(rec.Rows()-first)/el)
	if rec.Failed > 0 {
		fmt.Fprintf(e.Err, "rejected rows: magpie import rejected %s -o rejected.csv\n", id)
	}
	return nil
}

func importList(e *Env, args []string) error {
	fs := flags(e, "import list", "import list [--json] [--limit N]")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 20, "how many imports")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	list, err := c.Imports.List(e.Ctx(), *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(list)
	}
	for _, r := range list {
		fmt.Fprintf(e.Out, "%s  %-9s %-30s created %d, updated %d, ignored %d, rejected %d  %s\n",
			r.ID, r.Status, r.FileName, r.Inserted, r.Updated, r.Ignored, r.Failed, r.CreatedAt)
	}
	return nil
}

func importResume(e *Env, args []string) error {
	fs := flags(e, "import resume", "import resume ID [--json]")
	asJSON := fs.Bool("json", false, "print the finished import as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one import id (see magpie import list)")
	}
	return runImportID(e, pos[0], *asJSON)
}

func importRejected(e *Env, args []string) error {
	fs := flags(e, "import rejected", "import rejected ID [-o FILE]")
	out := fs.String("o", "", "write to FILE instead of standard output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one import id (see magpie import list)")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	if *out == "" {
		return c.Imports.WriteRejectedCSV(e.Ctx(), pos[0], e.Out)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := c.Imports.WriteRejectedCSV(e.Ctx(), pos[0], f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
