package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/assets"
	"magpie/backend/core"
	"magpie/backend/forms"
	"magpie/backend/signing"
	"magpie/backend/tracking"
)

// Tracking is Settings → Tracking: the tracker's public URL, the snippet to copy, allowed
// origins, a live "last hits" view, and a tracker the desktop can run on loopback to check an
// installation locally.
type Tracking struct{ s *Shell }

// TrackingSettings is the settings form.
type TrackingSettings struct {
	PublicURL      string   `json:"publicUrl"`
	AllowedOrigins []string `json:"allowedOrigins"`
}

// TrackingStatus is the settings screen's live part.
type TrackingStatus struct {
	Settings  TrackingSettings `json:"settings"`
	Snippet   string           `json:"snippet"`
	Hits      int64            `json:"hits"`
	Pending   int64            `json:"pending"`
	LastHitAt int64            `json:"lastHitAt"`
	Devices   int64            `json:"devices"`
	Merges    int64            `json:"merges"`
	Ingesting bool             `json:"ingesting"`
	LastError string           `json:"lastError"`
	Local     LocalTracker     `json:"local"`
}

// LocalTracker is the loopback tracker the desktop may run.
type LocalTracker struct {
	Running bool   `json:"running"`
	URL     string `json:"url"`
	Error   string `json:"error"`
}

// TrackingHit is one row of the "last hits" view.
type TrackingHit struct {
	Seq       int64             `json:"seq"`
	ID        string            `json:"id"`
	Kind      string            `json:"kind"`
	At        int64             `json:"at"`
	ContactID string            `json:"contactId"`
	DeviceID  string            `json:"deviceId"`
	URL       string            `json:"url"`
	Title     string            `json:"title"`
	Referrer  string            `json:"referrer"`
	EmailID   string            `json:"emailId"`
	FormID    string            `json:"formId"`
	Bot       bool              `json:"bot"`
	Data      map[string]string `json:"data"`
}

// startTracking runs the hit ingest loop (and the cluster pull when team sync is on).
func startTracking(c *core.Core, log *slog.Logger) {
	if c.Sync != nil {
		if set, err := c.Sync.LoadSettings(); err == nil && set.Enabled && len(set.URLs) > 0 {
			if cl, err := set.Client(); err == nil {
				c.Tracking.SetCluster(cl)
			} else {
				log.Warn("tracking: cluster hits not pulled", "error", err)
			}
		}
	}
	c.Tracking.Start()
}

func (a *Tracking) core() (*core.Core, error) {
	if a.s.core == nil || a.s.core.Tracking == nil {
		return nil, apperr.New(apperr.Unavailable, "tracking.errors.unavailable", "tracking is not available", nil)
	}
	return a.s.core, nil
}

// GetStatus returns settings, snippet, counts and the local tracker's state.
func (a *Tracking) GetStatus() (TrackingStatus, error) {
	c, err := a.core()
	if err != nil {
		return TrackingStatus{}, err
	}
	st, err := tracking.GetStatus(a.s.context(), c.DB)
	if err != nil {
		return TrackingStatus{}, err
	}
	out := TrackingStatus{Settings: TrackingSettings{PublicURL: st.Settings.PublicURL, AllowedOrigins: st.Settings.AllowedOrigins},
		Snippet: st.Snippet, Hits: st.Hits, Pending: st.Pending, LastHitAt: st.LastHitAt, Devices: st.Devices,
		Merges: st.Merges, Ingesting: c.Tracking.Running(), LastError: c.Tracking.LastError(), Local: localState(c)}
	if out.Settings.AllowedOrigins == nil {
		out.Settings.AllowedOrigins = []string{}
	}
	return out, nil
}

// SaveSettings validates and stores the settings.
func (a *Tracking) SaveSettings(in TrackingSettings) (TrackingStatus, error) {
	c, err := a.core()
	if err != nil {
		return TrackingStatus{}, err
	}
	if err := tracking.SaveSettings(a.s.context(), c.DB, tracking.Settings{PublicURL: in.PublicURL, AllowedOrigins: in.AllowedOrigins}); err != nil {
		return TrackingStatus{}, apperr.Invalidf("tracking.errors.settings", nil, "%s", err.Error())
	}
	return a.GetStatus()
}

// Snippet returns Mautic's standard snippet pointed at publicURL.
func (a *Tracking) Snippet(publicURL string) (string, error) {
	u, err := tracking.ParsePublicURL(publicURL)
	if err != nil {
		return "", apperr.Invalidf("tracking.errors.publicUrl", map[string]any{"url": publicURL}, "%s", err.Error())
	}
	return tracking.Snippet(u.String()), nil
}

// RecentHits lists the newest stored hits (the "last hits" view).
func (a *Tracking) RecentHits(limit int) ([]TrackingHit, error) {
	c, err := a.core()
	if err != nil {
		return nil, err
	}
	rows, err := tracking.RecentHits(a.s.context(), c.DB, limit)
	if err != nil {
		return nil, err
	}
	out := make([]TrackingHit, 0, len(rows))
	for _, r := range rows {
		who := r.ContactNow
		if r.Contact != "" {
			who = r.Contact
		}
		out = append(out, TrackingHit{Seq: r.Seq, ID: r.ID, Kind: string(r.Kind), At: r.At, ContactID: who, DeviceID: r.Device,
			URL: r.URL, Title: r.Title, Referrer: r.Referrer, EmailID: r.Email, FormID: r.Form, Bot: r.Bot, Data: r.Data})
	}
	return out, nil
}

// local trackers run by the desktop, one per backend.
var (
	localMu sync.Mutex
	locals  = map[*core.Core]*localRun{}
)

type localRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	url    string
	err    string
}

func localState(c *core.Core) LocalTracker {
	localMu.Lock()
	defer localMu.Unlock()
	l := locals[c]
	if l == nil {
		return LocalTracker{}
	}
	select {
	case <-l.done:
		return LocalTracker{URL: l.url, Error: l.err}
	default:
		return LocalTracker{Running: true, URL: l.url}
	}
}

// StartLocal runs a tracker on loopback (addr "" = 127.0.0.1:8089) storing into this
// desktop's store, for checking an installation locally.
func (a *Tracking) StartLocal(addr string) (LocalTracker, error) {
	c, err := a.core()
	if err != nil {
		return LocalTracker{}, err
	}
	if addr == "" {
		addr = "127.0.0.1:8089"
	}
	a.StopLocal()
	ctx := a.s.context()
	secret, err := tracking.Secret(ctx, c.DB)
	if err != nil {
		return LocalTracker{}, err
	}
	sg, err := signing.New(secret)
	if err != nil {
		return LocalTracker{}, err
	}
	set, err := tracking.LoadSettings(ctx, c.DB)
	if err != nil {
		return LocalTracker{}, err
	}
	public := "http://" + addr
	run := &localRun{done: make(chan struct{}), url: public}
	rctx, cancel := context.WithCancel(context.Background())
	run.cancel = cancel
	ready := make(chan struct{})
	store := &tracking.SQLiteStore{DB: c.DB, OnStored: c.Tracking.Wake}
	go func() {
		defer close(run.done)
		err := tracking.Run(rctx, tracking.Options{Addr: addr, SpoolDir: filepath.Join(c.DataDir, "tracker-spool"), Store: store,
			Log: a.s.log, Config: tracking.Config{PublicURL: public, AllowedOrigins: set.AllowedOrigins, Signer: sg, IPKey: secret,
				RatePerIP: 50, Burst: 100, Webview: c.Emails.Webview, Web: c.Web(),
				Forms: forms.LocalReader{DB: c.DB}, Assets: assets.LocalReader{DB: c.DB}},
			Ready: func(string, *tracking.Metrics) { close(ready) }})
		if err != nil {
			localMu.Lock()
			run.err = err.Error()
			localMu.Unlock()
		}
	}()
	localMu.Lock()
	locals[c] = run
	localMu.Unlock()
	select {
	case <-ready:
	case <-run.done:
	case <-time.After(5 * time.Second):
	}
	st := localState(c)
	if st.Error != "" {
		return st, apperr.New(apperr.Unavailable, "tracking.errors.localStart", "the local tracker did not start: "+st.Error, nil)
	}
	return st, nil
}

// StopLocal stops the loopback tracker (spooled hits are stored first).
func (a *Tracking) StopLocal() (LocalTracker, error) {
	c, err := a.core()
	if err != nil {
		return LocalTracker{}, err
	}
	localMu.Lock()
	run := locals[c]
	localMu.Unlock()
	if run != nil {
		run.cancel()
		<-run.done
	}
	return localState(c), nil
}
