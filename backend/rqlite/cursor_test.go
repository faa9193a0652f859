package rqlite_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"magpie/backend/rqlite"
	"magpie/backend/rqlite/rqlitetest"
)

// SYNC.md §4.2 test 8: concurrent writers and tailing readers (a leader at weak, a
// lagging follower at none) see every row exactly once, in order, with a cursor on an
// AUTOINCREMENT seq — even while the max row is deleted and re-inserted. The negative
// control, a plain INTEGER PRIMARY KEY, must be caught skipping a row.
func TestCursorSafety(t *testing.T) {
	for _, tc := range []struct {
		name    string
		autoinc bool
	}{{"autoincrement", true}, {"plain-rowid-negative-control", false}} {
		t.Run(tc.name, func(t *testing.T) {
			missing, nonMono := cursorRun(t, tc.autoinc)
			if tc.autoinc && (missing != 0 || nonMono != 0) {
				t.Fatalf("missing %d, non-monotonic %d; want 0", missing, nonMono)
			}
			if !tc.autoinc && missing == 0 {
				t.Fatal("the negative control did not detect the skipped row: the test cannot fail")
			}
			t.Logf("missing %d, non-monotonic %d", missing, nonMono)
		})
	}
}

func cursorRun(t *testing.T, autoinc bool) (missing, nonMono int) {
	srv := rqlitetest.New(t, rqlitetest.Options{Nodes: 2, Lag: 3})
	ai := ""
	if autoinc {
		ai = " AUTOINCREMENT"
	}
	if err := srv.Exec("CREATE TABLE log(seq INTEGER PRIMARY KEY" + ai + ", w TEXT NOT NULL UNIQUE)"); err != nil {
		t.Fatal(err)
	}
	urls := srv.URLs()
	leader := newClient(t, rqlite.Config{URLs: urls[:1]})
	follower := newClient(t, rqlite.Config{URLs: urls[1:]})
	ctx := context.Background()
	ins := func(w string) {
		if _, err := leader.Execute(ctx, true, rqlite.S("INSERT INTO log(w) VALUES(?)", w)); err != nil {
			t.Error(err)
		}
	}
	type reader struct {
		c      *rqlite.Client
		level  rqlite.Level
		cursor int64
		seen   map[string]bool
		bad    int
	}
	readers := []*reader{{c: leader, level: rqlite.Weak, seen: map[string]bool{}}, {c: follower, level: rqlite.None, seen: map[string]bool{}}}
	tail := func(r *reader) {
		res, err := r.c.Query(ctx, r.level, rqlite.S("SELECT seq, w FROM log WHERE seq > ? ORDER BY seq LIMIT 7", r.cursor))
		if err != nil {
			t.Error(err)
			return
		}
		for _, row := range res[0].Values {
			seq := row[0].(int64)
			if seq <= r.cursor {
				r.bad++
			}
			r.cursor = seq
			r.seen[row[1].(string)] = true
		}
	}
	// Deterministic opening: readers reach the max row, it is deleted, a new row comes.
	for i := 0; i < 3; i++ {
		ins(fmt.Sprintf("init%d", i))
	}
	for k := 0; k < 6; k++ { // the follower lags: let it catch up with more writes
		tail(readers[0])
	}
	if _, err := leader.Execute(ctx, true, rqlite.S("DELETE FROM log WHERE seq = (SELECT max(seq) FROM log)")); err != nil {
		t.Fatal(err)
	}
	ins("after-delete")
	// Then 3 writers and the 2 tailing readers run concurrently.
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 150; i++ {
				ins(fmt.Sprintf("w%d-%d", w, i))
			}
		}(w)
	}
	stop := make(chan struct{})
	var rg sync.WaitGroup
	for _, r := range readers {
		rg.Add(1)
		go func(r *reader) {
			defer rg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					tail(r)
				}
			}
		}(r)
	}
	wg.Wait()
	for i := 0; i < 4; i++ { // let the lagging follower see the end
		ins(fmt.Sprintf("tail%d", i))
	}
	close(stop)
	rg.Wait()
	for _, r := range readers {
		for k := 0; k < 200; k++ {
			tail(r)
		}
	}
	res, err := leader.Query(ctx, rqlite.Strong, rqlite.S("SELECT w FROM log WHERE w NOT LIKE 'tail%'"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range readers {
		for _, row := range res[0].Values {
			if !r.seen[row[0].(string)] {
				missing++
			}
		}
		nonMono += r.bad
	}
	return missing, nonMono
}
