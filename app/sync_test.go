package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"magpie/backend/rqlite/rqlitetest"
	"magpie/backend/teamsync"
)

func TestSyncFacade(t *testing.T) {
	dir := t.TempDir()
	sh := newShell(t, dir)
	s := &Sync{sh}

	// Bad input is refused with a message naming the problem; nothing is saved.
	for _, in := range []SyncSettings{
		{Enabled: true},
		{Enabled: true, URLs: []string{"localhost:4001"}},
		{Enabled: true, URLs: []string{"http://x:1"}, CAFile: filepath.Join(dir, "missing.pem")},
	} {
		if _, err := s.Save(in); err == nil {
			t.Errorf("settings %+v accepted", in)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, teamsync.SettingsFile)); !os.IsNotExist(err) {
		t.Fatal("refused settings were saved")
	}

	srv := rqlitetest.New(t, rqlitetest.Options{User: "ann", Password: "pw"})
	bad, err := s.Test(SyncSettings{URLs: []string{srv.URL()}, User: "ann", Password: "nope"})
	if err != nil || bad.OK || !strings.Contains(bad.Message, "credentials refused") {
		t.Fatalf("test with a wrong password: %+v, %v", bad, err)
	}
	good, err := s.Test(SyncSettings{URLs: []string{srv.URL()}, User: "ann", Password: "pw"})
	if err != nil || !good.OK || good.Nodes != 1 {
		t.Fatalf("test: %+v, %v", good, err)
	}
	if _, err := s.Save(SyncSettings{URLs: []string{srv.URL()}, User: "ann", Password: "pw", Enabled: true, PollSeconds: 1}); err != nil {
		t.Fatal(err)
	}
	// The password is never sent back, and an empty one on save keeps the stored one.
	got, err := s.GetSettings()
	if err != nil || got.Password != "" || !got.HasPassword || !got.Enabled {
		t.Fatalf("settings = %+v, %v", got, err)
	}
	if _, err := s.Save(got); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, teamsync.SettingsFile))
	if !strings.Contains(string(b), `"password": "pw"`) {
		t.Fatal("saving without a password dropped the stored one")
	}
	if fi, _ := os.Stat(filepath.Join(dir, teamsync.SettingsFile)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("settings file mode %v, want 0600", fi.Mode().Perm())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ov, err := s.Overview()
		if err != nil {
			t.Fatal(err)
		}
		if ov.Status.State == teamsync.StateUpToDate && ov.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never up to date: %+v", ov.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Turning it off stops the loop.
	got.Enabled = false
	ov, err := s.Save(got)
	if err != nil || ov.Running || ov.Status.State != teamsync.StateOff {
		t.Fatalf("after disabling: %+v, %v", ov, err)
	}
}
