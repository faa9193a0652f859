package imports_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"magpie/backend/bus"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/imports"
	"magpie/backend/jobs"
)

func openDir(t testing.TB, dir string) (*db.DB, *imports.Service) {
	t.Helper()
	d, err := db.OpenDir(dir, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	return d, imports.New(cs, jobs.New(d, bus.New()), dir)
}

// killChild runs the test named test of this binary in a child process with env added,
// and kills it with SIGKILL as soon as ready says so (failing after a minute without).
func killChild(t *testing.T, test string, env []string, ready func() bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); !ready(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("child made no progress")
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// inserted is the committed count of rows import id inserted.
func inserted(t *testing.T, svc *imports.Service, id string) int64 {
	t.Helper()
	r, err := svc.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Inserted
}

// TestKillHelper is the child process of TestKillAndResume: it runs one import until killed.
func TestKillHelper(t *testing.T) {
	dir, id := os.Getenv("MAGPIE_KILL_DIR"), os.Getenv("MAGPIE_KILL_IMPORT")
	if dir == "" {
		t.Skip("child process of TestKillAndResume")
	}
	if g, _ := strconv.Atoi(os.Getenv("MAGPIE_KILL_BULK")); g > 0 {
		defer imports.SetBulk(1, g)() // a bulk import of g rows per transaction
	}
	d, svc := openDir(t, dir)
	defer d.Close()
	progress := filepath.Join(dir, "progress")
	if err := svc.Run(context.Background(), id, func(r imports.Record) {
		_ = os.WriteFile(progress, []byte(fmt.Sprint(r.Inserted)), 0o600)
		time.Sleep(20 * time.Millisecond)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestKillAndResume kills an import with SIGKILL in the middle, then resumes it: every
// committed row is kept and no contact is created twice.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	const n = 6000
	p := filepath.Join(dir, "kill.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "email;firstname;tags")
	for i := 0; i < n; i++ {
		fmt.Fprintf(f, "u%d@x.io;Zoé %d;t1\n", i, i)
	}
	// Duplicates of rows far earlier in the file: they must merge, before or after the kill.
	for i := 0; i < 50; i++ {
		fmt.Fprintf(f, "u%d@x.io;Again %d;t2\n", i, i)
	}
	f.Close()
	d, svc := openDir(t, dir)
	defer d.Close()
	ctx := context.Background()
	rec, err := svc.Create(ctx, p, imports.Options{BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	killChild(t, "TestKillHelper", []string{"MAGPIE_KILL_DIR=" + dir, "MAGPIE_KILL_IMPORT=" + rec.ID},
		func() bool { return inserted(t, svc, rec.ID) >= 1000 })
	mid, _ := svc.Get(ctx, rec.ID)
	if mid.Status != imports.StatusRunning || mid.Inserted >= n {
		t.Fatalf("the kill did not land mid-import: %+v", mid)
	}
	var stored int64
	if err := d.R.QueryRow("SELECT count(*) FROM contacts").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != mid.Inserted {
		t.Fatalf("after the kill: %d contacts stored but the cursor says %d inserted", stored, mid.Inserted)
	}
	if err := svc.Run(ctx, rec.ID, nil); err != nil {
		t.Fatal(err)
	}
	end, _ := svc.Get(ctx, rec.ID)
	if end.Status != imports.StatusDone || end.Inserted != n || end.Updated != 50 || end.Failed != 0 {
		t.Fatalf("after resume: %+v", end)
	}
	var total, distinct, evs int64
	if err := d.R.QueryRow("SELECT count(*), count(DISTINCT email) FROM contacts WHERE deleted = 0").Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := d.R.QueryRow("SELECT count(*) FROM events WHERE type = 'contact.imported' AND object_id = ?", rec.ID).Scan(&evs); err != nil {
		t.Fatal(err)
	}
	if total != n || distinct != n || evs != n {
		t.Fatalf("contacts %d, distinct emails %d, imported events %d; want %d each", total, distinct, evs, n)
	}
	var name string
	if err := d.R.QueryRow("SELECT firstname FROM contacts WHERE email = 'u7@x.io'").Scan(&name); err != nil || name != "Again 7" {
		t.Fatalf("duplicate row not merged after resume: %q %v", name, err)
	}
}

// bulkFile writes n rows of new contacts for the bulk kill tests.
func bulkFile(t *testing.T, dir string, n int) string {
	t.Helper()
	p := filepath.Join(dir, "bulk.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "email;firstname;city")
	for i := 0; i < n; i++ {
		fmt.Fprintf(f, "b%d@x.io;Zoé %d;Nîmes\n", i, i)
	}
	f.Close()
	return p
}

// TestKillBulkAndResume: a bulk import into a store that has contacts (the app's path for
// a big file) commits a group of batches per transaction; killed mid-import it keeps whole
// groups with their cursor, the next open rebuilds the indexes it deferred, and a resume
// imports every row once.
func TestKillBulkAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	const n, group = 6000, 500
	dir := t.TempDir()
	p := bulkFile(t, dir, n)
	d, svc := openDir(t, dir)
	ctx := context.Background()
	// One contact already stored: a store without any imports the whole file in one
	// transaction (TestKillOneTransactionAndResume).
	pre := filepath.Join(dir, "pre.csv")
	os.WriteFile(pre, []byte("email\npre@x.io\n"), 0o600)
	if r, err := svc.Create(ctx, pre, imports.Options{}); err != nil || svc.Run(ctx, r.ID, nil) != nil {
		t.Fatalf("the first contact: %v", err)
	}
	rec, err := svc.Create(ctx, p, imports.Options{BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	// Killed past a group's end: a commit per batch would stop at 1,100.
	killChild(t, "TestKillHelper", []string{"MAGPIE_KILL_DIR=" + dir, "MAGPIE_KILL_IMPORT=" + rec.ID, fmt.Sprintf("MAGPIE_KILL_BULK=%d", group)},
		func() bool { return inserted(t, svc, rec.ID) > 1000 })
	d.Close()
	d, svc = openDir(t, dir) // (reopening rebuilds what the dead import deferred)
	defer d.Close()
	mid, _ := svc.Get(ctx, rec.ID)
	var stored int64
	if err := d.R.QueryRow("SELECT count(*) - 1 FROM contacts").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if mid.Status != imports.StatusRunning || stored >= n || stored != mid.Inserted || stored%group != 0 {
		t.Fatalf("after the kill: %d contacts stored, record %+v; want whole groups of %d, the cursor with them", stored, mid, group)
	}
	var idx int
	if err := d.R.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('contacts_firstname', 'contacts_city')").Scan(&idx); err != nil || idx != 2 {
		t.Fatalf("deferred indexes after reopening: %d of 2, %v", idx, err)
	}
	defer imports.SetBulk(1, group)()
	if err := svc.Run(ctx, rec.ID, nil); err != nil {
		t.Fatal(err)
	}
	end, _ := svc.Get(ctx, rec.ID)
	var total, distinct int64
	if err := d.R.QueryRow("SELECT count(*), count(DISTINCT email) FROM contacts WHERE deleted = 0").Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if end.Status != imports.StatusDone || end.Inserted != n || total != n+1 || distinct != n+1 {
		t.Fatalf("after resume: record %+v, %d contacts, %d distinct emails; want %d", end, total, distinct, n+1)
	}
}

// TestKillOneTransactionAndResume: a bulk import into a store without contacts writes the
// whole file in one transaction, with the contacts' insert triggers dropped inside it;
// killed mid-import it leaves no contact, the triggers in place and the deferred indexes
// rebuilt at the next open, and a resume imports every row once and applies the triggers'
// effect.
func TestKillOneTransactionAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	const n = 6000
	dir := t.TempDir()
	p := bulkFile(t, dir, n)
	d, svc := openDir(t, dir)
	ctx := context.Background()
	rec, err := svc.Create(ctx, p, imports.Options{BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	killChild(t, "TestKillHelper", []string{"MAGPIE_KILL_DIR=" + dir, "MAGPIE_KILL_IMPORT=" + rec.ID, "MAGPIE_KILL_BULK=500"}, func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "progress"))
		k, _ := strconv.Atoi(string(b))
		return k > 1000
	})
	if k := inserted(t, svc, rec.ID); k != 0 {
		t.Fatalf("a one-transaction import committed %d rows before the kill", k)
	}
	d.Close()
	d, svc = openDir(t, dir)
	defer d.Close()
	triggers := func() (n int) {
		if err := d.R.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('contacts_order_ins', 'dash_contacts_ins')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var stored, idx int
	if err := d.R.QueryRow("SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('contacts_firstname', 'contacts_city'))").Scan(&stored, &idx); err != nil {
		t.Fatal(err)
	}
	if mid, _ := svc.Get(ctx, rec.ID); stored != 0 || mid.Offset != 0 || mid.Status != imports.StatusRunning || triggers() != 2 || idx != 2 {
		t.Fatalf("after the kill: %d contacts, %d triggers, %d of 2 indexes, record %+v", stored, triggers(), idx, mid)
	}
	defer imports.SetBulk(1, 500)()
	if err := svc.Run(ctx, rec.ID, nil); err != nil {
		t.Fatal(err)
	}
	end, _ := svc.Get(ctx, rec.ID)
	var total, distinct, days int
	if err := d.R.QueryRow("SELECT count(*), count(DISTINCT email), (SELECT count(*) FROM dash_cdirty) FROM contacts").Scan(&total, &distinct, &days); err != nil {
		t.Fatal(err)
	}
	if end.Status != imports.StatusDone || end.Inserted != n || total != n || distinct != n || triggers() != 2 || days == 0 {
		t.Fatalf("after resume: record %+v, %d contacts, %d emails, %d triggers, %d days marked for the dashboard", end, total, distinct, triggers(), days)
	}
}

// An import whose process died is picked up again at the next start (ResumeInterrupted).
func TestResumeInterrupted(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.csv")
	os.WriteFile(p, []byte("email\na@x.io\nb@x.io\n"), 0o600)
	d, err := db.OpenDir(dir, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	runner := jobs.New(d, bus.New())
	svc := imports.New(contacts.New(d, fs), runner, dir)
	ctx := context.Background()
	rec, err := svc.Create(ctx, p, imports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// What a killed process leaves: its job row still "running".
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`INSERT INTO jobs(id, kind, state, run_at, created_at, updated_at) VALUES(?, ?, 'running', 0, 0, 0)`, rec.ID, imports.JobKind)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.ResumeInterrupted(ctx)
	if err != nil || len(got) != 1 || got[0] != rec.ID {
		t.Fatalf("resumed %v, %v", got, err)
	}
	runner.Wait()
	r, _ := svc.Get(ctx, rec.ID)
	if r.Status != imports.StatusDone || r.Inserted != 2 {
		t.Fatalf("after resume: %+v", r)
	}
	if again, _ := svc.ResumeInterrupted(ctx); len(again) != 0 {
		t.Fatalf("a finished import was resumed again: %v", again)
	}
}

// TestKillFreshHelper is the child process of TestRunFreshKilled: it runs one import in a
// side file until killed.
func TestKillFreshHelper(t *testing.T) {
	dir, id := os.Getenv("MAGPIE_KILL_FRESH_DIR"), os.Getenv("MAGPIE_KILL_IMPORT")
	if dir == "" {
		t.Skip("child process of TestRunFreshKilled")
	}
	d, svc := openDir(t, dir)
	defer d.Close()
	progress := filepath.Join(dir, "progress")
	if _, err := svc.RunFresh(context.Background(), id, func(r imports.Record) {
		_ = os.WriteFile(progress, []byte(fmt.Sprint(r.Inserted)), 0o600)
		time.Sleep(20 * time.Millisecond)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestRunFreshKilled: an import killed while it runs in a side file leaves the store as it
// was (no contact, the import not done); the next run removes the dead side file, imports
// every row once and is installed.
func TestRunFreshKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	csv := writeCSV(t, t.TempDir(), 55000) // > 4 MiB: a bulk import
	d, svc := openDir(t, dir)
	ctx := context.Background()
	rec, err := svc.Create(ctx, csv, imports.Options{BatchSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	d.Close() // (a store open in another process is imported in place)
	killChild(t, "TestKillFreshHelper", []string{"MAGPIE_KILL_FRESH_DIR=" + dir, "MAGPIE_KILL_IMPORT=" + rec.ID}, func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "progress"))
		return len(b) > 0 && string(b) != "0" && string(b) != "500"
	})
	d, svc = openDir(t, dir)
	sides, _ := filepath.Glob(d.Path + ".build-*")
	if len(sides) != 1 {
		t.Fatalf("side files after the kill: %v", sides)
	}
	mid, _ := svc.Get(ctx, rec.ID)
	var stored int64
	if err := d.R.QueryRow("SELECT count(*) FROM contacts").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 0 || mid.Inserted != 0 || mid.Status == imports.StatusDone {
		t.Fatalf("the store changed under a side-file import: %d contacts, record %+v", stored, mid)
	}
	side, err := svc.RunFresh(ctx, rec.ID, nil)
	if err != nil || side == "" {
		t.Fatalf("second run: side %q, %v", side, err)
	}
	path := d.Path
	d.Close()
	if err := db.InstallFile(path, side); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(path + ".build-*"); len(left) != 0 {
		t.Fatalf("side files left: %v", left)
	}
	d, svc = openDir(t, dir)
	defer d.Close()
	end, _ := svc.Get(ctx, rec.ID)
	var total, distinct int64
	if err := d.R.QueryRow("SELECT count(*), count(DISTINCT email) FROM contacts").Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if end.Status != imports.StatusDone || end.Inserted != 55000 || total != 55000 || distinct != 55000 {
		t.Fatalf("after the second run: %d contacts, %d emails, record %+v", total, distinct, end)
	}
}
