package cli

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"

	"magpie/backend/assets"
	"magpie/backend/contacts"
	"magpie/backend/events"
	"magpie/backend/forms"
	"magpie/backend/rqlite"
	"magpie/backend/signing"
	"magpie/backend/tracking"
)

func init() {
	register(command{name: "tracker", summary: "run the public tracking server (mtc.js, pixels, links, forms)", run: runTracker})
	register(command{name: "tracking", summary: "tracking settings, snippet, hits, signed links, ingest", run: runTracking})
}

func runTracker(e *Env, args []string) error {
	fs := flags(e, "tracker", "tracker [--addr HOST:PORT] [--public-url URL] [--data-dir DIR | --rqlite URL[,URL…]] [flags]")
	addr := fs.String("addr", "127.0.0.1:8089", "address to listen on")
	public := fs.String("public-url", "", "URL the public reaches this tracker at (default http://ADDR, or the saved setting)")
	rq := fs.String("rqlite", "", "store hits into this rqlite cluster (comma-separated node URLs) instead of the local file")
	rqUser := fs.String("rqlite-user", "", "rqlite user")
	rqPassFile := fs.String("rqlite-password-file", "", "file holding the rqlite password")
	rqInFlight := fs.Int("rqlite-inflight", 4, "with --rqlite: hit batches written to the cluster at once")
	secretFile := fs.String("secret-file", "", "file holding the link-signing secret (≥ 32 bytes; default: the local store's)")
	origins := fs.String("allowed-origins", "", "comma-separated origins allowed to post events (default: the saved setting; empty = any)")
	ipMode := fs.String("ip-mode", "truncate", "how visitor IPs are stored: truncate, hash, full or none")
	rate := fs.Float64("rate-limit", 50, "requests per second per IP (0 = no limit)")
	burst := fs.Int("burst", 100, "burst per IP")
	trustProxy := fs.Bool("trust-proxy", false, "take the client IP from X-Forwarded-For (behind a load balancer)")
	spoolDir := fs.String("spool-dir", "", "durable hit buffer (default DATA-DIR/tracker-spool)")
	spoolMax := fs.Int64("spool-max-mb", 1024, "refuse hits (503) when this many MB wait in the spool")
	noIngest := fs.Bool("no-ingest", false, "local mode: only store hits; let the desktop turn them into events")
	formRate := fs.Float64("form-rate-limit", 0, "form submissions per second per IP (0 = default 1 per 6 s, burst 10; <0 = no limit)")
	formBurst := fs.Int("form-burst", 0, "form submission burst per IP (with --form-rate-limit)")
	cpuProfile := fs.String("cpuprofile", "", "debug: write a CPU profile of the whole run to this file (off by default)")
	netHTTP := fs.Bool("net-http", false, "serve with Go's net/http instead of fasthttp (for comparisons)")
	replica := fs.Bool("web-replica", false, "with --rqlite: serve landing pages, DWC and focus items from a replica of the team's store in --data-dir, kept current by team sync (configure it with 'magpie sync --rqlite … --save' first)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	mode, ok := tracking.ParseIPMode(*ipMode)
	if !ok {
		return usagef("--ip-mode must be truncate, hash, full or none, not %q", *ipMode)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if os.Getenv("GOGC") == "" {
		// The tracker's live heap is small; collect less often (GOGC 800 against 400, A/B at load
		// 8–10: +37–53 % req/s, p99 57/27 ms against 86/96, same CPU per hit; docs/BENCHMARKS.md).
		debug.SetGCPercent(800)
		if os.Getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(512 << 20) // but collect sooner than 9× the live heap when that is large
		}
	}
	log := slog.New(slog.NewJSONHandler(e.Err, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opt := tracking.Options{Addr: *addr, Log: log,
		Spool: tracking.SpoolOptions{MaxBytes: *spoolMax << 20, Preallocate: true},
		Config: tracking.Config{IPMode: mode, RatePerIP: *rate, Burst: *burst, TrustProxy: *trustProxy,
			AllowedOrigins: tracking.SplitList(*origins), FormRatePerIP: *formRate, FormBurst: *formBurst,
			NetHTTP: *netHTTP}}
	var secret []byte
	if *secretFile != "" {
		b, err := os.ReadFile(*secretFile)
		if err != nil {
			return fmt.Errorf("secret file: %w", err)
		}
		secret = bytes.TrimSpace(b)
	}
	if *rq != "" {
		if secret == nil {
			return usagef("--rqlite needs --secret-file (the team's link-signing secret)")
		}
		pass, err := readPasswordFile(*rqPassFile)
		if err != nil {
			return err
		}
		store, err := tracking.NewRqliteStore(rqlite.Config{URLs: tracking.SplitList(*rq), User: *rqUser, Password: pass})
		if err != nil {
			return err
		}
		if err := store.EnsureSchema(e.Ctx()); err != nil {
			return err
		}
		opt.Store, opt.InFlight = store, *rqInFlight
		opt.Config.Forms, opt.Config.Assets = forms.ClusterReader{C: store.Client()}, assets.ClusterReader{C: store.Client()}
		if *replica {
			c, err := e.Core()
			if err != nil {
				return err
			}
			if set, err := c.Sync.LoadSettings(); err != nil {
				return err
			} else if !set.Enabled || len(set.URLs) == 0 {
				return usagef("--web-replica needs team sync set up in this data dir ('magpie sync --rqlite URL --save')")
			}
			if err := c.Sync.AutoStart(); err != nil {
				return err
			}
			opt.Config.Web = c.Web()
		}
		if *spoolDir == "" {
			dir := e.DataDir
			if dir == "" {
				dir = "."
			}
			*spoolDir = filepath.Join(dir, "tracker-spool")
		}
	} else {
		c, err := e.Core()
		if err != nil {
			return err
		}
		if secret == nil {
			if secret, err = tracking.Secret(e.Ctx(), c.DB); err != nil {
				return err
			}
		}
		st, err := tracking.LoadSettings(e.Ctx(), c.DB)
		if err != nil {
			return err
		}
		if *public == "" {
			*public = st.PublicURL
		}
		if *origins == "" {
			opt.Config.AllowedOrigins = st.AllowedOrigins
		}
		opt.Store = &tracking.SQLiteStore{DB: c.DB}
		opt.Config.Webview = c.Emails.Webview
		opt.Config.Web = c.Web()
		opt.Config.Forms, opt.Config.Assets = forms.LocalReader{DB: c.DB}, assets.LocalReader{DB: c.DB}
		if !*noIngest {
			opt.Ingest = &tracking.Ingester{Contacts: c.Contacts, Log: log}
		}
		if *spoolDir == "" {
			*spoolDir = filepath.Join(c.DataDir, "tracker-spool")
		}
	}
	sg, err := signing.New(secret)
	if err != nil {
		return fmt.Errorf("link-signing secret: %w", err)
	}
	opt.Config.Signer = sg
	if *public == "" {
		*public = "http://" + *addr
	}
	opt.Config.PublicURL = *public
	opt.SpoolDir = *spoolDir
	opt.Config.IPKey = secret
	opt.Ready = func(a string, _ *tracking.Metrics) {
		fmt.Fprintf(e.Out, "magpie tracker listening on http://%s (public URL %s)\n", a, *public)
	}
	return tracking.Run(e.Ctx(), opt)
}

const trackingUsage = "usage: magpie tracking snippet|status|hits|settings|link|ingest|events|pull [flags]"

var runTracking = subcommands(trackingUsage, map[string]func(*Env, []string) error{
	"snippet": trackingSnippet, "status": trackingStatus, "hits": trackingHits, "settings": trackingSettings,
	"link": trackingLink, "ingest": trackingIngest, "events": trackingEvents, "pull": trackingPull,
})

func trackingSnippet(e *Env, args []string) error {
	fs := flags(e, "tracking snippet", "tracking snippet [--public-url URL]")
	public := fs.String("public-url", "", "tracker URL (default: the saved setting)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *public == "" {
		c, err := e.Core()
		if err != nil {
			return err
		}
		st, err := tracking.LoadSettings(e.Ctx(), c.DB)
		if err != nil {
			return err
		}
		*public = st.PublicURL
	}
	if *public == "" {
		return usagef("no public URL saved: pass --public-url or run 'magpie tracking settings --public-url URL'")
	}
	if _, err := tracking.ParsePublicURL(*public); err != nil {
		return err
	}
	fmt.Fprintln(e.Out, tracking.Snippet(*public))
	return nil
}

func trackingSettings(e *Env, args []string) error {
	fs := flags(e, "tracking settings", "tracking settings [--public-url URL] [--allowed-origins A,B] [--json]")
	public := fs.String("public-url", "", "tracker public URL")
	origins := fs.String("allowed-origins", "", "comma-separated origins (\"-\" clears)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	st, err := tracking.LoadSettings(e.Ctx(), c.DB)
	if err != nil {
		return err
	}
	changed := false
	if *public != "" {
		st.PublicURL, changed = *public, true
	}
	if *origins != "" {
		st.AllowedOrigins, changed = tracking.SplitList(strings.TrimPrefix(*origins, "-")), true
	}
	if changed {
		if err := tracking.SaveSettings(e.Ctx(), c.DB, st); err != nil {
			return err
		}
		if st, err = tracking.LoadSettings(e.Ctx(), c.DB); err != nil {
			return err
		}
	}
	if *asJSON {
		return e.JSON(st)
	}
	fmt.Fprintf(e.Out, "public URL:      %s\nallowed origins: %s\n", st.PublicURL, strings.Join(st.AllowedOrigins, ", "))
	return nil
}

func trackingLink(e *Env, args []string) error {
	fs := flags(e, "tracking link", "tracking link open|click|unsubscribe --contact ID [--email ID] [--msg ID] [--url URL] [--address A] [--public-url URL]")
	contact := fs.String("contact", "", "contact id")
	email := fs.String("email", "test", "email id")
	msg := fs.String("msg", "test", "message (send) id")
	dest := fs.String("url", "", "destination of a click link")
	address := fs.String("address", "", "recipient address of an unsubscribe link")
	public := fs.String("public-url", "", "tracker URL (default: the saved setting)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *contact == "" {
		return usagef("give the link kind (open, click or unsubscribe) and --contact")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	secret, err := tracking.Secret(e.Ctx(), c.DB)
	if err != nil {
		return err
	}
	sg, err := signing.New(secret)
	if err != nil {
		return err
	}
	if *public == "" {
		st, err := tracking.LoadSettings(e.Ctx(), c.DB)
		if err != nil {
			return err
		}
		*public = st.PublicURL
	}
	if *public == "" {
		return usagef("no public URL saved: pass --public-url")
	}
	l := tracking.Links{Base: *public, Signer: sg}
	switch pos[0] {
	case "open":
		fmt.Fprintln(e.Out, l.Open(*msg, *email, *contact))
	case "click":
		if *dest == "" {
			return usagef("a click link needs --url")
		}
		fmt.Fprintln(e.Out, l.Click(*msg, *email, *contact, *dest))
	case "unsubscribe":
		fmt.Fprintln(e.Out, l.Unsubscribe(*msg, *email, *contact, *address))
	default:
		return usagef("link kind must be open, click or unsubscribe, not %q", pos[0])
	}
	return nil
}

func trackingIngest(e *Env, args []string) error {
	fs := flags(e, "tracking ingest", "tracking ingest [--batch N]")
	batch := fs.Int("batch", 2000, "hits per transaction")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	g := &tracking.Ingester{Contacts: c.Contacts, Batch: *batch}
	total := 0
	for {
		st, err := g.RunOnce(e.Ctx())
		if err != nil {
			return err
		}
		total += st.Hits
		if st.Hits == 0 {
			break
		}
	}
	fmt.Fprintf(e.Out, "ingested %d hits (%d skipped)\n", total, g.Skipped.Load())
	return nil
}

func trackingStatus(e *Env, args []string) error {
	fs := flags(e, "tracking status", "tracking status [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	st, err := tracking.GetStatus(e.Ctx(), c.DB)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(st)
	}
	fmt.Fprintf(e.Out, "public URL: %s\nhits stored: %d\ningested up to: %d (%d pending)\ndevices: %d\nmerges: %d\n",
		st.Settings.PublicURL, st.Hits, st.Ingested, st.Pending, st.Devices, st.Merges)
	return nil
}

func trackingHits(e *Env, args []string) error {
	fs := flags(e, "tracking hits", "tracking hits [--limit N] [--json]")
	limit := fs.Int("limit", 20, "how many of the newest hits")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	hits, err := tracking.RecentHits(e.Ctx(), c.DB, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		if hits == nil {
			hits = []tracking.HitRow{}
		}
		return e.JSON(hits)
	}
	for _, h := range hits {
		who := h.ContactNow
		if h.Contact != "" {
			who = h.Contact
		}
		fmt.Fprintf(e.Out, "%d\t%s\t%s\t%s\t%s\n", h.Seq, h.Time().Format("2006-01-02 15:04:05"), h.Kind, who, h.URL)
	}
	return nil
}

func trackingEvents(e *Env, args []string) error {
	fs := flags(e, "tracking events", "tracking events --email ADDR | --contact ID [--limit N] [--json]")
	email := fs.String("email", "", "the contact's email")
	id := fs.String("contact", "", "the contact's id")
	limit := fs.Int("limit", 100, "how many of the newest events")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if (*email == "") == (*id == "") {
		return usagef("give --email or --contact")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	var d contacts.Detail
	if *email != "" {
		d, err = c.Contacts.ByEmail(e.Ctx(), *email)
	} else {
		d, err = c.Contacts.Get(e.Ctx(), *id)
	}
	if err != nil {
		return err
	}
	evs, _, err := events.List(e.Ctx(), c.DB.R, events.Query{ContactID: d.ID, Limit: *limit})
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []events.Event{}
	}
	if *asJSON {
		return e.JSON(map[string]any{"contact": map[string]any{"id": d.ID, "values": d.Values, "deleted": d.Deleted,
			"tags": d.Tags}, "events": evs})
	}
	fmt.Fprintf(e.Out, "contact %s %v\n", d.ID, d.Values)
	for _, ev := range evs {
		fmt.Fprintf(e.Out, "%s\t%s\t%s\t%s\n", ev.At.Format("2006-01-02 15:04:05"), ev.Type, ev.ObjectID, ev.URL)
	}
	return nil
}

func trackingPull(e *Env, args []string) error {
	fs := flags(e, "tracking pull", "tracking pull --rqlite URL[,URL…] [--rqlite-user U --rqlite-password-file F] [--page N]")
	rq := fs.String("rqlite", "", "the team's rqlite cluster (comma-separated node URLs)")
	rqUser := fs.String("rqlite-user", "", "rqlite user")
	rqPassFile := fs.String("rqlite-password-file", "", "file holding the rqlite password")
	page := fs.Int("page", 5000, "hits per request")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *rq == "" {
		return usagef("--rqlite is required")
	}
	pass, err := readPasswordFile(*rqPassFile)
	if err != nil {
		return err
	}
	client, err := rqlite.New(rqlite.Config{URLs: tracking.SplitList(*rq), User: *rqUser, Password: pass})
	if err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	pulled := 0
	for {
		n, err := tracking.Pull(e.Ctx(), client, c.DB, *page)
		if err != nil {
			return err
		}
		pulled += n
		if n == 0 {
			break
		}
	}
	g := &tracking.Ingester{Contacts: c.Contacts, Batch: 2000}
	ingested := 0
	for {
		st, err := g.RunOnce(e.Ctx())
		if err != nil {
			return err
		}
		ingested += st.Hits
		if st.Hits == 0 {
			break
		}
	}
	fmt.Fprintf(e.Out, "pulled %d hits, ingested %d (%d skipped)\n", pulled, ingested, g.Skipped.Load())
	return nil
}

// readPasswordFile reads the rqlite password from a file ("" when no file is given).
func readPasswordFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("rqlite password file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
