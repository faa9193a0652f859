package events_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
)

// runCarried runs steps in transactions of 9 with the catch-up's Carry (merges and plain
// Appends among them, as in run), then writes what it carries. Modes: "memory" writes from
// memory; "failed" has one transaction fail midway and distrusts memory halfway (Failed:
// the rest from the log); "killed" drops the Carry after the steps, as a killed process
// does, and RecoverCarried writes what the owed ranges say.
func runCarried(t *testing.T, d *db.DB, steps []step, mode string) {
	t.Helper()
	ctx := context.Background()
	c, err := events.NewCarry(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	boom := errors.New("boom")
	for i := 0; i < len(steps); i += 9 {
		part := steps[i:min(i+9, len(steps))]
		if mode == "failed" && i == 27 {
			// A failed transaction leaves nothing behind, in the store or in memory.
			err := d.Write(ctx, func(tx *db.Tx) error {
				b, err := c.Batch(tx)
				if err != nil {
					return err
				}
				for _, s := range part {
					if !s.merge {
						if _, err := b.Append(s.ev); err != nil {
							return err
						}
					}
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			c.Abort()
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			b, err := c.Batch(tx)
			if err != nil {
				return err
			}
			for _, s := range part {
				switch {
				case s.merge:
					if err = events.Settle(tx, s.winner, s.loser); err != nil {
						return err
					}
					if _, err = tx.Exec("UPDATE events SET contact_id = ? WHERE contact_id = ?", s.winner, s.loser); err == nil {
						err = events.MoveAggregates(tx, s.winner, s.loser)
					}
				case s.direct:
					_, err = events.Append(tx, s.ev)
				default:
					_, err = b.Append(s.ev)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			c.Abort()
			t.Fatal(err)
		}
		c.Commit()
		if mode == "failed" && i == 54 {
			c.Failed()
		}
	}
	if mode == "killed" {
		c.Close()
		if err := events.RecoverCarried(ctx, d); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := d.Write(ctx, c.Write); err != nil {
		t.Fatal(err)
	}
	c.Written()
}

// A catch-up's carried aggregates, written once at the end (from memory, partly from the
// log after a failure, or from the log after a kill), are exactly what appending the same
// events one by one leaves; nothing stays owed.
func TestCarryMatchesAppend(t *testing.T) {
	for _, mode := range []string{"memory", "failed", "killed"} {
		for seed := int64(1); seed <= 12; seed++ {
			t.Run(fmt.Sprint(mode, seed), func(t *testing.T) {
				before, during := scenario(seed, 120)
				one, _ := testenv.NewDB(t)
				carried, _ := testenv.NewDB(t)
				run(t, one, before, false)
				run(t, carried, before, false)
				run(t, one, during, false)
				runCarried(t, carried, during, mode)
				a, b := aggregates(t, one), aggregates(t, carried)
				if a != b {
					t.Fatalf("one by one:\n%s\ncarried (%s):\n%s", a, mode, b)
				}
				var owed int
				carried.R.QueryRow("SELECT (SELECT count(*) FROM event_agg_ranges) + (SELECT count(*) FROM event_agg_settled)").Scan(&owed)
				if owed != 0 {
					t.Fatalf("%d rows still owed", owed)
				}
			})
		}
	}
}

// What a catch-up owes is written by RecoverCarried only when the process that carries it
// is gone: a live other process (pid 1 here) sharing the store writes it itself.
func TestRecoverCarriedLeavesALiveOwner(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	c, err := events.NewCarry(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	err = d.Write(ctx, func(tx *db.Tx) error {
		b, err := c.Batch(tx)
		if err != nil {
			return err
		}
		_, err = b.Append(events.Event{ID: "h1", ContactID: "c1", Type: events.PageHit, URL: "https://a.example/"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Commit()
	c.Close() // killed, or another process's
	// (Another test of this package registers a hook that settles every event: the hit may
	// be written at once; what is owed must still be left to a live owner.)
	state := func() (int, int) {
		var hits, owed int
		d.R.QueryRow("SELECT coalesce(sum(hits), 0), (SELECT count(*) FROM event_agg_ranges) FROM contact_stats").Scan(&hits, &owed)
		return hits, owed
	}
	for _, tc := range []struct {
		owner    string
		stillOwe bool
	}{{"1", true}, {"0", false}} {
		if err := d.Write(ctx, func(tx *db.Tx) error { return tx.SetMeta("events.carry_pid", tc.owner) }); err != nil {
			t.Fatal(err)
		}
		if err := events.RecoverCarried(ctx, d); err != nil {
			t.Fatal(err)
		}
		hits, owed := state()
		if (owed > 0) != tc.stillOwe || (!tc.stillOwe && hits != 1) {
			t.Fatalf("owner %s: %d hits written, %d ranges owed", tc.owner, hits, owed)
		}
	}
}
