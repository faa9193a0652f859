package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"magpie/backend/core"
	"magpie/backend/teamsync"
)

func init() {
	register(command{name: "sync", summary: "sync with the team's rqlite cluster (sync status: show the state)", run: runSync})
	register(command{name: "worker", summary: "headless team worker: syncs and runs team-wide jobs under a lease", run: runWorker})
}

// syncFlags are the connection flags shared by sync and worker.
type syncFlags struct {
	urls, user, password, caFile *string
	insecure                     *bool
}

func addSyncFlags(fs interface {
	String(string, string, string) *string
	Bool(string, bool, string) *bool
}) syncFlags {
	return syncFlags{
		urls:     fs.String("rqlite", "", "cluster URL(s), comma-separated (default: the saved settings)"),
		user:     fs.String("user", "", "cluster user (password from $MAGPIE_RQLITE_PASSWORD)"),
		password: fs.String("password", "", "cluster password (prefer $MAGPIE_RQLITE_PASSWORD)"),
		caFile:   fs.String("ca-file", "", "PEM file of the CA that signed the cluster's certificate"),
		insecure: fs.Bool("insecure", false, "skip TLS verification (test clusters only)"),
	}
}

func (f syncFlags) settings(svc *teamsync.Service) (teamsync.Settings, error) {
	set, err := svc.LoadSettings()
	if err != nil {
		return set, err
	}
	if *f.urls != "" {
		set.URLs = strings.Split(*f.urls, ",")
	}
	if *f.user != "" {
		set.User = *f.user
	}
	if *f.password != "" {
		set.Password = *f.password
	} else if p := os.Getenv("MAGPIE_RQLITE_PASSWORD"); p != "" {
		set.Password = p
	}
	if *f.caFile != "" {
		set.CAFile = *f.caFile
	}
	if *f.insecure {
		set.Insecure = true
	}
	if len(set.URLs) == 0 {
		return set, usagef("no cluster: pass --rqlite URL[,URL…] or save one in Settings → Team sync")
	}
	return set, nil
}

func runSync(e *Env, args []string) error {
	if len(args) > 0 && args[0] == "status" {
		return runSyncStatus(e, args[1:])
	}
	fs := flags(e, "sync", "sync [--rqlite URL[,URL…]] [--once] [--save] [--poll 3s]")
	sf := addSyncFlags(fs)
	once := fs.Bool("once", false, "pull and push once, then exit")
	save := fs.Bool("save", false, "save the cluster settings (and turn sync on for the app)")
	poll := fs.Duration("poll", 3*time.Second, "pull interval")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	set, err := sf.settings(c.Sync)
	if err != nil {
		return err
	}
	client, err := set.Client()
	if err != nil {
		return err
	}
	if *save {
		set.Enabled = true
		if err := c.Sync.SaveSettings(set); err != nil {
			return err
		}
	}
	c.Sync.SetClient(client)
	if *once {
		err := c.Sync.SyncOnce(e.Ctx())
		printStatus(e, c.Sync.Status())
		return err
	}
	fmt.Fprintf(e.Out, "syncing with %s every %s (Ctrl+C to stop)\n", strings.Join(client.URLs(), ","), *poll)
	return loopSync(e, c, *poll, nil)
}

// loopSync runs cycles until Ctrl+C, printing a line whenever the status changes; tick
// runs after every cycle (the worker's lease work).
func loopSync(e *Env, c *core.Core, poll time.Duration, tick func(context.Context)) error {
	var last string
	for {
		err := c.Sync.SyncOnce(e.Ctx())
		if e.Ctx().Err() != nil {
			return nil
		}
		st := c.Sync.Status()
		line := statusLine(st)
		if line != last {
			fmt.Fprintln(e.Out, time.Now().Format("15:04:05"), line)
			last = line
		}
		if tick != nil && err == nil {
			tick(e.Ctx())
		}
		wait := poll
		if err != nil {
			wait = min(poll*4, 30*time.Second)
		}
		select {
		case <-e.Ctx().Done():
			return nil
		case <-time.After(wait):
		}
	}
}

func statusLine(st teamsync.Status) string {
	s := fmt.Sprintf("%s: pending %d, cursor %d/%d", st.State, st.Pending, st.Cursor, st.ServerSeq)
	if st.Parked > 0 {
		s += fmt.Sprintf(", parked %d", st.Parked)
	}
	if st.Rejected > 0 {
		s += fmt.Sprintf(", rejected %d", st.Rejected)
	}
	if st.SkewWarning {
		s += fmt.Sprintf(", clock differs from the cluster by %s", time.Duration(st.ClockSkewMs)*time.Millisecond)
	}
	if st.LastError != "" {
		s += " — " + st.LastError
	}
	return s
}

func printStatus(e *Env, st teamsync.Status) {
	fmt.Fprintln(e.Out, statusLine(st))
}

func runSyncStatus(e *Env, args []string) error {
	fs := flags(e, "sync status", "sync status [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	set, err := c.Sync.LoadSettings()
	if err != nil {
		return err
	}
	st := c.Sync.Status()
	if set.Enabled && len(set.URLs) > 0 && st.State == teamsync.StateOff {
		st.State = teamsync.StateOffline // configured, not running in this process
	}
	out := struct {
		teamsync.Status
		URLs    []string `json:"urls"`
		Enabled bool     `json:"enabled"`
	}{st, set.URLs, set.Enabled}
	if *asJSON {
		return e.JSON(out)
	}
	last := "never"
	if st.LastSyncMs > 0 {
		last = time.UnixMilli(st.LastSyncMs).Format(time.RFC3339)
	}
	fmt.Fprintf(e.Out, "site      %s\ncluster   %s (enabled: %v)\npending   %d\nrejected  %d\nparked    %d\ncursor    %d\nlast sync %s\n",
		st.SiteID, strings.Join(set.URLs, ","), set.Enabled, st.Pending, st.Rejected, st.Parked, st.Cursor, last)
	return nil
}

func runWorker(e *Env, args []string) error {
	fs := flags(e, "worker", "worker [--rqlite URL[,URL…]] [--poll 3s] [--retain 2160h] [--once]")
	sf := addSyncFlags(fs)
	poll := fs.Duration("poll", 3*time.Second, "sync interval")
	retain := fs.Duration("retain", 90*24*time.Hour, "keep change-log rows at least this long")
	active := fs.Duration("active", 30*24*time.Hour, "desktops seen within this window hold back log compaction")
	every := fs.Duration("compact-every", time.Hour, "how often the lease holder compacts the change log")
	once := fs.Bool("once", false, "run one cycle (sync, lease, due scheduled reports) and exit")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	set, err := sf.settings(c.Sync)
	if err != nil && len(set.URLs) == 0 {
		// No cluster: this installation works alone and the worker runs its scheduled reports.
		return runWorkerAlone(e, c, *once)
	}
	if err != nil {
		return err
	}
	client, err := set.Client()
	if err != nil {
		return err
	}
	c.Sync.SetClient(client)
	holder := c.Sync.Holder()
	fmt.Fprintf(e.Out, "worker %s on %s\n", holder, strings.Join(client.URLs(), ","))
	// Scheduled reports run on the one device of the team holding the reports lease
	// (desktops compete for the same lease).
	c.Reports.SetLease(clusterLease{client: client, holder: holder, name: core.ReportsLease, now: c.Sync.Now})
	leader := false
	var lastCompact, lastReports time.Time
	defer func() {
		if leader {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			teamsync.ReleaseLease(ctx, client, "worker", holder)
			teamsync.ReleaseLease(ctx, client, core.ReportsLease, holder)
			cancel()
		}
	}()
	tick := func(ctx context.Context) {
		ok, err := teamsync.AcquireLease(ctx, client, "worker", holder, c.Sync.Now(), 30*time.Second)
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(e.Err, "magpie: worker lease:", err)
			return
		}
		if ok != leader {
			leader = ok
			if ok {
				fmt.Fprintln(e.Out, time.Now().Format("15:04:05"), "this worker holds the team lease: it runs team-wide jobs")
			} else {
				fmt.Fprintln(e.Out, time.Now().Format("15:04:05"), "another worker holds the team lease; standing by")
			}
		}
		if leader && time.Since(lastCompact) >= *every {
			lastCompact = time.Now()
			floor, n, err := teamsync.Compact(ctx, client, c.Sync.Now(), *retain, *active)
			if err != nil {
				fmt.Fprintln(e.Err, "magpie: log compaction:", err)
			} else if n > 0 {
				fmt.Fprintf(e.Out, "%s compacted the change log: %d rows below seq %d removed\n", time.Now().Format("15:04:05"), n, floor)
			}
		}
		if leader && time.Since(lastReports) >= time.Minute {
			lastReports = time.Now()
			runDueReports(e, c, *once)
		}
	}
	if *once {
		if err := c.Sync.SyncOnce(e.Ctx()); err != nil {
			return err
		}
		tick(e.Ctx())
		return nil
	}
	return loopSync(e, c, *poll, tick)
}

// runWorkerAlone is the worker of an installation without team sync: it runs the scheduled
// reports every minute (no lease: nobody else runs them for this store).
func runWorkerAlone(e *Env, c *core.Core, once bool) error {
	fmt.Fprintln(e.Out, "worker: no team cluster configured: running alone (scheduled reports)")
	for {
		runDueReports(e, c, once)
		if once {
			return nil
		}
		select {
		case <-e.Ctx().Done():
			return nil
		case <-time.After(time.Minute):
		}
	}
}

func runDueReports(e *Env, c *core.Core, always bool) {
	n, err := c.Reports.RunDue(e.Ctx())
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(e.Err, "magpie: scheduled reports:", err)
	}
	if n > 0 || (always && err == nil) {
		fmt.Fprintf(e.Out, "%s %d scheduled reports ran\n", time.Now().Format("15:04:05"), n)
	}
}

// clusterLease is a named team lease held through the worker's own cluster client.
type clusterLease struct {
	client teamsync.Client
	holder string
	name   string
	now    func() time.Time
}

func (l clusterLease) Held(ctx context.Context) bool {
	ok, err := teamsync.AcquireLease(ctx, l.client, l.name, l.holder, l.now(), 2*time.Minute)
	return err == nil && ok
}
