package tracking

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"magpie/backend/db"
	"magpie/backend/signing"
)

// Meta keys of the tracking settings kept in the local store.
const (
	metaSecret    = "tracking.secret"
	metaPublicURL = "tracking.public_url"
	metaOrigins   = "tracking.allowed_origins"
)

// Settings are what the desktop keeps about its tracker.
type Settings struct {
	PublicURL      string   `json:"publicUrl"`
	AllowedOrigins []string `json:"allowedOrigins"`
}

// LoadSettings reads the tracking settings.
func LoadSettings(ctx context.Context, d *db.DB) (Settings, error) {
	var s Settings
	u, err := d.Meta(ctx, metaPublicURL)
	if err != nil {
		return s, err
	}
	o, err := d.Meta(ctx, metaOrigins)
	if err != nil {
		return s, err
	}
	s.PublicURL = u
	s.AllowedOrigins = SplitList(o)
	return s, nil
}

// SaveSettings validates and writes the tracking settings.
func SaveSettings(ctx context.Context, d *db.DB, s Settings) error {
	if s.PublicURL != "" {
		u, err := ParsePublicURL(s.PublicURL)
		if err != nil {
			return err
		}
		s.PublicURL = u.String()
	}
	for _, o := range s.AllowedOrigins {
		if _, err := ParsePublicURL(o); err != nil {
			return fmt.Errorf("tracking: allowed origin %q must look like https://www.example.com", o)
		}
	}
	return d.Write(ctx, func(tx *db.Tx) error {
		if err := tx.SetMeta(metaPublicURL, s.PublicURL); err != nil {
			return err
		}
		return tx.SetMeta(metaOrigins, strings.Join(s.AllowedOrigins, ","))
	})
}

// SplitList splits a comma-separated list, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Secret returns the link-signing secret of this store, creating it on first use.
func Secret(ctx context.Context, d *db.DB) ([]byte, error) {
	v, err := d.Meta(ctx, metaSecret)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if v != "" {
		return hex.DecodeString(v)
	}
	sec := signing.NewSecret()
	err = d.Write(ctx, func(tx *db.Tx) error {
		var cur string
		if err := tx.QueryRow("SELECT v FROM meta WHERE k = ?", metaSecret).Scan(&cur); err == nil && cur != "" {
			v = cur
			return nil
		}
		return tx.SetMeta(metaSecret, hex.EncodeToString(sec))
	})
	if err != nil {
		return nil, err
	}
	if v != "" {
		return hex.DecodeString(v)
	}
	return sec, nil
}

// Options assemble a running tracker.
type Options struct {
	Addr     string
	Config   Config
	SpoolDir string
	Spool    SpoolOptions
	Store    Store
	// InFlight is how many hit batches may be in the store at once (Pump.InFlight; rqlite).
	InFlight int
	// Ingest, when set (local mode), turns stored hits into contacts and events in-process.
	Ingest *Ingester
	Log    *slog.Logger
	// Ready is called with the listening address once requests are answered.
	Ready func(addr string, m *Metrics)
}

// Run serves until ctx ends; then it stops accepting, stores what is spooled and returns.
func Run(ctx context.Context, opt Options) error {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	opt.Spool.Log, opt.Config.Log = opt.Log, opt.Log
	sp, err := OpenSpool(opt.SpoolDir, opt.Spool)
	if err != nil {
		return err
	}
	defer sp.Close()
	m := NewMetrics()
	pump := &Pump{Spool: sp, Store: opt.Store, Log: opt.Log, Metrics: m, InFlight: opt.InFlight}
	srv, err := NewServer(opt.Config, sp, pump, m)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opt.Addr)
	if err != nil {
		return fmt.Errorf("tracking: listen on %s: %w", opt.Addr, err)
	}
	bg, stopBG := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := pump.Run(bg); err != nil && !errors.Is(err, context.Canceled) {
			opt.Log.Error("tracking: pump stopped", "err", err)
		}
	}()
	var ingestDone chan struct{}
	ictx, stopIngest := context.WithCancel(context.Background())
	defer stopIngest()
	if opt.Ingest != nil {
		wake := make(chan struct{}, 1)
		if s, ok := opt.Store.(*SQLiteStore); ok {
			s.OnStored = func() {
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}
		ingestDone = make(chan struct{})
		go func() {
			defer close(ingestDone)
			lowerPriority() // the public's requests first (background_linux.go)
			opt.Ingest.Run(ictx, wake, time.Second)
		}()
	}
	opt.Log.Info("tracker listening", "addr", ln.Addr().String(), "public_url", opt.Config.PublicURL, "store", opt.Store.Name())
	if opt.Ready != nil {
		opt.Ready(ln.Addr().String(), m)
	}
	err = srv.Serve(ctx, ln)
	stopBG()
	wg.Wait()
	if s, ok := opt.Store.(*SQLiteStore); ok {
		s.Close() // its checkpoint connection; the store's DB belongs to the caller
	}
	if ingestDone != nil {
		// Stop the ingester's loop, then let it catch up here with what the pump just
		// stored: one goroutine at a time runs RunOnce (an Ingester is not safe for
		// concurrent use; a batch the stop interrupted rolls back and is read again).
		stopIngest()
		<-ingestDone
		for {
			st, ierr := opt.Ingest.RunOnce(context.Background())
			if ierr != nil || st.Hits == 0 {
				break
			}
		}
	}
	opt.Log.Info("tracker stopped", "accepted", m.Accepted.Load(), "stored", m.Stored.Load(), "pending_bytes", sp.Pending())
	return err
}
