// Command contactsbench times the contact grid, search and contact page on an existing data
// dir (made with `magpie seed`), through the same app facade the UI calls. It prints one
// line per measure: name, median and max of the runs, in milliseconds.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"syscall"
	"time"

	"magpie/app"
	"magpie/backend/core"
	"magpie/backend/db"
	"magpie/backend/events"
)

func main() {
	dir := flag.String("data-dir", "", "data dir with seeded contacts")
	runs := flag.Int("runs", 7, "runs per measure")
	flag.Parse()
	ctx := context.Background()
	// The sparse anchor indexes stored by an earlier run are dropped first, so the figures
	// "before the sort's index exists" are what a store gets the first time.
	c, bound := open(ctx, *dir, true)
	total, err := c.Contacts.Count(ctx, "", nil, false)
	must(err)
	fmt.Printf("contacts: %d\n", total)
	cols := []string{"firstname", "lastname", "email", "company", "city", "country", "points", "last_active"}
	page := func(sort string, desc bool, off int, search string) func() {
		return func() {
			_, err := bound.List(app.ContactQuery{Sort: sort, Desc: desc, Offset: off, Limit: 50, Columns: cols, Search: search})
			must(err)
		}
	}
	// A jump into a sort whose sparse anchor index is not built yet (each sort's first
	// request, to the middle: the request itself starts the build in the background).
	cold := []string{"country", "city", "company", "firstname", "points", "last_active", "date_modified"}
	measure("grid jump to the middle, no sparse index yet", min(*runs, len(cold)), func(i int) func() { return page(cold[i], false, total/2+i*997, "") })
	measure("  (their background index builds, all 7)", 1, func(int) func() { return c.Contacts.WaitSorts })
	// The sparse anchor index of one sort, built in the foreground (one walk of the index).
	for _, sort := range []string{"date_added", "lastname", "email"} {
		measure("sparse anchor index build ("+sort+")", 1, func(int) func() {
			return func() { must(c.Contacts.PrepareSort(ctx, sort, false)) }
		})
	}
	measure("grid first page (date_added)", *runs, func(int) func() { return page("date_added", true, 0, "") })
	measure("grid later page, jump (date_added)", *runs, func(i int) func() { return page("date_added", true, total*(i+1)/(*runs+2)+i*331, "") })
	measure("grid first page (lastname)", *runs, func(int) func() { return page("lastname", false, 0, "") })
	measure("grid later page, jump (lastname)", *runs, func(i int) func() { return page("lastname", false, total*(i+1)/(*runs+2)+i*331, "") })
	measure("grid later page, jump (email desc)", *runs, func(i int) func() { return page("email", true, total*(i+1)/(*runs+2)+i*331, "") })
	measure("grid next page, scrolling (city)", *runs, func(i int) func() { return page("city", false, 50*(i+1), "") })
	prefixes := []string{"zoe.m", "jose.g", "anais.", "lea.du", "jurgen.", "maria.l", "theo.b"}
	measure("search email prefix", *runs, func(i int) func() { return page("", false, 0, prefixes[i%len(prefixes)]) })
	names := []string{"müller", "garcía", "Lefèvre", "zoé", "côté", "Björn", "muñoz"}
	measure("search name (accent-insensitive)", *runs, func(i int) func() { return page("", false, 0, names[i%len(names)]) })
	// A contact with a 1k-event timeline.
	var id string
	must(c.DB.R.QueryRow("SELECT id FROM contacts WHERE deleted = 0 AND email IS NOT NULL ORDER BY date_added LIMIT 1 OFFSET 1000").Scan(&id))
	var have int
	must(c.DB.R.QueryRow("SELECT count(*) FROM events WHERE contact_id = ?", id).Scan(&have))
	if have < 1000 {
		must(c.DB.Write(ctx, func(tx *db.Tx) error {
			evs := make([]events.Event, 0, 1000-have)
			for i := have; i < 1000; i++ {
				evs = append(evs, events.Event{ContactID: id, Type: events.PageHit, URL: fmt.Sprintf("https://www.example.com/p/%d", i),
					Title: "Page", At: time.Now().Add(-time.Duration(i) * time.Minute), Source: "bench"})
			}
			return events.AppendMany(tx, evs)
		}))
	}
	measure("contact page + timeline (1k events)", *runs, func(int) func() {
		return func() {
			_, err := bound.Get(id)
			must(err)
			_, err = bound.Timeline(id, 0, nil)
			must(err)
		}
	})
	c.Contacts.WaitSorts()
	c.Close()

	// A restart: every sort's first jump uses the index stored by the run above.
	all := []string{"date_added", "date_modified", "last_active", "email", "firstname", "lastname", "company", "city", "country", "points"}
	t0 := time.Now()
	c, bound = open(ctx, *dir, false)
	fmt.Printf("%-48s %7.2f ms\n", "reopen (core.Open)", float64(time.Since(t0).Microseconds())/1000)
	total, err = c.Contacts.Count(ctx, "", nil, false)
	must(err)
	measure("after a restart: first jump of each sort (10)", len(all), func(i int) func() { return page(all[i], i%2 == 1, total/2+i*997, "") })
	fmt.Printf("  (indexes read from the store: %d, built: %d)\n", c.Contacts.SortsLoaded(), len(all)-c.Contacts.SortsLoaded())
	c.Contacts.WaitSorts()
	c.Close()

	// As in the grid: a sort is picked (its first page starts the index build), then the
	// scrollbar is dragged to the middle 0 / 100 ms later. No stored indexes.
	c, bound = open(ctx, *dir, true)
	must(err)
	for _, delay := range []time.Duration{0, 100 * time.Millisecond} {
		sorts := all[:5]
		if delay > 0 {
			sorts = all[5:]
		}
		measure(fmt.Sprintf("sort picked, jump to the middle %d ms later", delay.Milliseconds()), len(sorts), func(i int) func() {
			page(sorts[i], false, 0, "")()
			time.Sleep(delay)
			return page(sorts[i], false, total/2+i*997, "")
		})
	}
	c.Contacts.WaitSorts()
	c.Close()

	// The grid's warm-up when it opens (Contacts.WarmSorts): every sort readied one after
	// the other, no stored indexes.
	c, _ = open(ctx, *dir, true)
	measure("grid opened: WarmSorts until all 10 sorts are ready", 1, func(int) func() {
		return func() {
			c.Contacts.WarmSorts(ctx)
			for _, s := range all {
				for c.Contacts.SparseAnchors(s, false) == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}
	})
	c.Contacts.WaitSorts()
	c.Close()
}

// open opens the store and the app facade the UI calls; fresh drops the stored sparse
// anchor indexes first.
func open(ctx context.Context, dir string, fresh bool) (*core.Core, *app.Contacts) {
	c, err := core.Open(ctx, dir, core.Options{})
	must(err)
	if fresh {
		must(c.DB.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec("DELETE FROM listing_sparse")
			return err
		}))
	}
	sh := app.NewShell(c, app.Browser, slog.Default())
	for _, b := range sh.Bindings() {
		if x, ok := b.(*app.Contacts); ok {
			return c, x
		}
	}
	panic("no app.Contacts binding")
}

func cpu() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func measure(name string, runs int, mk func(i int) func()) {
	var d []float64
	c0 := cpu()
	for i := 0; i < runs; i++ {
		f := mk(i)
		t := time.Now()
		f()
		d = append(d, float64(time.Since(t).Microseconds())/1000)
	}
	used := cpu() - c0
	sort.Float64s(d)
	fmt.Printf("%-48s median %7.2f ms   max %7.2f ms   CPU %6.1f ms/run\n", name, d[len(d)/2], d[len(d)-1], float64(used.Microseconds())/1000/float64(runs))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "contactsbench:", err)
		os.Exit(1)
	}
}
