package events_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
)

// runMany is run in batch mode with consecutive batched events grouped into AppendMany
// calls (a group ends at a merge, a plain Append, or every size events).
func runMany(t *testing.T, d *db.DB, steps []step, size int) {
	t.Helper()
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		b := events.NewBatch(tx)
		var group []events.Event
		flush := func() error {
			_, err := b.AppendMany(group)
			group = group[:0]
			return err
		}
		for _, s := range steps {
			if !s.merge && !s.direct {
				group = append(group, s.ev)
				if len(group) < size {
					continue
				}
				if err := flush(); err != nil {
					return err
				}
				continue
			}
			if err := flush(); err != nil {
				return err
			}
			var err error
			if s.merge {
				if err = events.Settle(tx, s.winner, s.loser); err != nil {
					return err
				}
				if _, err = tx.Exec("UPDATE events SET contact_id = ? WHERE contact_id = ?", s.winner, s.loser); err == nil {
					err = events.MoveAggregates(tx, s.winner, s.loser)
				}
			} else {
				_, err = events.Append(tx, s.ev)
			}
			if err != nil {
				return err
			}
		}
		return flush()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// logRows renders the event log in seq order (every column but seq).
func logRows(t *testing.T, d *db.DB) string {
	t.Helper()
	rows, err := d.R.Query(`SELECT id, contact_id, type, at, coalesce(object_id, ''), coalesce(url, ''), coalesce(data, ''),
		coalesce(device_type, ''), coalesce(device_os, ''), coalesce(device_browser, ''), coalesce(utm_source, ''),
		coalesce(utm_campaign, '') FROM events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		v := make([]any, 12)
		p := make([]any, 12)
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, v...)
	}
	return b.String()
}

// AppendMany leaves the same log (same order) and aggregates as appending the events one
// by one, with repeated ids, history hits and merges between groups, for several group sizes.
func TestAppendManyMatchesAppend(t *testing.T) {
	for _, size := range []int{1, 7, 1000} {
		for seed := int64(1); seed <= 12; seed++ {
			t.Run(fmt.Sprintf("size%d/seed%d", size, seed), func(t *testing.T) {
				before, during := scenario(seed, 120)
				one, _ := testenv.NewDB(t)
				many, _ := testenv.NewDB(t)
				run(t, one, before, false)
				run(t, many, before, false)
				run(t, one, during, false)
				runMany(t, many, during, size)
				if a, b := aggregates(t, one), aggregates(t, many); a != b {
					t.Fatalf("one by one:\n%s\nAppendMany:\n%s", a, b)
				}
				if a, b := logRows(t, one), logRows(t, many); a != b {
					t.Fatalf("log one by one:\n%s\nAppendMany:\n%s", a, b)
				}
			})
		}
	}
}

// Hooks run once per stored event, in order, after every row of their chunk is in (here
// 4 + 1 rows), and see the aggregates counting their event (not the later ones); repeats
// and stored ids are skipped.
func TestAppendManyHooks(t *testing.T) {
	d, _ := testenv.NewDB(t)
	var seen []string
	events.OnAppend(func(tx *db.Tx, e events.Event) error {
		if !strings.HasPrefix(e.ContactID, "many-") {
			return nil
		}
		var hits, logged int
		if err := tx.QueryRow("SELECT page_hits FROM contact_stats WHERE contact_id = ?", e.ContactID).Scan(&hits); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT count(*) FROM events WHERE contact_id LIKE 'many-%'").Scan(&logged); err != nil {
			return err
		}
		seen = append(seen, fmt.Sprintf("%s:%s:%d/%d", e.ID, e.ContactID, hits, logged))
		return nil
	})
	ctx := context.Background()
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := events.Append(tx, events.Event{ID: "h0", ContactID: "many-a", Type: events.PageHit, URL: "https://m.example/"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	seen = nil
	var n int
	err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		n, err = events.NewBatch(tx).AppendMany([]events.Event{
			{ID: "h1", ContactID: "many-a", Type: events.PageHit, URL: "https://m.example/"},
			{ID: "h0", ContactID: "many-a", Type: events.PageHit, URL: "https://m.example/"}, // stored before
			{ID: "h2", ContactID: "many-b", Type: events.PageHit, URL: "https://m.example/"},
			{ID: "h1", ContactID: "many-a", Type: events.PageHit, URL: "https://m.example/"}, // repeat
			{ID: "h3", ContactID: "many-a", Type: events.PageHit, URL: "https://m.example/", UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"},
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("stored %d events, want 3", n)
	}
	if got, want := strings.Join(seen, " "), "h1:many-a:2/3 h2:many-b:1/3 h3:many-a:3/4"; got != want {
		t.Fatalf("hooks saw %q, want %q", got, want)
	}
	var dev string
	if err := d.R.QueryRow("SELECT coalesce(device_type, '') FROM events WHERE id = 'h3'").Scan(&dev); err != nil || dev != "mobile" {
		t.Fatalf("device of h3 = %q (%v), want mobile parsed from the user agent", dev, err)
	}
}

// A bad event names its place in the batch and stores nothing.
func TestAppendManyRejectsIncomplete(t *testing.T) {
	d, _ := testenv.NewDB(t)
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		_, err := events.NewBatch(tx).AppendMany([]events.Event{{ContactID: "x", Type: events.PageHit}, {ContactID: "x"}})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "event 2") {
		t.Fatalf("err = %v, want one naming event 2", err)
	}
}
