package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"magpie/backend/exports"
)

func init() {
	register(command{name: "export", summary: "export contacts to CSV or XLSX", run: runExport})
}

func runExport(e *Env, args []string) error {
	fs := flags(e, "export", "export contacts --format csv|xlsx -o FILE [--search Q] [--fields a,b,…] [--tags]")
	format := fs.String("format", "", "csv or xlsx (default: from the -o extension, else csv)")
	out := fs.String("o", "", "file to write (required)")
	search := fs.String("search", "", "export only contacts matching this search (as in the grid)")
	var fieldList listFlag
	fs.Var(&fieldList, "fields", "field aliases to export, in order (default: every field)")
	tags := fs.Bool("tags", false, "add a tags column")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "contacts" {
		return usagef("usage: magpie export contacts --format csv|xlsx -o FILE")
	}
	if *out == "" {
		return usagef("-o FILE is required")
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
		if *format != exports.XLSX {
			*format = exports.CSV
		}
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(*out)
	start := time.Now()
	var last time.Time
	res, err := c.Exports.Write(e.Ctx(), exports.Request{Format: *format, Fields: fieldList, Search: *search, Tags: *tags, Path: abs},
		func(done, total int64) {
			if *asJSON || time.Since(last) < time.Second {
				return
			}
			last = time.Now()
			fmt.Fprintf(e.Err, "\r%d / %d rows", done, total)
		})
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(res)
	}
	fmt.Fprintf(e.Err, "\rexported %d contacts to %s (%d bytes) in %.1fs\n", res.Rows, res.Path, res.Bytes, time.Since(start).Seconds())
	return nil
}
