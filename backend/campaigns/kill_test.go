package campaigns

import (
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"magpie/backend/clock"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/emails"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/segments"
)

func openAt(t testing.TB, dir string) (*db.DB, *Service) {
	t.Helper()
	ctx := context.Background()
	d, err := db.OpenDir(dir, db.Options{Clock: clock.NewFake(testenv.Epoch)})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	return d, New(d, Deps{Contacts: cs, Segments: segments.New(d, fs), Emails: emails.New(d, cs, dir)})
}

// TestKillChild is the process the kill test kills mid-run (it runs only when asked).
func TestKillChild(t *testing.T) {
	dir := os.Getenv("MAGPIE_CAMP_KILL_DIR")
	if dir == "" {
		t.Skip("child of TestKillAndRestart")
	}
	_, s := openAt(t, dir)
	if _, err := s.Run(context.Background(), RunOptions{Batch: 40}); err != nil {
		t.Fatal(err)
	}
}

// A run killed (SIGKILL) mid-way loses nothing and repeats nothing: rerun, every contact
// has had each step exactly once.
func TestKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess")
	}
	const n = 3000
	dir := t.TempDir()
	d, s := openAt(t, dir)
	ctx := context.Background()
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`WITH RECURSIVE seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < ?)
			INSERT INTO contacts(id, email, firstname, date_added, date_modified)
			SELECT printf('c%08d', k), 'u' || k || '@x.io', 'U' || k, 0, 0 FROM seq`, n)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	seg, err := s.deps.Segments.Save(ctx, segments.Input{Name: "All", Filters: []byte(`[{"glue":"and","field":"email","object":"lead","type":"email","operator":"!empty"}]`)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Save(ctx, Input{Name: "K", Graph: Graph{Sources: segSource(seg.ID), Events: []Event{
		root("p1", KindAction, "points.adjust", map[string]any{"points": 1.0}),
		child("p10", "p1", "", KindAction, "points.adjust", map[string]any{"points": 10.0}),
		child("t", "p10", "", KindAction, "contact.tags", map[string]any{"add": []any{"k"}}),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	d.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MAGPIE_CAMP_KILL_DIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once some steps are done, but not all.
	ro, err := db.Open(dir+"/"+db.FileName, db.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	var done int
	for time.Now().Before(deadline) {
		ro.R.QueryRow("SELECT count(*) FROM campaign_log WHERE status = 'done'").Scan(&done)
		if done >= 600 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	ro.R.QueryRow("SELECT count(*) FROM campaign_log WHERE status = 'done'").Scan(&done)
	ro.Close()
	if done == 0 || done >= 3*n {
		t.Fatalf("killed after %d of %d steps: not mid-run", done, 3*n)
	}
	t.Logf("killed after %d of %d steps", done, 3*n)

	d, s = openAt(t, dir)
	defer d.Close()
	if _, err := s.Run(ctx, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	var wrong, rows, evs, ptsEvents, tagged int
	d.R.QueryRow("SELECT count(*) FROM contacts WHERE points <> 11").Scan(&wrong)
	d.R.QueryRow("SELECT count(*) FROM campaign_log WHERE status = 'done'").Scan(&rows)
	d.R.QueryRow("SELECT count(*) FROM campaign_events").Scan(&evs)
	d.R.QueryRow("SELECT count(*) FROM events WHERE type = 'points.changed'").Scan(&ptsEvents)
	d.R.QueryRow("SELECT count(*) FROM contact_tags WHERE deleted = 0").Scan(&tagged)
	if wrong != 0 || rows != 3*n || evs != 3*n || ptsEvents != 2*n || tagged != n {
		t.Errorf("after restart: %d contacts with points <> 11, %d done rows, %d step events, %d points events, %d tags (want 0, %d, %d, %d, %d)",
			wrong, rows, evs, ptsEvents, tagged, 3*n, 3*n, 2*n, n)
	}
}
