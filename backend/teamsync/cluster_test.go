package teamsync

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/rqlite/rqlitetest"
)

// Three desktops, each talking to a different node of a 3-node cluster (real rqlited
// processes when $RQLITED names the binary, else the stand-in), edit, delete and undelete
// the same rows offline in random order, then sync to quiescence: every desktop ends with
// the same rows and clocks, and a fourth desktop bootstrapped from the cluster too. Only the
// public HTTP API is used, so the test is the same on both.
func TestDesktopsConvergeOnCluster(t *testing.T) {
	cl := rqlitetest.StartCluster(t, 3)
	urls := cl.URLs()
	rnd := rand.New(rand.NewSource(5))
	var reps []*replica
	for i := 0; i < 3; i++ {
		// Each desktop starts on another node (forwarded writes, follower reads).
		order := append(append([]string(nil), urls[i:]...), urls[:i]...)
		reps = append(reps, newReplica(t, fmt.Sprint("d", i), newClient(t, order...), time.Duration(i-1)*time.Hour, Options{NoClockCorrection: true}))
	}
	ctx := context.Background()
	syncAll := func() {
		for round := 0; round < 3; round++ {
			for _, r := range reps {
				deadline := time.Now().Add(20 * time.Second)
				for r.e.SyncOnce(ctx) != nil && time.Now().Before(deadline) {
					time.Sleep(100 * time.Millisecond) // a node still joining or electing
				}
			}
		}
	}
	syncAll()
	for i := 0; i < 20; i++ {
		reps[i%3].insert(t, fmt.Sprintf("r%02d", i), db.Cols{"title": fmt.Sprint("t", i), "n": int64(i)})
	}
	syncAll()
	for step := 0; step < 150; step++ {
		r := reps[rnd.Intn(3)]
		id := fmt.Sprintf("r%02d", rnd.Intn(20))
		switch rnd.Intn(6) {
		case 0:
			r.del(t, id, false)
		case 1:
			r.del(t, id, true)
		case 2, 3:
			r.update(t, id, db.Cols{"title": fmt.Sprint(r.name, "-", step)})
		default:
			r.update(t, id, db.Cols{"body": fmt.Sprint("b", step), "n": int64(step)})
		}
		if rnd.Intn(25) == 0 {
			r.e.SyncOnce(ctx) // some desktops come online midway
		}
	}
	syncAll()
	want := reps[0].dump(t)
	for _, r := range reps[1:] {
		if got := r.dump(t); got != want {
			t.Fatalf("%s differs from d0:\n%s\nvs\n%s", r.name, got, want)
		}
	}
	if reps[0].clocks(t) != reps[1].clocks(t) || reps[0].clocks(t) != reps[2].clocks(t) {
		t.Fatal("clocks differ")
	}
	fresh := newReplica(t, "fresh", newClient(t, urls...), 0, Options{NoClockCorrection: true})
	deadline := time.Now().Add(20 * time.Second)
	for fresh.e.SyncOnce(ctx) != nil && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := fresh.dump(t); got != want {
		t.Fatalf("a new desktop bootstrapped from the cluster differs:\n%s\nvs\n%s", got, want)
	}
}
