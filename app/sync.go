package app

import (
	"magpie/backend/apperr"
	"magpie/backend/teamsync"
)

// Sync is Settings → Team sync and the status badge.
type Sync struct{ s *Shell }

// SyncSettings is the settings form. The password is never sent back to the UI:
// HasPassword says one is stored, and an empty Password on save keeps it.
type SyncSettings struct {
	URLs        []string `json:"urls"`
	User        string   `json:"user"`
	Password    string   `json:"password"`
	HasPassword bool     `json:"hasPassword"`
	CAFile      string   `json:"caFile"`
	Insecure    bool     `json:"insecure"`
	Enabled     bool     `json:"enabled"`
	PollSeconds int      `json:"pollSeconds"`
}

// SyncOverview is the badge and the settings screen's live part.
type SyncOverview struct {
	Status  teamsync.Status     `json:"status"`
	Running bool                `json:"running"`
	Feed    []teamsync.FeedItem `json:"feed"`
}

func (a *Sync) svc() (*teamsync.Service, error) {
	if a.s.core == nil || a.s.core.Sync == nil {
		return nil, apperr.New(apperr.Unavailable, "sync.errors.unavailable", "team sync is not available", nil)
	}
	return a.s.core.Sync, nil
}

// GetSettings returns the saved settings (without the password).
func (a *Sync) GetSettings() (SyncSettings, error) {
	svc, err := a.svc()
	if err != nil {
		return SyncSettings{}, err
	}
	set, err := svc.LoadSettings()
	if err != nil {
		return SyncSettings{}, err
	}
	return SyncSettings{URLs: set.URLs, User: set.User, HasPassword: set.Password != "", CAFile: set.CAFile,
		Insecure: set.Insecure, Enabled: set.Enabled, PollSeconds: set.PollSeconds}, nil
}

func (a *Sync) merge(in SyncSettings) (teamsync.Settings, error) {
	svc, err := a.svc()
	if err != nil {
		return teamsync.Settings{}, err
	}
	old, err := svc.LoadSettings()
	if err != nil {
		return teamsync.Settings{}, err
	}
	set := teamsync.Settings{URLs: in.URLs, User: in.User, Password: in.Password, CAFile: in.CAFile,
		Insecure: in.Insecure, Enabled: in.Enabled, PollSeconds: in.PollSeconds}
	if set.Password == "" && in.User == old.User {
		set.Password = old.Password
	}
	return set, nil
}

// Test checks settings against the cluster without saving them.
func (a *Sync) Test(in SyncSettings) (teamsync.TestResult, error) {
	set, err := a.merge(in)
	if err != nil {
		return teamsync.TestResult{}, err
	}
	r, err := a.s.core.Sync.Test(a.s.context(), set)
	if err != nil {
		return r, err
	}
	return r, nil
}

// Save stores the settings and starts (enabled) or stops (disabled) syncing.
func (a *Sync) Save(in SyncSettings) (SyncOverview, error) {
	set, err := a.merge(in)
	if err != nil {
		return SyncOverview{}, err
	}
	svc := a.s.core.Sync
	if set.Enabled {
		if _, err := set.Client(); err != nil {
			return SyncOverview{}, err
		}
	}
	if err := svc.SaveSettings(set); err != nil {
		return SyncOverview{}, err
	}
	if set.Enabled {
		if err := svc.Start(set); err != nil {
			return SyncOverview{}, err
		}
	} else {
		svc.Stop()
		svc.SetClient(nil)
	}
	return a.Overview()
}

// Overview returns the status, whether the loop runs, and the teammates' feed.
func (a *Sync) Overview() (SyncOverview, error) {
	svc, err := a.svc()
	if err != nil {
		return SyncOverview{}, err
	}
	feed := svc.Feed()
	for i, j := 0, len(feed)-1; i < j; i, j = i+1, j-1 {
		feed[i], feed[j] = feed[j], feed[i]
	}
	return SyncOverview{Status: svc.Status(), Running: svc.Running(), Feed: feed}, nil
}

// SyncNow runs a cycle at once and returns the new status.
func (a *Sync) SyncNow() (SyncOverview, error) {
	svc, err := a.svc()
	if err != nil {
		return SyncOverview{}, err
	}
	if err := svc.SyncOnce(a.s.context()); err != nil && err != teamsync.ErrNotConnected {
		// The status carries the message; the call itself succeeded.
		a.s.log.Warn("sync now failed", "error", err)
	}
	return a.Overview()
}

// RetryRejected queues changes the cluster refused again.
func (a *Sync) RetryRejected() (SyncOverview, error) {
	svc, err := a.svc()
	if err != nil {
		return SyncOverview{}, err
	}
	if _, err := svc.RetryRejected(a.s.context()); err != nil {
		return SyncOverview{}, err
	}
	return a.Overview()
}

// Problems lists the changes sync holds back: local edits the cluster refused and
// teammates' changes this version cannot apply yet, with their reasons.
func (a *Sync) Problems() ([]teamsync.Problem, error) {
	svc, err := a.svc()
	if err != nil {
		return nil, err
	}
	return svc.Problems(a.s.context(), 100)
}
