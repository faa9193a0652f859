package cli

import (
	"fmt"
	"time"

	"magpie/backend/seed"
)

func init() {
	register(command{name: "seed", summary: "generate deterministic demo data", run: runSeed})
}

func runSeed(e *Env, args []string) error {
	fs := flags(e, "seed", "seed --contacts N [--companies N] [--events N] [--seed S]")
	n := fs.Int("contacts", 1000, "contacts to create")
	comp := fs.Int("companies", -1, "companies to create (default contacts/50)")
	ev := fs.Int("events", -1, "page hits and email events to add (default 2 per contact)")
	s := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *n < 0 || *comp < -1 || *ev < -1 {
		return usagef("sizes must not be negative")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	start := time.Now()
	var last time.Time
	// Into a fresh store the data is built in a side file, installed once the store is closed.
	res, side, err := seed.RunFresh(e.Ctx(), c.Contacts, seed.Options{Contacts: *n, Companies: *comp, Events: *ev, Seed: *s}, func(done, total int64) {
		if *asJSON || time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		fmt.Fprintf(e.Err, "\r%d / %d contacts", done, total)
	})
	if err != nil {
		return err
	}
	if side != "" {
		if err := e.installSide(side, "seed", "close it and run the seed again"); err != nil {
			return err
		}
	}
	if *asJSON {
		return e.JSON(res)
	}
	el := time.Since(start).Seconds()
	fmt.Fprintf(e.Err, "\rcreated %d contacts, %d companies, %d events in %.1fs (%.0f contacts/s)\n",
		res.Contacts, res.Companies, res.Events, el, float64(res.Contacts)/el)
	return nil
}
