package teamsync

import (
	"context"
	"fmt"
	"math/rand"
	"strconv"
	"testing"
	"time"

	"magpie/backend/clock"
	"magpie/backend/db"
	"magpie/backend/internal/testenv"
	"magpie/backend/rqlite"
	"magpie/backend/rqlite/rqlitetest"
)

// SYNC.md §4.2 test 2: A edits 1,000 rows over three offline days while B edits 200 of
// them online; then a causally later edit by A wins although A's clock is 3 h behind.
func TestOfflineThreeDays(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{NoClockCorrection: true, PageSize: 500})
	b := newReplica(t, "b", c, 0, Options{NoClockCorrection: true, PageSize: 500})
	for i := 0; i < 1000; i++ {
		a.insert(t, fmt.Sprintf("r%04d", i), db.Cols{"title": "t0", "body": "b0"})
	}
	a.sync(t)
	b.sync(t)
	var writes []write
	for i := 0; i < 1000; i++ { // A offline, over 3 days: titles of all rows
		a.clk.Advance(259 * time.Second)
		a.update(t, fmt.Sprintf("r%04d", i), db.Cols{"title": "a" + strconv.Itoa(i)})
		writes = append(writes, lastWrite(t, a))
	}
	for i := 0; i < 1000; i += 5 { // B online: body of 200 rows, title of 100 of them
		b.clk.Advance(20 * time.Minute)
		cols := db.Cols{"body": "b" + strconv.Itoa(i)}
		if i%10 == 0 {
			cols["title"] = "B" + strconv.Itoa(i)
		}
		b.update(t, fmt.Sprintf("r%04d", i), cols)
		writes = append(writes, lastWrite(t, b))
		if i%100 == 0 {
			b.sync(t)
		}
	}
	b.sync(t)
	a.sync(t)
	b.sync(t)
	if a.dump(t) != b.dump(t) {
		t.Fatal("a and b differ after sync")
	}
	// Check each cell against the oracle of these writes (the initial inserts lose everywhere).
	want := map[string][2]string{}
	type clk struct {
		h    int64
		site string
	}
	best := map[string]clk{}
	for _, w := range writes {
		for k, v := range w.cols {
			key := w.row + "." + k
			cur, ok := best[key]
			if !ok || w.hlc > cur.h || (w.hlc == cur.h && w.site > cur.site) {
				best[key] = clk{w.hlc, w.site}
				e := want[w.row]
				if k == "title" {
					e[0] = v.(string)
				} else {
					e[1] = v.(string)
				}
				want[w.row] = e
			}
		}
	}
	rows, _ := a.d.R.Query(`SELECT id, title, body FROM items`)
	n := 0
	for rows.Next() {
		var id, title, body string
		rows.Scan(&id, &title, &body)
		e := want[id]
		if title != e[0] || (e[1] != "" && body != e[1]) || (e[1] == "" && body != "b0") {
			t.Errorf("%s = %q/%q, want %q/%q", id, title, body, e[0], e[1])
		}
		n++
	}
	rows.Close()
	if n != 1000 {
		t.Fatalf("%d rows", n)
	}
	// A's clock is 3 h behind B's now; A edits r0000 after having pulled B's edit: A wins.
	a.clk.Set(b.clk.Now().Add(-3 * time.Hour))
	a.update(t, "r0000", db.Cols{"title": "after"})
	a.sync(t)
	b.sync(t)
	var got string
	b.d.R.QueryRow(`SELECT title FROM items WHERE id = 'r0000'`).Scan(&got)
	if got != "after" {
		t.Fatalf("causally later edit lost: %q", got)
	}
}

// §4.2 test 4(a) and 5: a 3-node cluster loses its leader mid-push, then the desktop is cut
// off for a while, then the cluster runs in a minority partition. Every change lands
// exactly once; nothing acknowledged is lost.
func TestLeaderKillPartitionMinority(t *testing.T) {
	srv := rqlitetest.New(t, rqlitetest.Options{Nodes: 3})
	srv.SetClock(func() time.Time { return time.Now() })
	c := newClient(t, srv.URLs()...)
	a := newReplica(t, "a", c, 0, Options{PushBatch: 20})
	b := newReplica(t, "b", c, 0, Options{})
	ctx := context.Background()
	edit := func(from, to int) {
		for i := from; i < to; i++ {
			a.insert(t, fmt.Sprintf("r%04d", i), db.Cols{"title": strconv.Itoa(i), "n": int64(i)})
		}
	}
	edit(0, 100)
	a.e.SyncOnce(ctx)
	edit(100, 200)
	srv.KillLeader(4)
	for i := 0; i < 20 && a.outboxCount(t) > 0; i++ {
		a.e.SyncOnce(ctx)
	}
	srv.Revive()
	// Partition: edits keep working offline, the outbox grows.
	srv.Partition(true)
	edit(200, 300)
	if err := a.e.SyncOnce(ctx); err == nil {
		t.Fatal("sync succeeded through a partition")
	}
	if st := a.e.Status(); st.State != StateOffline || st.Pending != 100 {
		t.Fatalf("status during partition = %+v", st)
	}
	srv.Partition(false)
	srv.Minority(true)
	edit(300, 320)
	a.e.SyncOnce(ctx)
	srv.Minority(false)
	for i := 0; i < 5 && a.outboxCount(t) > 0; i++ {
		a.e.SyncOnce(ctx)
	}
	b.sync(t)
	var rows, distinct int
	srv.DB().QueryRow(`SELECT count(*), count(DISTINCT change_id) FROM change_log`).Scan(&rows, &distinct)
	if rows != 320 || distinct != 320 || a.outboxCount(t) != 0 {
		t.Fatalf("change_log = %d (distinct %d), outbox %d; want 320 exactly once", rows, distinct, a.outboxCount(t))
	}
	if a.dump(t) != b.dump(t) {
		t.Fatal("replicas differ")
	}
	if _, _, f := srv.Stats(); f == 0 {
		t.Fatal("no fault happened")
	}
}

// §4.2 test 4(b) on a real cluster when $RQLITED is set, else on the stand-in: push while
// the leader is killed three times; 0 lost, 0 duplicated.
func TestLeaderKillCluster(t *testing.T) {
	cl := rqlitetest.StartCluster(t, 3)
	c := newClient(t, cl.URLs()...)
	a := newReplica(t, "a", c, 0, Options{PushBatch: 100})
	total := 3000
	if !cl.Real() {
		total = 600
	}
	ctx := context.Background()
	for k := 0; k < 3; k++ {
		for i := k * total / 3; i < (k+1)*total/3; i++ {
			a.insert(t, fmt.Sprintf("r%05d", i), db.Cols{"n": int64(i)})
		}
		a.e.SyncOnce(ctx)
		cl.KillLeader(t)
	}
	deadline := time.Now().Add(30 * time.Second)
	for a.outboxCount(t) > 0 && time.Now().Before(deadline) {
		if a.e.SyncOnce(ctx) != nil {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if a.outboxCount(t) != 0 {
		t.Fatalf("outbox not drained: %d", a.outboxCount(t))
	}
	b := newReplica(t, "b", c, 0, Options{PageSize: 1000})
	for i := 0; i < 50 && b.e.SyncOnce(ctx) != nil; i++ {
		time.Sleep(100 * time.Millisecond) // the cluster is still electing
	}
	var n int
	b.d.R.QueryRow(`SELECT count(*) FROM items`).Scan(&n)
	if n != total || b.dump(t) != a.dump(t) {
		t.Fatalf("b has %d rows, want %d", n, total)
	}
}

// §4.2 test 6: the same batch pushed up to 5 times and pages applied overlapping, repeated
// and out of order give exactly the state of one clean delivery.
func TestIdempotentDelivery(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	for i := 0; i < 30; i++ {
		a.insert(t, fmt.Sprintf("r%02d", i), db.Cols{"title": "v1", "n": int64(i)})
		if i%3 == 0 {
			a.update(t, fmt.Sprintf("r%02d", i), db.Cols{"title": "v2"})
		}
		if i%7 == 0 {
			a.del(t, fmt.Sprintf("r%02d", i), false)
		}
	}
	a.e.afterSend = func() error { return errCrash }
	for k := 0; k < 4; k++ {
		a.e.SyncOnce(context.Background()) // acknowledged but "crashed": resent
	}
	a.e.afterSend = nil
	a.sync(t)
	var rows int
	srv.DB().QueryRow(`SELECT count(*) FROM change_log`).Scan(&rows)
	if rows != 45 {
		t.Fatalf("change_log has %d rows, want 45 (no duplicates)", rows)
	}
	clean := newReplica(t, "clean", c, 0, Options{})
	clean.sync(t)
	// Another replica receives the pages in random order, overlapping and repeated.
	res, err := c.Query(context.Background(), rqlite.Weak, rqlite.S(`SELECT seq, change_id, site_id, tbl, row_id, cols, hlc, schema_ver FROM change_log ORDER BY seq`))
	if err != nil {
		t.Fatal(err)
	}
	var all []change
	for _, row := range res[0].Values {
		ch, err := parseChange(row)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ch)
	}
	rnd := rand.New(rand.NewSource(7))
	messy := newReplica(t, "messy", nil, 0, Options{})
	for k := 0; k < 5; k++ {
		i := rnd.Intn(len(all))
		j := i + rnd.Intn(len(all)-i)
		page := append([]change(nil), all[i:j+1]...)
		rnd.Shuffle(len(page), func(x, y int) { page[x], page[y] = page[y], page[x] })
		applyPage(t, messy, page)
	}
	shuffled := append([]change(nil), all...)
	rnd.Shuffle(len(shuffled), func(x, y int) { shuffled[x], shuffled[y] = shuffled[y], shuffled[x] })
	applyPage(t, messy, shuffled)
	applyPage(t, messy, all)
	if messy.dump(t) != clean.dump(t) || messy.clocks(t) != clean.clocks(t) {
		t.Fatalf("messy delivery differs:\n%s\nclean:\n%s", messy.dump(t), clean.dump(t))
	}
	if clean.dump(t) != a.dump(t) {
		t.Fatal("clean replica differs from the author")
	}
}

func applyPage(t *testing.T, r *replica, page []change) {
	t.Helper()
	r.write(t, func(tx *db.Tx) error {
		m := r.e.newMerger(tx)
		for _, ch := range page {
			if err := m.apply(ch); err != nil {
				return err
			}
		}
		return m.retryParked()
	})
}

// §4.2 test 7: replicas at +3 h, −3 h and 0.
func TestClockSkew(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	opt := Options{NoClockCorrection: true}
	ahead := newReplica(t, "ahead", c, 3*time.Hour, opt)
	behind := newReplica(t, "behind", c, -3*time.Hour, opt)
	zero := newReplica(t, "zero", c, 0, opt)
	ahead.insert(t, "r1", db.Cols{"title": "ahead"})
	ahead.sync(t)
	behind.sync(t)
	behind.update(t, "r1", db.Cols{"title": "behind-later"}) // causally after: wins
	behind.sync(t)
	zero.sync(t)
	ahead.sync(t)
	for _, r := range []*replica{ahead, behind, zero} {
		var got string
		r.d.R.QueryRow(`SELECT title FROM items WHERE id = 'r1'`).Scan(&got)
		if got != "behind-later" {
			t.Fatalf("%s: title %q; the causally later edit must win whatever the skew", r.name, got)
		}
	}
	// A backward jump of the wall clock never makes the HLC go back.
	before := zero.e.HLC()
	zero.clk.Advance(-time.Hour)
	zero.update(t, "r1", db.Cols{"body": "x"})
	if w := lastWrite(t, zero); w.hlc <= before {
		t.Fatalf("HLC went back: %d after %d", w.hlc, before)
	}
	// A teammate 30 h ahead: parked and not adopted.
	wild := newReplica(t, "wild", c, 30*time.Hour, opt)
	wild.sync(t)
	wild.update(t, "r1", db.Cols{"title": "from the future"})
	wild.sync(t)
	hlcBefore := zero.e.HLC()
	zero.sync(t)
	var got string
	zero.d.R.QueryRow(`SELECT title FROM items WHERE id = 'r1'`).Scan(&got)
	if got == "from the future" || zero.e.Status().Parked != 1 {
		t.Fatalf("title %q, parked %d: a change 30 h ahead must be parked", got, zero.e.Status().Parked)
	}
	if ms, _ := clock.Unpack(zero.e.HLC()); ms > zero.clk.Now().Add(4*time.Hour).UnixMilli() || zero.e.HLC() < hlcBefore {
		t.Fatal("the far-future clock was adopted")
	}
	// Once the clock catches up, the parked change applies.
	zero.clk.Advance(10 * time.Hour)
	zero.sync(t)
	zero.d.R.QueryRow(`SELECT title FROM items WHERE id = 'r1'`).Scan(&got)
	if got != "from the future" || zero.e.Status().Parked != 0 {
		t.Fatalf("after catching up: title %q parked %d", got, zero.e.Status().Parked)
	}
}

// §4.2 test 12 through the engine: integers at the edges survive a full round trip.
func TestIntegerFidelityEndToEnd(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	b := newReplica(t, "b", c, 0, Options{})
	vals := []int64{1<<53 + 1, 1<<63 - 1, -1 << 63, clock.MaxHLC}
	for i, v := range vals {
		a.insert(t, "r"+strconv.Itoa(i), db.Cols{"n": v})
	}
	a.sync(t)
	b.sync(t)
	for i, v := range vals {
		var got int64
		b.d.R.QueryRow(`SELECT n FROM items WHERE id = ?`, "r"+strconv.Itoa(i)).Scan(&got)
		if got != v {
			t.Errorf("n = %d, want %d", got, v)
		}
	}
}

// A cluster whose clock is 10 minutes ahead: the status warns about the difference, and the
// last sync time shown to the user is this computer's own clock, not the cluster's (it
// showed a time 10 minutes in the future).
func TestSkewedClusterStatus(t *testing.T) {
	for _, off := range []time.Duration{10 * time.Minute, -10 * time.Minute, 30 * time.Second} {
		srv := rqlitetest.New(t, rqlitetest.Options{})
		srv.SetClock(func() time.Time { return testenv.Epoch.Add(off) })
		c := newClient(t, srv.URL())
		r := newReplica(t, "r", c, 0, Options{})
		r.insert(t, "r1", db.Cols{"title": "x"})
		r.sync(t)
		st := r.e.Status()
		if want := off.Abs() > skewWarn; st.SkewWarning != want {
			t.Errorf("offset %v: skew warning %v (clock skew %d ms), want %v", off, st.SkewWarning, st.ClockSkewMs, want)
		}
		if now := r.clk.Now().UnixMilli(); st.LastSyncMs != now {
			t.Errorf("offset %v: last sync %d, want our clock's %d (%+d ms)", off, st.LastSyncMs, now, st.LastSyncMs-now)
		}
	}
}
