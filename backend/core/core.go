// Package core wires Magpie's backend together: it opens the store in a data dir and builds
// every domain service. The desktop shell, the browser bridge, the CLI, the tracker and the
// worker all start from core.Open, so they run the very same code.
package core

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"

	"magpie/backend/apperr"
	"magpie/backend/assets"
	"magpie/backend/bus"
	"magpie/backend/campaigns"
	"magpie/backend/clock"
	"magpie/backend/companies"
	"magpie/backend/contacts"
	"magpie/backend/dashboard"
	"magpie/backend/db"
	"magpie/backend/dwc"
	"magpie/backend/emails"
	"magpie/backend/exports"
	"magpie/backend/fields"
	"magpie/backend/focus"
	"magpie/backend/forms"
	"magpie/backend/imports"
	"magpie/backend/jobs"
	"magpie/backend/pages"
	"magpie/backend/points"
	"magpie/backend/reports"
	"magpie/backend/segments"
	"magpie/backend/stages"
	"magpie/backend/teamsync"
	"magpie/backend/tracking"
	"magpie/backend/users"
)

// Version is set at build time (-ldflags "-X magpie/backend/core.Version=...").
var Version = "dev"

// Core is an open Magpie backend.
type Core struct {
	DataDir   string
	DB        *db.DB
	Bus       *bus.Bus
	Jobs      *jobs.Runner
	Fields    *fields.Service
	Contacts  *contacts.Service
	Companies *companies.Service
	// CSV import and CSV/XLSX export (package imports, exports).
	Imports *imports.Service
	Exports *exports.Service
	// Sync is team sync (issue 5); its recorder is installed on the store at Open, so
	// every edit is in the outbox whether or not a cluster is configured.
	Sync *teamsync.Service
	// emails (issue 6)
	Emails *emails.Service
	// Segments: filters, membership, live updates (issue 3).
	Segments *segments.Service
	// Tracking turns tracker hits into contacts and events (issue 4); the shells start it.
	Tracking *tracking.Service
	// Forms, their outbox (webhooks, emails to users) and assets (issue 9).
	Forms       *forms.Service
	FormsOutbox *forms.Outbox
	Assets      *assets.Service
	// Campaigns: builder model and the engine (issue 7); the shells start its runner.
	Campaigns *campaigns.Service
	// Points: point actions, triggers, groups (applied live on events.Append) and stages (issue 8).
	Points *points.Service
	Stages *stages.Service
	// Users: the team's members, the owners contacts are assigned to.
	Users *users.Service
	// Reports: builder, exports, schedules (issue 8); the shells start its schedule loop.
	Reports *reports.Service
	// Dashboard: the home board's widgets and their rollups (issue 8).
	Dashboard *dashboard.Service
	// Landing pages + preference center, dynamic web content, focus items (issue 9).
	Pages *pages.Service
	DWC   *dwc.Service
	Focus *focus.Service
	// PagesAB decides landing page A/B tests when due (started by the shells).
	PagesAB *pages.ABDecider
}

// Options tune Open.
type Options struct {
	Clock clock.Clock
}

// DefaultDataDir is where Magpie keeps its data: $MAGPIE_DATA_DIR, else the user's config
// dir (~/.config/magpie on Linux).
func DefaultDataDir() string {
	if d := os.Getenv("MAGPIE_DATA_DIR"); d != "" {
		return d
	}
	base, err := os.UserConfigDir()
	if err != nil {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".config")
	}
	return filepath.Join(base, "magpie")
}

// Open opens the data dir and builds the services.
func Open(ctx context.Context, dataDir string, opt Options) (*Core, error) {
	if dataDir == "" {
		dataDir = DefaultDataDir()
	}
	abs, err := filepath.Abs(dataDir)
	if err == nil {
		dataDir = abs
	}
	d, err := db.OpenDir(dataDir, db.Options{Clock: opt.Clock})
	if err != nil {
		return nil, err
	}
	c := &Core{DataDir: dataDir, DB: d, Bus: bus.New()}
	c.Jobs = jobs.New(d, c.Bus)
	if c.Fields, err = fields.New(ctx, d); err != nil {
		d.Close()
		return nil, err
	}
	c.Contacts = contacts.New(d, c.Fields)
	c.Companies = companies.New(d, c.Fields)
	c.Imports = imports.New(c.Contacts, c.Jobs, dataDir)
	c.Exports = exports.New(c.Contacts, c.Jobs, dataDir)
	c.Emails = emails.New(d, c.Contacts, dataDir)
	c.Emails.SetAudience(emails.MembershipAudience{})
	c.Emails.SetLinkKey(func(ctx context.Context) ([]byte, string, error) {
		sec, err := tracking.Secret(ctx, d)
		if err != nil {
			return nil, "", err
		}
		st, err := tracking.LoadSettings(ctx, d)
		return sec, st.PublicURL, err
	})
	d.OnCommit(c.announce)
	if c.Sync, err = teamsync.NewService(ctx, d, dataDir, teamsync.Options{AppVersion: Version,
		AfterApply: func(ctx context.Context, tables map[string]bool) error {
			if tables["fields"] {
				// A teammate's custom field: add its column so its values can apply.
				return c.Fields.EnsureColumns(ctx)
			}
			return nil
		}}); err != nil {
		d.Close()
		return nil, err
	}
	c.Emails.SetLease(emailLease{db: d, sync: c.Sync})
	c.Segments = segments.New(d, c.Fields)
	c.Segments.LoadTimezone(ctx)
	if d.W != nil {
		c.Segments.Start()
	}
	c.Tracking = tracking.NewService(c.Contacts, nil)
	c.Forms, c.Assets = forms.New(d), assets.New(d)
	c.Emails.SetAssetFiles(func(ctx context.Context, id string) (string, string, []byte, error) { // email attachments
		return assetFile(ctx, c.Assets, assets.LocalReader{DB: d}, id)
	})
	c.FormsOutbox = &forms.Outbox{DB: d, Mail: func(ctx context.Context, emailID, to string) error {
		e, err := c.Emails.Get(ctx, emailID)
		if err != nil {
			return err
		}
		return c.Emails.SendTest(ctx, e, to)
	}}
	c.Campaigns = campaigns.New(d, campaigns.Deps{Contacts: c.Contacts, Segments: c.Segments, Emails: c.Emails,
		Lease: emailLease{db: d, sync: c.Sync}}) // the team's sender also runs the campaigns
	campaigns.SetDefaultZone(c.Segments.Loc)
	points.SetCampaigns(func(tx *db.Tx, id, cid string) error { // point triggers' "change campaigns"
		_, err := campaigns.AddContactsTx(tx, id, []string{cid})
		return err
	}, func(tx *db.Tx, id, cid string) error {
		_, err := campaigns.RemoveContactsTx(tx, id, []string{cid})
		return err
	})
	c.Points, c.Stages, c.Users = points.New(d), stages.New(d), users.New(d)
	c.Reports = reports.New(d, c.Fields, c.Segments, c.Jobs, dataDir)
	c.Reports.SetMailer(c.Emails)
	c.Reports.SetLease(emailLease{db: d, sync: c.Sync, name: ReportsLease})
	c.Dashboard = dashboard.New(d)
	c.Dashboard.LoadTimezone(ctx)       // the shells Start its background catch-up
	c.Reports.SetDayCounts(c.Dashboard) // plain event counts by date read the daily rollup
	c.Pages, c.Focus = pages.New(d), focus.New(d)
	c.DWC = dwc.New(d, c.Segments, c.Contacts)
	c.PagesAB = &pages.ABDecider{Pages: c.Pages}
	return c, nil
}

// Web is what a tracker on this store serves besides hits (pages, DWC, focus items).
func (c *Core) Web() *tracking.Web {
	return &tracking.Web{DB: c.DB, Contacts: c.Contacts, Pages: c.Pages, DWC: c.DWC, Focus: c.Focus,
		DWCDecision: campaigns.NewDWCDecisions(c.DB).Lookup}
}

// announce tells the UI which kinds of rows changed, so it refetches what it shows.
func (c *Core) announce(cm db.Commit) {
	seen := map[string]bool{}
	for _, ch := range cm.Changes {
		if !seen[ch.Table] {
			seen[ch.Table] = true
			c.Bus.Publish(ch.Table+":changed", nil)
		}
	}
	for _, s := range cm.Signals {
		if !seen[s.Topic] {
			seen[s.Topic] = true
			c.Bus.Publish(s.Topic+":changed", nil)
		}
	}
	for _, name := range slices.Concat(cm.Bulk, cm.BulkSignals) {
		if !seen[name] {
			seen[name] = true
			c.Bus.Publish(name+":changed", nil)
		}
	}
}

// Close stops jobs and closes the store.
func (c *Core) Close() error {
	if c.Sync != nil {
		c.Sync.Close()
	}
	if c.Campaigns != nil {
		c.Campaigns.Stop()
	}
	c.Emails.StopBackground()
	c.FormsOutbox.Stop()
	if c.PagesAB != nil {
		c.PagesAB.Stop()
	}
	if c.Reports != nil {
		c.Reports.StopBackground()
	}
	if c.Tracking != nil {
		c.Tracking.Stop()
	}
	if c.Dashboard != nil {
		c.Dashboard.Stop()
	}
	c.Jobs.CancelAll()
	c.Jobs.Wait()
	c.Segments.Stop()
	return c.DB.Close()
}

// UserError is the one-line message for an error shown in the CLI.
func UserError(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Error()
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	return err.Error()
}

// assetFile reads a file asset whole (an email attachment).
func assetFile(ctx context.Context, s *assets.Service, rd assets.Reader, id string) (string, string, []byte, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return "", "", nil, err
	}
	if a.Deleted || a.Kind != "file" {
		return "", "", nil, errors.New("asset " + a.Title + " is in the trash or is not a file")
	}
	var buf bytes.Buffer
	if err := assets.WriteTo(ctx, rd, &a, &buf); err != nil {
		return "", "", nil, err
	}
	return a.FileName, a.Mime, buf.Bytes(), nil
}
