package seed_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"magpie/backend/clock"
	"magpie/backend/core"
	"magpie/backend/db"
	"magpie/backend/internal/testenv"
	"magpie/backend/seed"
)

func openCore(t *testing.T, dir string) *core.Core {
	t.Helper()
	c, err := core.Open(context.Background(), dir, core.Options{Clock: clock.NewFake(testenv.Epoch)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// storeState is what a seed changes: the schema and the row counts of the tables it writes.
func storeState(t *testing.T, d *db.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10)) FROM (SELECT * FROM sqlite_master ORDER BY type, name)",
		`SELECT (SELECT count(*) FROM contacts) || ' ' || (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM companies)
			|| ' ' || (SELECT count(*) FROM tags) || ' ' || (SELECT count(*) FROM contact_tags) || ' ' || (SELECT count(*) FROM fields)
			|| ' ' || (SELECT count(*) FROM sync_row_clock) || ' ' || (SELECT count(*) FROM sync_outbox_batch)
			|| ' ' || (SELECT count(*) FROM contact_stats) || ' ' || (SELECT count(*) FROM contact_urls)
			|| ' ' || (SELECT count(*) FROM meta WHERE k = 'bulk.deferred_indexes') || ' ' || (SELECT count(*) FROM dash_cdirty)
			|| ' ' || (SELECT gen > 0 FROM contacts_order_gen WHERE k = '*')`,
		`SELECT (SELECT coalesce(sum(at % 1000003), 0) || '/' || coalesce(sum(length(type || coalesce(url, '') || coalesce(object_name, ''))), 0)
			|| '/' || count(DISTINCT contact_id) FROM events)
			|| ' ' || coalesce((SELECT max(seq) FROM events), 0) || ' ' || coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)
			|| ' ' || coalesce((SELECT sum(hits) || '/' || sum(sessions) || '/' || sum(emails_read) FROM contact_stats), '')
			|| ' ' || coalesce((SELECT sum(n) || '/' || sum(first_at % 1000003) FROM contact_urls), '')`,
	} {
		var s string
		if err := d.R.QueryRow(q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestRunFresh: into a fresh store the seed is built in a side file and installed, and the
// store then holds what a seed in place gives — same contacts, events, aggregates, sync
// clocks and indexes, same site id; a store that is not fresh, or is open in another
// process, is seeded in place.
func TestRunFresh(t *testing.T) {
	defer seed.SetFreshMin(100)()
	ctx := context.Background()
	opt := seed.Options{Contacts: 600, Companies: -1, Events: 10000, Seed: 3, BatchSize: 128} // enough events to defer their indexes
	ref := openCore(t, t.TempDir())
	if _, err := seed.Run(ctx, ref.Contacts, opt, nil); err != nil {
		t.Fatal(err)
	}
	want, wantData := storeState(t, ref.DB), fingerprint(t, ref.Contacts)
	ref.Close()
	for _, tc := range []struct {
		name     string
		before   func(t *testing.T, c *core.Core)
		held     bool
		wantSide bool
	}{
		{"fresh", nil, false, true},
		{"open elsewhere", nil, true, false},
		{"not fresh", func(t *testing.T, c *core.Core) {
			if _, err := seed.Run(ctx, c.Contacts, seed.Options{Contacts: 1, Companies: 0, Events: 0, Seed: 9}, nil); err != nil {
				t.Fatal(err)
			}
		}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := openCore(t, dir)
			if tc.before != nil {
				tc.before(t, c)
			}
			if tc.held {
				defer testenv.HoldStore(t, c.DB.Path)()
			}
			site, path := c.Sync.Site(), c.DB.Path
			res, side, err := seed.RunFresh(ctx, c.Contacts, opt, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Contacts != 600 || (side != "") != tc.wantSide {
				t.Fatalf("result %+v, side %q; want 600 contacts, side file %v", res, side, tc.wantSide)
			}
			c.Close()
			if side != "" {
				if err := db.InstallFile(path, side); err != nil {
					t.Fatal(err)
				}
			}
			c = openCore(t, dir)
			defer c.Close()
			if c.Sync.Site() != site {
				t.Fatalf("site id %s after the seed, was %s", c.Sync.Site(), site)
			}
			if left, _ := filepath.Glob(path + ".build-*"); len(left) > 0 {
				t.Fatalf("side files left: %v", left)
			}
			if tc.before != nil {
				return // one more contact than the reference
			}
			if got := storeState(t, c.DB); got != want {
				t.Fatalf("store after RunFresh:\n%s\nafter Run:\n%s", got, want)
			}
			if got := fingerprint(t, c.Contacts); got != wantData {
				t.Fatal("RunFresh stored other contacts than Run")
			}
			var ok string
			if err := c.DB.R.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
				t.Fatalf("integrity_check: %s %v", ok, err)
			}
		})
	}
}

// TestFreshChild is not a test: run by TestRunFreshKilled in a child process, it seeds the
// store in MAGPIE_FRESH_CHILD through RunFresh and stops for good after two batches.
func TestFreshChild(t *testing.T) {
	dir := os.Getenv("MAGPIE_FRESH_CHILD")
	if dir == "" {
		t.Skip("helper process only")
	}
	defer seed.SetFreshMin(100)()
	c := openCore(t, dir)
	batches := 0
	_, _, err := seed.RunFresh(context.Background(), c.Contacts, seed.Options{Contacts: 2000, Companies: -1, Events: -1, Seed: 3, BatchSize: 200},
		func(done, total int64) {
			os.Stdout.WriteString("batch\n")
			if batches++; batches == 2 {
				select {} // killed here
			}
		})
	t.Fatalf("RunFresh returned (%v); it should have been killed", err)
}

// TestRunFreshKilled: a seed killed while it builds its side file leaves the store as it
// was; the next seed removes the dead side file and installs its own.
func TestRunFreshKilled(t *testing.T) {
	defer seed.SetFreshMin(100)()
	dir := t.TempDir()
	c := openCore(t, dir)
	before, path := storeState(t, c.DB), c.DB.Path
	c.Close()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestFreshChild$")
	cmd.Env = append(os.Environ(), "MAGPIE_FRESH_CHILD="+dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	for n := 0; n < 2; {
		line, err := r.ReadString('\n')
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child ended before two batches: %v", err)
		}
		if line == "batch\n" {
			n++
		}
	}
	left, _ := filepath.Glob(path + ".build-*")
	if len(left) != 1 {
		t.Errorf("side files while seeding: %v, want one", left)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	c = openCore(t, dir)
	if got := storeState(t, c.DB); got != before {
		t.Fatalf("store after a killed seed:\n%s\nbefore:\n%s", got, before)
	}
	res, side, err := seed.RunFresh(context.Background(), c.Contacts, seed.Options{Contacts: 300, Companies: -1, Events: -1, Seed: 3}, nil)
	if err != nil || side == "" || res.Contacts != 300 {
		t.Fatalf("next seed: %+v %q %v", res, side, err)
	}
	c.Close()
	if err := db.InstallFile(path, side); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(path + ".build-*"); len(left) != 0 {
		t.Fatalf("side files left: %v", left)
	}
	c = openCore(t, dir)
	defer c.Close()
	var n int
	c.DB.R.QueryRow("SELECT count(*) FROM contacts").Scan(&n)
	if n != 300 {
		t.Fatalf("%d contacts after the next seed, want 300", n)
	}
}

// TestHoldStore is the child process of testenv.HoldStore.
func TestHoldStore(t *testing.T) { testenv.HoldStoreChild(t) }
