package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"magpie/backend/eventimport"
)

func init() { importers["events"] = runImportEvents }

// runImportEvents implements "magpie import events FILE [--format jsonl|csv] [--json]".
func runImportEvents(e *Env, args []string) error {
	fs := flags(e, "import events", "import events FILE.jsonl|FILE.csv [--format jsonl|csv] [--json]")
	format := fs.String("format", "", "jsonl or csv (default: from the file)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one FILE")
	}
	if *format == "" {
		switch strings.ToLower(filepath.Ext(pos[0])) {
		case ".csv":
			*format = "csv"
		case ".jsonl", ".ndjson", ".json":
			*format = "jsonl"
		}
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", pos[0], err)
	}
	defer f.Close()
	c, err := e.Core()
	if err != nil {
		return err
	}
	res, err := eventimport.Load(e.Ctx(), c.DB, f, *format)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(res)
	}
	fmt.Fprintf(e.Out, "%d lines: %d events stored, %d already there, %d contacts created, %d bad lines\n",
		res.Lines, res.Stored, res.Duplicates, res.ContactsCreated, len(res.Errors))
	for _, le := range res.Errors {
		fmt.Fprintf(e.Err, "line %d: %s\n", le.Line, le.Reason)
	}
	return nil
}
