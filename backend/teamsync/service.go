package teamsync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/rqlite"
)

// SettingsFile holds the cluster address and credentials, next to (never inside) the
// database file, readable only by the user.
const SettingsFile = "sync.json"

// Settings are the team-sync settings of one installation.
type Settings struct {
	URLs     []string `json:"urls"`
	User     string   `json:"user,omitempty"`
	Password string   `json:"password,omitempty"`
	CAFile   string   `json:"caFile,omitempty"`   // PEM bundle trusted for https URLs
	Insecure bool     `json:"insecure,omitempty"` // skip TLS verification (test clusters only)
	Enabled  bool     `json:"enabled"`
	// PollSeconds is the pull interval (default 3).
	PollSeconds int `json:"pollSeconds,omitempty"`
}

// Client builds an rqlite client from the settings, with a clear error for bad input.
func (s Settings) Client() (*rqlite.Client, error) {
	var urls []string
	for _, u := range s.URLs {
		for _, p := range strings.Split(u, ",") {
			if p = strings.TrimSpace(p); p != "" {
				urls = append(urls, p)
			}
		}
	}
	if len(urls) == 0 {
		return nil, apperr.Invalidf("sync.errors.noUrl", nil, "give the cluster's address, e.g. http://10.0.0.5:4001")
	}
	cfg := rqlite.Config{URLs: urls, User: s.User, Password: s.Password, Timeout: 15 * time.Second}
	if s.CAFile != "" || s.Insecure {
		t := &tls.Config{InsecureSkipVerify: s.Insecure} //nolint:gosec // an explicit user choice for test clusters
		if s.CAFile != "" {
			pem, err := os.ReadFile(s.CAFile)
			if err != nil {
				return nil, apperr.Invalidf("sync.errors.caFile", map[string]any{"path": s.CAFile}, "cannot read the CA file %s: %v", s.CAFile, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, apperr.Invalidf("sync.errors.caFile", map[string]any{"path": s.CAFile}, "%s holds no PEM certificate", s.CAFile)
			}
			t.RootCAs = pool
		}
		cfg.TLS = t
	}
	c, err := rqlite.New(cfg)
	if err != nil {
		return nil, apperr.Invalidf("sync.errors.badUrl", nil, "%s", strings.TrimPrefix(err.Error(), "rqlite: "))
	}
	return c, nil
}

// Service runs an engine in the background according to the saved settings.
type Service struct {
	*Engine
	dataDir string

	runMu  sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewService opens the engine on d; dataDir holds the settings file.
func NewService(ctx context.Context, d *db.DB, dataDir string, opt Options) (*Service, error) {
	e, err := Open(ctx, d, opt)
	if err != nil {
		return nil, err
	}
	return &Service{Engine: e, dataDir: dataDir}, nil
}

// LoadSettings reads the saved settings (zero Settings when none).
func (s *Service) LoadSettings() (Settings, error) {
	var set Settings
	b, err := os.ReadFile(filepath.Join(s.dataDir, SettingsFile))
	if errors.Is(err, os.ErrNotExist) {
		return set, nil
	}
	if err != nil {
		return set, err
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return set, fmt.Errorf("sync: %s is damaged: %v", filepath.Join(s.dataDir, SettingsFile), err)
	}
	return set, nil
}

// SaveSettings writes the settings (mode 0600, atomically).
func (s *Service) SaveSettings(set Settings) error {
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return err
	}
	p := filepath.Join(s.dataDir, SettingsFile)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// TestResult is what "test connection" reports.
type TestResult struct {
	OK        bool   `json:"ok"`
	Nodes     int    `json:"nodes"`
	Leader    string `json:"leader"`
	Version   string `json:"version"`
	SkewMs    int64  `json:"skewMs"`
	Message   string `json:"message"`
	LatencyMs int64  `json:"latencyMs"`
}

// Test checks the settings against the cluster without saving them: reachability,
// credentials, a read, and the clock difference.
func (s *Service) Test(ctx context.Context, set Settings) (TestResult, error) {
	c, err := set.Client()
	if err != nil {
		return TestResult{Message: err.Error()}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	start := time.Now()
	var r TestResult
	if _, err := c.Query(ctx, rqlite.Weak, rqlite.S("SELECT 1")); err != nil {
		r.Message = strings.TrimPrefix(strings.ReplaceAll(err.Error(), "rqlite: no confirmed answer from the cluster: ", ""), "rqlite: ")
		return r, nil
	}
	r.LatencyMs = time.Since(start).Milliseconds()
	if st, err := c.Status(ctx); err == nil {
		r.Leader, r.Version = st.Leader, st.Version
	}
	if nodes, err := c.Nodes(ctx); err == nil {
		r.Nodes = len(nodes)
	}
	if d, ok := c.ServerDate(); ok {
		r.SkewMs = d.Sub(s.d.Clock.Now()).Milliseconds()
	}
	r.OK = true
	r.Message = fmt.Sprintf("connected: %d node(s), round trip %d ms", r.Nodes, r.LatencyMs)
	if r.SkewMs > skewWarn.Milliseconds() || r.SkewMs < -skewWarn.Milliseconds() {
		r.Message += fmt.Sprintf("; this computer's clock differs from the cluster's by %s", time.Duration(r.SkewMs)*time.Millisecond)
	}
	return r, nil
}

// Start runs the sync loop with the given settings until Stop.
func (s *Service) Start(set Settings) error {
	c, err := set.Client()
	if err != nil {
		return err
	}
	s.Stop()
	if set.PollSeconds > 0 {
		s.opt.Poll = time.Duration(set.PollSeconds) * time.Second
	}
	s.SetClient(c)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.runMu.Lock()
	s.cancel, s.done = cancel, done
	s.runMu.Unlock()
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	return nil
}

// Stop ends the loop (a running cycle is canceled; nothing is lost: every step is
// idempotent and transactional).
func (s *Service) Stop() {
	s.runMu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.runMu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Running says whether the loop runs.
func (s *Service) Running() bool {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	return s.cancel != nil
}

// AutoStart starts the loop when the saved settings say so.
func (s *Service) AutoStart() error {
	set, err := s.LoadSettings()
	if err != nil || !set.Enabled || len(set.URLs) == 0 {
		return err
	}
	return s.Start(set)
}

// Close stops the loop.
func (s *Service) Close() { s.Stop() }
