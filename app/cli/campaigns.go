package cli

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/campaigns"
)

func init() {
	register(command{name: "campaigns", summary: "campaigns: list, show, run, simulate, publish, import/export", run: runCampaigns})
}

const campaignsUsage = `usage: magpie campaigns list [--trash] [--json]
       magpie campaigns show ID [--json]
       magpie campaigns run [--now RFC3339] [--once] [--batch N] [--json]
       magpie campaigns simulate ID --from RFC3339 --to RFC3339 [--json]
       magpie campaigns publish|unpublish ID
       magpie campaigns add|remove ID CONTACT_ID…
       magpie campaigns export ID FILE.json
       magpie campaigns import FILE.json [--json]
       magpie campaigns delete|restore ID`

var runCampaigns = subcommands(campaignsUsage, map[string]func(*Env, []string) error{
	"list": campList, "show": campShow, "run": campRun, "simulate": campSimulate,
	"publish": campPublish(true), "unpublish": campPublish(false), "add": campMembers(true), "remove": campMembers(false),
	"export": campExport, "import": campImport, "delete": campDelete(true), "restore": campDelete(false),
})

func campService(e *Env) (*campaigns.Service, error) {
	c, err := e.Core()
	if err != nil {
		return nil, err
	}
	return c.Campaigns, nil
}

func printCampaign(e *Env, c campaigns.Campaign) {
	state := "draft"
	if c.Published {
		state = "published"
	}
	fmt.Fprintf(e.Out, "%s  %s (%s, v%d): %d members\n", c.ID, c.Name, state, c.Version, c.Members)
}

func campList(e *Env, args []string) error {
	fs := flags(e, "campaigns list", "campaigns list [--trash] [--json]")
	trash := fs.Bool("trash", false, "list the trash")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	s, err := campService(e)
	if err != nil {
		return err
	}
	list, err := s.List(e.Ctx(), campaigns.Query{Trash: *trash, Limit: 1000})
	if err != nil || *asJSON {
		if err != nil {
			return err
		}
		return e.JSON(list)
	}
	for _, c := range list {
		printCampaign(e, c)
	}
	return nil
}

// campArg parses the flags and the campaign id (the first positional argument) and opens the
// campaigns service.
func campArg(e *Env, fs *flag.FlagSet, args []string) (*campaigns.Service, string, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return nil, "", err
	}
	if len(pos) < 1 {
		return nil, "", usagef("want the campaign id")
	}
	s, err := campService(e)
	return s, pos[0], err
}

func campShow(e *Env, args []string) error {
	fs := flags(e, "campaigns show", "campaigns show ID [--json]")
	asJSON := fs.Bool("json", false, "print JSON (campaign, stats)")
	s, id, err := campArg(e, fs, args)
	if err != nil {
		return err
	}
	c, err := s.Get(e.Ctx(), id)
	if err != nil {
		return err
	}
	stats, err := s.Stats(e.Ctx(), id)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(map[string]any{"campaign": c, "stats": stats})
	}
	printCampaign(e, c)
	for _, ev := range c.Graph.Events {
		st := stats[ev.ID]
		fmt.Fprintf(e.Out, "  %-12s %-16s %-10s done %d, scheduled %d, waiting %d, failed %d\n", ev.ID, ev.Type, ev.Kind,
			st.Done, st.Scheduled, st.Waiting, st.Failed)
	}
	return nil
}

func campRun(e *Env, args []string) error {
	fs := flags(e, "campaigns run", "campaigns run [--now RFC3339] [--once] [--batch N] [--json]")
	nowS := fs.String("now", "", "run as if it were this instant (RFC 3339); implies --once")
	once := fs.Bool("once", false, "process what is due, then exit (default: keep running until interrupted)")
	batch := fs.Int("batch", 5000, "steps per transaction")
	asJSON := fs.Bool("json", false, "print JSON stats")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	now, err := parseNow(*nowS)
	if err != nil {
		return err
	}
	s, err := campService(e)
	if err != nil {
		return err
	}
	if !*once && now.IsZero() {
		s.Start(slog.New(slog.NewTextHandler(e.Err, nil)))
		fmt.Fprintln(e.Err, "magpie: running campaigns (Ctrl+C to stop)")
		<-e.Ctx().Done()
		s.Stop()
		return nil
	}
	synced, err := s.SyncAll(e.Ctx())
	if err != nil {
		return err
	}
	st, err := s.Run(e.Ctx(), campaigns.RunOptions{Now: now, Batch: *batch})
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(map[string]any{"entered": synced, "steps": st.Steps, "done": st.Done, "failed": st.Failed,
			"batches": st.Batches, "ms": st.Elapsed.Milliseconds()})
	}
	rate := 0.0
	if st.Elapsed > 0 {
		rate = float64(st.Steps) / st.Elapsed.Seconds()
	}
	fmt.Fprintf(e.Out, "%d membership changes; %d steps (%d done, %d failed) in %s (%.0f steps/s)\n",
		synced, st.Steps, st.Done, st.Failed, st.Elapsed.Round(time.Millisecond), rate)
	return nil
}

func campSimulate(e *Env, args []string) error {
	fs := flags(e, "campaigns simulate", "campaigns simulate ID --from RFC3339 --to RFC3339 [--json]")
	from := fs.String("from", "", "start of the replay (RFC 3339)")
	to := fs.String("to", "", "end of the replay (RFC 3339)")
	asJSON := fs.Bool("json", false, "print JSON")
	s, id, err := campArg(e, fs, args)
	if err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usagef("--from and --to are required")
	}
	res, err := s.Simulate(e.Ctx(), id, *from, *to)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(res)
	}
	fmt.Fprintf(e.Out, "%d contacts entered\n", res.Contacts)
	for ev, pc := range res.PerEvent {
		fmt.Fprintf(e.Out, "  %-12s done %d (yes %d, no %d)\n", ev, pc.Done, pc.Yes, pc.No)
	}
	return nil
}

func campPublish(on bool) func(*Env, []string) error {
	verb := map[bool]string{true: "publish", false: "unpublish"}[on]
	return func(e *Env, args []string) error {
		fs := flags(e, "campaigns "+verb, "campaigns "+verb+" ID")
		s, id, err := campArg(e, fs, args)
		if err != nil {
			return err
		}
		var c campaigns.Campaign
		if on {
			c, err = s.Publish(e.Ctx(), id)
			if ae, ok := apperr.As(err); ok && ae.Key == "campaigns.errors.problems" {
				if ps, ok := ae.Params["problems"].([]campaigns.Problem); ok {
					for _, p := range ps {
						fmt.Fprintf(e.Err, "  - %s\n", p.Message)
					}
				}
			}
		} else {
			c, err = s.Unpublish(e.Ctx(), id)
		}
		if err != nil {
			return err
		}
		printCampaign(e, c)
		return nil
	}
}

func campMembers(add bool) func(*Env, []string) error {
	verb := map[bool]string{true: "add", false: "remove"}[add]
	return func(e *Env, args []string) error {
		fs := flags(e, "campaigns "+verb, "campaigns "+verb+" ID CONTACT_ID…")
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) < 2 {
			return usagef("want the campaign id and contact ids")
		}
		s, err := campService(e)
		if err != nil {
			return err
		}
		var n int
		if add {
			n, err = s.AddContacts(e.Ctx(), pos[0], pos[1:])
		} else {
			n, err = s.RemoveContacts(e.Ctx(), pos[0], pos[1:])
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Out, "%d contact(s) %sed\n", n, map[bool]string{true: "add", false: "remov"}[add])
		return nil
	}
}

func campExport(e *Env, args []string) error {
	fs := flags(e, "campaigns export", "campaigns export ID FILE.json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("want the campaign id and the output file")
	}
	s, err := campService(e)
	if err != nil {
		return err
	}
	text, err := s.Export(e.Ctx(), pos[0])
	if err != nil {
		return err
	}
	if err := os.WriteFile(pos[1], []byte(text+"\n"), 0o644); err != nil {
		return apperr.Invalidf("campaigns.errors.exportFile", map[string]any{"path": pos[1]}, "cannot write %s: %v", pos[1], err)
	}
	fmt.Fprintf(e.Out, "exported to %s\n", pos[1])
	return nil
}

func campImport(e *Env, args []string) error {
	fs := flags(e, "campaigns import", "campaigns import FILE.json [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want the file to import")
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return apperr.Invalidf("campaigns.errors.importFile", map[string]any{"path": pos[0]}, "cannot read %s: %v", pos[0], err)
	}
	s, err := campService(e)
	if err != nil {
		return err
	}
	c, err := s.Import(e.Ctx(), string(b))
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(c)
	}
	printCampaign(e, c)
	return nil
}

func campDelete(del bool) func(*Env, []string) error {
	verb := map[bool]string{true: "delete", false: "restore"}[del]
	return func(e *Env, args []string) error {
		fs := flags(e, "campaigns "+verb, "campaigns "+verb+" ID")
		s, id, err := campArg(e, fs, args)
		if err != nil {
			return err
		}
		if del {
			err = s.Delete(e.Ctx(), id)
		} else {
			err = s.Restore(e.Ctx(), id)
		}
		if err == nil {
			fmt.Fprintf(e.Out, "%sd %s\n", verb, id)
		}
		return err
	}
}
