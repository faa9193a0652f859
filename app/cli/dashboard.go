package cli

import (
	"fmt"

	"magpie/backend/core"
	"magpie/backend/dashboard"
)

func init() {
	register(command{name: "dashboard", summary: "dashboard: run the board's widgets (timings), catch up its statistics", run: runDashboard})
}

const dashboardUsage = `usage: magpie dashboard show [--from YYYY-MM-DD --to YYYY-MM-DD] [--widget TYPE…] [--user U] [--json]
       magpie dashboard catch-up [--json]
       magpie dashboard types`

var runDashboard = subcommands(dashboardUsage, map[string]func(*Env, []string) error{
	"show": dashShow, "catch-up": dashCatchUp, "types": dashTypes,
})

func dashShow(e *Env, args []string) error {
	fs := flags(e, "dashboard show", "dashboard show [--from D --to D] [--widget TYPE…] [--user U] [--json]")
	from := fs.String("from", "", "first day (default: 29 days before today)")
	to := fs.String("to", "", "last day (default: today)")
	usr := fs.String("user", "local", "whose saved board to run (when no --widget)")
	var types multiFlag
	fs.Var(&types, "widget", "run only this widget type (repeatable)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	var ws []dashboard.Widget
	if len(types) > 0 {
		for i, t := range types {
			ws = append(ws, dashboard.Widget{ID: fmt.Sprintf("w%d", i+1), Type: t, W: 6, H: 1})
		}
	} else {
		l, err := c.Dashboard.GetLayout(e.Ctx(), *usr)
		if err != nil {
			return err
		}
		ws = l.Widgets
	}
	b, err := c.Dashboard.Run(e.Ctx(), ws, dashboard.Query{Range: dashboard.Range{From: *from, To: *to}, Lang: "en"})
	if err != nil {
		return err
	}
	if *asJSON {
		type res struct {
			dashboard.Result
			Error string `json:"error,omitempty"`
		}
		out := struct {
			dashboard.Board
			Results []res `json:"results"`
		}{Board: b}
		for _, r := range b.Results {
			x := res{Result: r}
			if r.Err != nil {
				x.Error = core.UserError(r.Err)
			}
			out.Results = append(out.Results, x)
		}
		return e.JSON(out)
	}
	fmt.Fprintf(e.Out, "board %s..%s: %d widgets in %.1f ms\n", b.Range.From, b.Range.To, len(b.Results), b.Ms)
	if b.Pending > 0 {
		fmt.Fprintf(e.Out, "  statistics still have %d events to count (magpie dashboard catch-up)\n", b.Pending)
	}
	failed := 0
	for _, r := range b.Results {
		what := "chart"
		switch {
		case r.Err != nil:
			what, failed = "ERROR "+core.UserError(r.Err), failed+1
		case r.Table != nil:
			what = fmt.Sprintf("table, %d rows", len(r.Table.Rows))
		case r.Empty != "":
			what = "empty (" + r.Empty + ")"
		}
		fmt.Fprintf(e.Out, "  %-26s %8.1f ms  %s\n", r.Type, r.Ms, what)
	}
	if failed > 0 {
		return fmt.Errorf("%d widget(s) failed", failed)
	}
	return nil
}

func dashCatchUp(e *Env, args []string) error {
	fs := flags(e, "dashboard catch-up", "dashboard catch-up [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	before, err := c.Dashboard.Lag(e.Ctx())
	if err != nil {
		return err
	}
	left, err := c.Dashboard.CatchUp(e.Ctx(), 0)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(map[string]int64{"folded": before - left, "pending": left})
	}
	fmt.Fprintf(e.Out, "statistics current (%d event seqs folded)\n", before-left)
	return nil
}

func dashTypes(e *Env, args []string) error {
	for _, t := range dashboard.Types() {
		fmt.Fprintln(e.Out, t)
	}
	return nil
}
