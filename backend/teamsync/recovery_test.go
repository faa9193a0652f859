package teamsync

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/rqlite/rqlitetest"
)

// §4.2 test 9 (epoch): the cluster is restored from a backup and given a new epoch. Both
// desktops re-bootstrap, keep their pending edits, push back what the cluster lost, and
// converge.
func TestRestoreNewEpoch(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	b := newReplica(t, "b", c, 0, Options{})
	for i := 0; i < 10; i++ {
		a.insert(t, fmt.Sprintf("r%02d", i), db.Cols{"title": "v1"})
	}
	a.sync(t)
	b.sync(t)
	backup := srv.Snapshot()
	for i := 10; i < 20; i++ {
		a.insert(t, fmt.Sprintf("r%02d", i), db.Cols{"title": "v1"})
	}
	a.update(t, "r00", db.Cols{"title": "v2"})
	a.sync(t)
	b.sync(t)
	srv.Restore(backup)
	if _, err := NewEpoch(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	b.update(t, "r01", db.Cols{"body": "pending on b"})
	a.sync(t)
	b.sync(t)
	a.sync(t)
	if a.dump(t) != b.dump(t) || serverState(t, srv) != a.dump(t) {
		t.Fatalf("not converged after restore:\na %s\nb %s\nserver %s", a.dump(t), b.dump(t), serverState(t, srv))
	}
	var n int
	a.d.R.QueryRow(`SELECT count(*) FROM items`).Scan(&n)
	var title, body string
	a.d.R.QueryRow(`SELECT title FROM items WHERE id = 'r00'`).Scan(&title)
	a.d.R.QueryRow(`SELECT body FROM items WHERE id = 'r01'`).Scan(&body)
	if n != 20 || title != "v2" || body != "pending on b" {
		t.Fatalf("rows %d title %q body %q: edits lost in the restore", n, title, body)
	}
	// A desktop that joins now gets everything.
	d := newReplica(t, "d", c, 0, Options{})
	d.sync(t)
	if d.dump(t) != a.dump(t) {
		t.Fatal("new desktop differs")
	}
}

// §4.2 test 9 (compaction): GC never removes rows an active desktop has not pulled; a
// desktop left behind (inactive) re-bootstraps, keeps its pending edit and converges.
func TestCompaction(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	b := newReplica(t, "b", c, 0, Options{})
	late := newReplica(t, "late", c, 0, Options{})
	srv.SetClock(a.clk.Now)
	for i := 0; i < 30; i++ {
		a.insert(t, fmt.Sprintf("r%02d", i), db.Cols{"title": "x"})
		if i%10 == 9 {
			a.sync(t)
			if i < 20 {
				b.sync(t)
			}
			if i < 10 {
				late.sync(t)
			}
		}
	}
	ctx := context.Background()
	future := a.clk.Now().Add(200 * 24 * time.Hour)
	// All three were seen just now: the floor is held back by b's cursor (20).
	floor, _, err := Compact(ctx, c, a.clk.Now().Add(time.Hour), 0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var left int
	srv.DB().QueryRow(`SELECT count(*) FROM change_log WHERE seq >= 11`).Scan(&left)
	if floor != 11 || left != 20 {
		t.Fatalf("floor %d, rows above the late desktop's cursor left %d: GC must stop at min(active pulled_seq)", floor, left)
	}
	// Later, only a and b are active: late is left behind.
	a.clk.Set(future)
	b.clk.Set(future)
	late.clk.Set(future)
	a.sync(t)
	b.sync(t)
	late.update(t, "r00", db.Cols{"body": "late edit"}) // offline, behind the coming floor
	floor, deleted, err := Compact(ctx, c, future.Add(time.Hour), time.Hour, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if deleted == 0 || floor < 30 {
		t.Fatalf("compaction removed %d rows, floor %d", deleted, floor)
	}
	late.sync(t)
	a.sync(t)
	if late.dump(t) != a.dump(t) {
		t.Fatalf("late desktop did not converge:\n%s\n--\n%s", late.dump(t), a.dump(t))
	}
	var body string
	a.d.R.QueryRow(`SELECT body FROM items WHERE id = 'r00'`).Scan(&body)
	if body != "late edit" {
		t.Fatalf("the late desktop's pending edit was lost: %q", body)
	}
}

// §4.2 test 10: an older app against a newer cluster keeps pulling, parks what it does
// not know, stops pushing; after its upgrade it applies the parked cells and pushes.
func TestSchemaMismatch(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	newer := newReplica(t, "newer", c, 0, Options{SchemaVersion: 9000})
	if _, err := newer.d.W.Exec(`ALTER TABLE items ADD COLUMN extra TEXT NOT NULL DEFAULT ''`); err != nil {
		t.Fatal(err)
	}
	older := newReplica(t, "older", c, 0, Options{SchemaVersion: 8000})
	newer.insert(t, "r1", db.Cols{"title": "T", "extra": "E"})
	newer.sync(t)
	older.sync(t)
	st := older.e.Status()
	if !st.NeedsUpgrade || st.Parked != 1 || st.State != StateError {
		t.Fatalf("older status = %+v; want needs-upgrade with one parked change", st)
	}
	var title string
	older.d.R.QueryRow(`SELECT title FROM items WHERE id = 'r1'`).Scan(&title)
	if title != "T" {
		t.Fatalf("older did not apply the columns it knows: %q", title)
	}
	older.update(t, "r1", db.Cols{"title": "from older"})
	older.sync(t)
	if older.outboxCount(t) != 1 {
		t.Fatal("an older app must not push")
	}
	// Upgrade: the column exists now, the app writes the newer schema.
	if _, err := older.d.W.Exec(`ALTER TABLE items ADD COLUMN extra TEXT NOT NULL DEFAULT ''`); err != nil {
		t.Fatal(err)
	}
	older.e.opt.SchemaVersion = 9000
	older.sync(t)
	newer.sync(t)
	var extra string
	older.d.R.QueryRow(`SELECT title, extra FROM items WHERE id = 'r1'`).Scan(&title, &extra)
	if title != "from older" || extra != "E" || older.e.Status().Parked != 0 || older.outboxCount(t) != 0 {
		t.Fatalf("after upgrade: title %q extra %q parked %d", title, extra, older.e.Status().Parked)
	}
	newer.d.R.QueryRow(`SELECT title, extra FROM items WHERE id = 'r1'`).Scan(&title, &extra)
	if title != "from older" || extra != "E" {
		t.Fatalf("newer: title %q extra %q (the old app must keep the new column intact)", title, extra)
	}
}

// A copied database file gets a new site id; the original keeps its own.
func TestCopiedFileGetsNewSite(t *testing.T) {
	a := newReplica(t, "a", nil, 0, Options{})
	site := a.e.Site()
	a.d.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	b, err := os.ReadFile(a.d.Path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/"+db.FileName, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cp := openReplica(t, "copy", dir, nil, 0, Options{})
	if cp.e.Site() == site || cp.e.Site() == "" {
		t.Fatalf("copy kept site %s", site)
	}
	again := openReplica(t, "again", a.dir, nil, 0, Options{})
	if again.e.Site() != site {
		t.Fatal("reopening the original changed its site")
	}
}

func TestLease(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	if err := EnsureSchema(context.Background(), c, 1); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	ok1, err1 := AcquireLease(ctx, c, "worker", "w1", now, 30*time.Second)
	ok2, err2 := AcquireLease(ctx, c, "worker", "w2", now.Add(time.Second), 30*time.Second)
	if !ok1 || ok2 || err1 != nil || err2 != nil {
		t.Fatalf("w1 %v %v, w2 %v %v: exactly one holder", ok1, err1, ok2, err2)
	}
	srv.Inject(rqlitetest.DropAfterCommit) // renewal answered with a cut connection
	if ok, err := AcquireLease(ctx, c, "worker", "w1", now.Add(10*time.Second), 30*time.Second); !ok || err != nil {
		t.Fatalf("renewal: %v %v", ok, err)
	}
	if ok, _ := AcquireLease(ctx, c, "worker", "w2", now.Add(35*time.Second), 30*time.Second); ok {
		t.Fatal("w2 took a renewed lease")
	}
	if ok, _ := AcquireLease(ctx, c, "worker", "w2", now.Add(41*time.Second), 30*time.Second); !ok {
		t.Fatal("w2 could not take an expired lease")
	}
	if err := ReleaseLease(ctx, c, "worker", "w2"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := AcquireLease(ctx, c, "worker", "w1", now.Add(42*time.Second), 30*time.Second); !ok {
		t.Fatal("w1 could not take a released lease")
	}
}

// §4.2 test 13: a desktop process is SIGKILLed at random points while it edits, pushes,
// pulls and applies; after the restarts no acknowledged edit is lost, the cursor never ran
// ahead of the applied data, and everything converges.
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	srv := newServer(t)
	c := newClient(t, srv.URL())
	dir := t.TempDir()
	other := newReplica(t, "other", c, 0, Options{})
	rnd := rand.New(rand.NewSource(time.Now().UnixNano()))
	acked := map[string]bool{}
	for round := 0; round < 6; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
		cmd.Env = append(os.Environ(), "TEAMSYNC_CRASH_DIR="+dir, "TEAMSYNC_CRASH_URL="+srv.URL(),
			fmt.Sprintf("TEAMSYNC_CRASH_ROUND=%d", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done, first := make(chan struct{}), make(chan struct{})
		go func() {
			sc := bufio.NewScanner(out)
			var once sync.Once
			for sc.Scan() {
				if id, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
					acked[id] = true
					once.Do(func() { close(first) })
				}
			}
			close(done)
		}()
		// Meanwhile a teammate pushes, so the child has pages to apply when it dies.
		for i := 0; i < 20; i++ {
			other.insert(t, fmt.Sprintf("o%d-%d", round, i), db.Cols{"title": "o"})
		}
		other.sync(t)
		// Kill at a random point after the child is up (a loaded machine can take seconds
		// to start a race-instrumented test binary).
		select {
		case <-first:
		case <-done:
		case <-time.After(60 * time.Second):
		}
		time.Sleep(time.Duration(150+rnd.Intn(400)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		cmd.Wait()
	}
	if len(acked) == 0 {
		t.Fatal("the child acknowledged nothing")
	}
	a := openReplica(t, "restarted", dir, c, 0, Options{PageSize: 1000})
	// The cursor never ran ahead: everything at or below it is applied locally.
	cur, _ := a.e.metaInt(context.Background(), keyCursor)
	var missing int
	srv.DB().QueryRow(`SELECT count(*) FROM change_log WHERE seq <= ? AND site_id != ?`, cur, a.e.Site()).Scan(&missing)
	rows, _ := srv.DB().Query(`SELECT row_id FROM change_log WHERE seq <= ? AND site_id != ?`, cur, a.e.Site())
	for rows.Next() {
		var id string
		rows.Scan(&id)
		var n int
		a.d.R.QueryRow(`SELECT count(*) FROM items WHERE id = ?`, id).Scan(&n)
		if n == 0 {
			t.Errorf("row %s is below the cursor %d but not applied", id, cur)
		}
	}
	rows.Close()
	a.sync(t)
	other.sync(t)
	for id := range acked {
		var n int
		other.d.R.QueryRow(`SELECT count(*) FROM items WHERE id = ?`, id).Scan(&n)
		if n != 1 {
			t.Errorf("acknowledged edit %s lost", id)
		}
	}
	if a.dump(t) != other.dump(t) {
		t.Fatal("restarted desktop differs from its teammate")
	}
	t.Logf("%d acknowledged edits across 6 kills, %d teammate changes checked below the cursor", len(acked), missing)
}

// TestCrashChild is the process TestCrashConsistency kills: edit, sync, repeat.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("TEAMSYNC_CRASH_DIR")
	if dir == "" {
		t.Skip("only run by TestCrashConsistency")
	}
	c := newClient(t, os.Getenv("TEAMSYNC_CRASH_URL"))
	r := openReplica(t, "child", dir, c, 0, Options{PushBatch: 7, PageSize: 5})
	round := os.Getenv("TEAMSYNC_CRASH_ROUND")
	for i := 0; ; i++ {
		id := fmt.Sprintf("c%s-%d", round, i)
		r.insert(t, id, db.Cols{"title": id, "n": int64(i)})
		fmt.Printf("ACK %s\n", id)
		if i%3 == 0 {
			r.e.SyncOnce(context.Background())
		}
	}
}
