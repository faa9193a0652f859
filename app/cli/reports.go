package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"magpie/backend/apperr"
	"magpie/backend/core"
	"magpie/backend/reports"
)

func init() {
	register(command{name: "reports", summary: "reports: list, run to XLSX/CSV/HTML, import/export definitions, run due schedules", run: runReports})
}

const reportsUsage = `usage: magpie reports list [--trash] [--json]
       magpie reports run ID --format xlsx|csv|html -o FILE [--from YYYY-MM-DD --to YYYY-MM-DD] [--json]
       magpie reports export ID FILE.json
       magpie reports import [ID] FILE.json [--json]   (with ID: replaces that report's definition)
       magpie reports delete|restore ID
       magpie reports run-due [--json]                 (run the schedules that are due now)`

var runReports = subcommands(reportsUsage, map[string]func(*Env, []string) error{
	"list": reportsCrud.listCmd, "run": repRun, "export": repExport, "import": repImport,
	"delete": reportsCrud.trashCmd(true), "restore": reportsCrud.trashCmd(false), "run-due": repRunDue,
})

var reportsCrud = crud[reports.Report]{
	group: "reports",
	empty: "no reports",
	list: func(c *core.Core, ctx context.Context, trash bool) ([]reports.Report, error) {
		return c.Reports.List(ctx, trash)
	},
	line: func(w io.Writer, r reports.Report) {
		sched := ""
		if r.Schedule.Every != "" {
			sched = " · " + r.Schedule.Every
			if r.NextRun != nil {
				sched += ", next " + r.NextRun.Format("2006-01-02 15:04") + " UTC"
			}
		}
		fmt.Fprintf(w, "%s  %s (%s)%s\n", r.ID, r.Name, r.Definition.Source, sched)
	},
	del:     func(c *core.Core, ctx context.Context, id string) error { return c.Reports.Delete(ctx, id) },
	restore: func(c *core.Core, ctx context.Context, id string) error { return c.Reports.Restore(ctx, id) },
}

func repRun(e *Env, args []string) error {
	fs := flags(e, "reports run", "reports run ID --format xlsx|csv|html -o FILE [--from D --to D] [--json]")
	format := fs.String("format", "", "xlsx, csv or html (default: the file's extension, else xlsx)")
	out := fs.String("o", "", "output file")
	from := fs.String("from", "", "first day (YYYY-MM-DD), overrides the report's range")
	to := fs.String("to", "", "last day (YYYY-MM-DD), overrides the report's range")
	lang := fs.String("lang", "en", "column names in en or fr")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("reports run needs one report ID")
	}
	if *out == "" {
		return usagef("-o FILE is required")
	}
	if *format == "" {
		switch ext := extOf(*out); ext {
		case "csv", "html", "xlsx":
			*format = ext
		default:
			*format = reports.XLSX
		}
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	last := int64(-1)
	res, err := c.Reports.Export(e.Ctx(), reports.ExportRequest{ReportID: pos[0], Format: *format, Path: *out, DateFrom: *from, DateTo: *to, Lang: *lang},
		func(done, total int64) {
			if !*asJSON && done/100000 != last/100000 {
				last = done
				fmt.Fprintf(e.Err, "\r%d / %d rows", done, total)
			}
		})
	if last >= 0 && !*asJSON {
		fmt.Fprintln(e.Err)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(res)
	}
	fmt.Fprintf(e.Out, "wrote %s: %d rows, %d bytes\n", res.Path, res.Rows, res.Bytes)
	return nil
}

func extOf(p string) string {
	for i := len(p) - 1; i >= 0 && p[i] != '/'; i-- {
		if p[i] == '.' {
			return p[i+1:]
		}
	}
	return ""
}

func repExport(e *Env, args []string) error {
	fs := flags(e, "reports export", "reports export ID FILE.json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("reports export needs a report ID and a file")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	b, err := c.Reports.ExportJSON(e.Ctx(), pos[0])
	if err != nil {
		return err
	}
	if err := os.WriteFile(pos[1], append(b, '\n'), 0o644); err != nil {
		return apperr.New(apperr.Unavailable, "reports.errors.write", fmt.Sprintf("cannot write %s: %v", pos[1], err), nil)
	}
	fmt.Fprintf(e.Out, "wrote %s\n", pos[1])
	return nil
}

func repImport(e *Env, args []string) error {
	fs := flags(e, "reports import", "reports import [ID] FILE.json [--json]")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, file := "", ""
	switch len(pos) {
	case 1:
		file = pos[0]
	case 2:
		id, file = pos[0], pos[1]
	default:
		return usagef("reports import needs a file (and optionally the ID of the report to replace)")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return apperr.Invalidf("reports.errors.importFile", map[string]any{"path": file}, "cannot read %s: %v", file, err)
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	r, err := c.Reports.ImportJSON(e.Ctx(), id, b)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(r)
	}
	fmt.Fprintf(e.Out, "%s  %s (%s)\n", r.ID, r.Name, r.Definition.Source)
	return nil
}

func repRunDue(e *Env, args []string) error {
	fs := flags(e, "reports run-due", "reports run-due [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	n, err := c.Reports.RunDue(e.Ctx())
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(map[string]int{"ran": n})
	}
	fmt.Fprintf(e.Out, "%d scheduled reports ran\n", n)
	return nil
}
