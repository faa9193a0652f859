package teamsync

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"

	"magpie/backend/db"
	"magpie/backend/rqlite/rqlitetest"
)

// rt adapts a rapid.T to the helpers (temp dirs under the real test's).
type rt struct {
	*rapid.T
	base string
}

func (r rt) TempDir() string {
	d, err := os.MkdirTemp(r.base, "case")
	if err != nil {
		r.Fatal(err)
	}
	return d
}

// write is one local edit as the oracle sees it.
type write struct {
	row  string
	cols db.Cols
	hlc  int64
	site string
}

// lastWrite reads the change the replica just recorded.
func lastWrite(t tb, r *replica) write {
	var w write
	var raw string
	err := r.d.R.QueryRow(`SELECT row_id, cols, hlc, site FROM sync_outbox ORDER BY seq DESC LIMIT 1`).Scan(&w.row, &raw, &w.hlc, &w.site)
	if err != nil {
		t.Fatal(err)
	}
	if w.cols, err = decodeCols(raw); err != nil {
		t.Fatal(err)
	}
	return w
}

// oracle computes each cell as the write with the greatest (hlc, site) among all writes.
func oracle(writes []write) string {
	type cell struct {
		v    any
		hlc  int64
		site string
	}
	rows := map[string]map[string]cell{}
	for _, w := range writes {
		if rows[w.row] == nil {
			rows[w.row] = map[string]cell{}
		}
		for k, v := range w.cols {
			cur, ok := rows[w.row][k]
			if !ok || w.hlc > cur.hlc || (w.hlc == cur.hlc && w.site > cur.site) {
				rows[w.row][k] = cell{v, w.hlc, w.site}
			}
		}
	}
	ids := make([]string, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := ""
	for _, id := range ids {
		r := rows[id]
		get := func(k string, def any) any {
			if c, ok := r[k]; ok && c.v != nil {
				return c.v
			}
			return def
		}
		out += fmt.Sprintf("%s|%v|%v|%v|%v|%v\n", id, get("title", ""), get("body", ""), get("n", int64(0)),
			get("deleted", int64(0)), get("deleted_at", int64(-1)))
	}
	return out
}

// TestConvergence is SYNC.md §4.2 test 1: 2–8 replicas with clock offsets of ±6 h make
// random edits, deletes and undeletes, push and pull in random sizes, re-receive old pages,
// crash between push and its acknowledgement and between apply and cursor save,
// re-bootstrap, and meet random cluster faults. After syncing to quiescence every replica
// and the cluster hold the same rows and clocks, each cell is the oracle's winner, and
// every replica's HLC only went forward. 3 × rapid.checks cases (300 by default).
func TestConvergence(t *testing.T) {
	batches := 3
	if testing.Short() {
		batches = 1
	}
	for b := 0; b < batches; b++ {
		t.Run(strconv.Itoa(b), func(t *testing.T) {
			base := t.TempDir()
			rapid.Check(t, func(r *rapid.T) { convergenceCase(rt{r, base}) })
		})
	}
}

func convergenceCase(t rt) {
	ctx := context.Background()
	srv := rqlitetest.New(t, rqlitetest.Options{})
	c := newClient(t, srv.URL())
	n := rapid.IntRange(2, 8).Draw(t.T, "replicas")
	correct := rapid.Bool().Draw(t.T, "clockCorrection")
	reps := make([]*replica, n)
	lastHLC := make([]int64, n)
	for i := range reps {
		off := time.Duration(rapid.IntRange(-360, 360).Draw(t.T, "offsetMin")) * time.Minute
		reps[i] = newReplica(t, fmt.Sprintf("r%d", i), c, off, Options{NoClockCorrection: !correct})
	}
	srv.SetClock(reps[0].clk.Now)
	var writes []write
	rowIDs := []string{"a", "b", "c", "d", "e"}
	exists := func(r *replica, id string) (bool, bool) {
		var del int
		err := r.d.R.QueryRow(`SELECT deleted FROM items WHERE id = ?`, id).Scan(&del)
		return err == nil, del == 1
	}
	record := func(i int) {
		w := lastWrite(t, reps[i])
		if w.hlc <= lastHLC[i] {
			t.Fatalf("replica %d: HLC went from %d to %d", i, lastHLC[i], w.hlc)
		}
		lastHLC[i] = w.hlc
		writes = append(writes, w)
	}
	steps := rapid.IntRange(5, 60).Draw(t.T, "steps")
	for s := 0; s < steps; s++ {
		i := rapid.IntRange(0, n-1).Draw(t.T, "replica")
		r := reps[i]
		id := rapid.SampledFrom(rowIDs).Draw(t.T, "row")
		switch op := rapid.IntRange(0, 12).Draw(t.T, "op"); op {
		case 0, 1, 2: // create or update a random subset of columns
			cols := db.Cols{}
			for _, k := range itemCols {
				if rapid.Bool().Draw(t.T, "has_"+k) {
					if k == "n" {
						cols[k] = int64(rapid.IntRange(-5, 5).Draw(t.T, "n"))
					} else {
						cols[k] = rapid.SampledFrom([]string{"x", "y", "z", "Émile", ""}).Draw(t.T, k)
					}
				}
			}
			if len(cols) == 0 {
				cols["n"] = int64(s)
			}
			if ok, _ := exists(r, id); ok {
				r.update(t, id, cols)
			} else {
				r.insert(t, id, cols)
			}
			record(i)
		case 3: // delete or undelete
			if ok, del := exists(r, id); ok {
				r.del(t, id, del)
				record(i)
			}
		case 4, 5: // push a batch of random size, maybe "crashing" before the acknowledgement
			r.e.opt.PushBatch = rapid.IntRange(1, 10).Draw(t.T, "batch")
			if rapid.IntRange(0, 4).Draw(t.T, "crashPush") == 0 {
				r.e.afterSend = func() error { return errCrash }
			}
			r.e.SyncOnce(ctx)
			r.e.afterSend = nil
		case 6, 7: // pull one page of random size, maybe crashing before the cursor is saved
			r.e.opt.PageSize = rapid.IntRange(1, 10).Draw(t.T, "page")
			if rapid.IntRange(0, 4).Draw(t.T, "crashPull") == 0 {
				r.e.beforeSaved = func() error { return errCrash }
			}
			r.e.pullPage(ctx, c)
			r.e.beforeSaved = nil
		case 8: // an old page arrives again
			cur, _ := r.e.metaInt(ctx, keyCursor)
			back := int64(rapid.IntRange(0, 10).Draw(t.T, "rewind"))
			r.d.SetMeta(ctx, keyCursor, strconv.FormatInt(max(0, cur-back), 10))
		case 9: // re-bootstrap
			if ep, _ := r.d.Meta(ctx, keyEpoch); ep != "" {
				if err := r.e.Bootstrap(ctx, c); err != nil {
					t.Fatalf("bootstrap: %v", err)
				}
			}
		case 10: // wall clock moves, sometimes backwards
			d := time.Duration(rapid.IntRange(-3600, 7200).Draw(t.T, "tick")) * time.Second
			r.clk.Advance(d)
		case 11: // the cluster fails the next write
			srv.Inject(rapid.SampledFrom([]rqlitetest.Fault{rqlitetest.DropAfterCommit, rqlitetest.ErrorNoCommit,
				rqlitetest.Unavailable, rqlitetest.Refused}).Draw(t.T, "fault"))
		case 12:
			r.e.SyncOnce(ctx)
		}
	}
	// Quiescence: no faults, everyone syncs until nothing moves.
	srv.Chaos(1, nil)
	for round := 0; round < 6; round++ {
		for _, r := range reps {
			r.e.opt.PushBatch, r.e.opt.PageSize = 500, 1000
			if err := r.e.SyncOnce(ctx); err != nil {
				if round == 5 {
					t.Fatalf("%s: final sync: %v", r.name, err)
				}
			}
		}
	}
	want := oracle(writes)
	for _, r := range reps {
		if got := r.dump(t); got != want {
			t.Fatalf("%s differs from the oracle:\n got %q\nwant %q", r.name, got, want)
		}
		if r.clocks(t) != reps[0].clocks(t) {
			t.Fatalf("%s clocks differ from r0", r.name)
		}
		if r.outboxCount(t) != 0 {
			t.Fatalf("%s still has pending changes", r.name)
		}
		var hidden int
		r.d.R.QueryRow(`SELECT count(*) FROM items WHERE deleted = 1`).Scan(&hidden)
	}
	if got := serverState(t, srv); got != want {
		t.Fatalf("cluster state differs from the oracle:\n got %q\nwant %q", got, want)
	}
	for _, r := range reps {
		r.e.SetClient(nil)
		r.d.Close()
	}
	srv.Close()
}
