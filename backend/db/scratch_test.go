package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"magpie/backend/db"
	"magpie/backend/internal/testenv"
)

// TestHoldStore is the child process of testenv.HoldStore.
func TestHoldStore(t *testing.T) { testenv.HoldStoreChild(t) }

func metaOf(t *testing.T, path, k string) string {
	t.Helper()
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	v, err := d.Meta(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestScratchInstall: a scratch copy is written without a journal and installed over the
// store in one rename; with the store open in another process nothing is replaced.
func TestScratchInstall(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		held    bool
		wantErr error
		want    string
	}{
		{"alone", false, nil, "scratch"},
		{"open elsewhere", true, db.ErrInUse, "store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), db.FileName)
			d, err := db.Open(path, db.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Write(ctx, func(tx *db.Tx) error { return tx.SetMeta("test.v", "store") }); err != nil {
				t.Fatal(err)
			}
			side, err := d.CopyToScratch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sd, err := db.OpenScratch(side, nil)
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := sd.Meta(ctx, "test.v"); v != "store" {
				t.Fatalf("copy has test.v = %q", v)
			}
			if err := sd.Write(ctx, func(tx *db.Tx) error { return tx.SetMeta("test.v", "scratch") }); err != nil {
				t.Fatal(err)
			}
			if err := sd.CloseScratch(); err != nil {
				t.Fatal(err)
			}
			if busy, err := db.InUseElsewhere(path); err != nil || busy {
				t.Fatalf("in use elsewhere = %v, %v; want false (only this process)", busy, err)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			if tc.held {
				release := testenv.HoldStore(t, path)
				if busy, err := db.InUseElsewhere(path); err != nil || !busy {
					t.Fatalf("in use elsewhere = %v, %v; want true", busy, err)
				}
				err = db.InstallFile(path, side)
				release()
			} else {
				err = db.InstallFile(path, side)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("install: %v, want %v", err, tc.wantErr)
			}
			if got := metaOf(t, path, "test.v"); got != tc.want {
				t.Fatalf("store has test.v = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRemoveStaleScratch: side files of dead processes go, this process's stays.
func TestRemoveStaleScratch(t *testing.T) {
	path := filepath.Join(t.TempDir(), db.FileName)
	mine := db.ScratchPath(path)
	dead := path + ".build-999999999"
	other := path + ".build-x"
	for _, f := range []string{mine, dead, other} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db.RemoveStaleScratch(path)
	for f, want := range map[string]bool{mine: true, dead: false, other: true} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(f), err == nil, want)
		}
	}
}

// TestSyncAhead: what a scratch store writes after SyncAhead (called twice, and on the
// store, where it does nothing) is in the installed file too.
func TestSyncAhead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), db.FileName)
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.SyncAhead()
	side, err := d.CopyToScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := db.OpenScratch(side, nil)
	if err != nil {
		t.Fatal(err)
	}
	set := func(v string) {
		t.Helper()
		if err := sd.Write(ctx, func(tx *db.Tx) error { return tx.SetMeta("test.v", v) }); err != nil {
			t.Fatal(err)
		}
	}
	set("before")
	sd.SyncAhead()
	sd.SyncAhead()
	set("after")
	if err := sd.CloseScratch(); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if err := db.InstallFile(path, side); err != nil {
		t.Fatal(err)
	}
	if got := metaOf(t, path, "test.v"); got != "after" {
		t.Fatalf("store has test.v = %q, want %q", got, "after")
	}
}
