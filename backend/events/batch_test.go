package events_test

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
)

// step is one action of a scenario: append an event, or merge two contacts' aggregates.
type step struct {
	ev            events.Event
	merge         bool
	winner, loser string
	direct        bool // plain events.Append even in batch mode
}

// scenario makes random behaviour: several contacts, every aggregate event type, hits out
// of order (history), repeated ids, URLs with and without case variants, devices, UTM
// tags, mid-batch merges and plain Appends among batched ones.
func scenario(seed int64, n int) (before, during []step) {
	rng := rand.New(rand.NewSource(seed))
	types := []events.Type{events.PageHit, events.PageHit, events.PageHit, events.EmailClicked, events.EmailSent,
		events.EmailRead, events.AssetDownloaded, events.FormSubmitted}
	urls := []string{"", "https://a.example/x", "https://A.example/x", "https://b.example/y?q=1"}
	devs := []events.Device{{}, {Type: "desktop", OS: "Windows", Browser: "Chrome"}, {Type: "mobile", OS: "iOS", Brand: "Apple"},
		{Type: "Desktop", OS: "windows", Browser: "chrome"}}
	utms := []events.UTM{{}, {Source: "news", Medium: "email"}, {Source: "ads", Campaign: "spring"}}
	base := testenv.Epoch.Add(-48 * time.Hour)
	at := base
	mk := func(i int) step {
		c := fmt.Sprintf("c%d", rng.Intn(6))
		switch rng.Intn(10) {
		case 0:
			at = at.Add(-time.Duration(rng.Intn(7200)) * time.Second) // older than the newest
		case 1, 2:
			at = at.Add(time.Duration(20+rng.Intn(30)) * time.Minute) // a new session
		default:
			at = at.Add(time.Duration(rng.Intn(600)) * time.Second)
		}
		id := fmt.Sprintf("e%d-%d", seed, i)
		if i > 0 && rng.Intn(15) == 0 {
			id = fmt.Sprintf("e%d-%d", seed, rng.Intn(i)) // already stored: skipped
		}
		return step{ev: events.Event{ID: id, ContactID: c, Type: types[rng.Intn(len(types))], At: at,
			URL: urls[rng.Intn(len(urls))], Device: devs[rng.Intn(len(devs))], UTM: utms[rng.Intn(len(utms))]},
			direct: rng.Intn(12) == 0}
	}
	for i := 0; i < n/4; i++ {
		before = append(before, mk(i))
	}
	for i := n / 4; i < n; i++ {
		if rng.Intn(40) == 0 {
			w, l := fmt.Sprintf("c%d", rng.Intn(6)), fmt.Sprintf("c%d", rng.Intn(6))
			if w != l {
				during = append(during, step{merge: true, winner: w, loser: l})
				continue
			}
		}
		during = append(during, mk(i))
	}
	return before, during
}

func run(t *testing.T, d *db.DB, steps []step, batch bool) {
	t.Helper()
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		b := events.NewBatch(tx)
		for _, s := range steps {
			var err error
			switch {
			case s.merge:
				// As contacts' merge does it.
				if err = events.Settle(tx, s.winner, s.loser); err != nil {
					return err
				}
				if _, err = tx.Exec("UPDATE events SET contact_id = ? WHERE contact_id = ?", s.winner, s.loser); err == nil {
					err = events.MoveAggregates(tx, s.winner, s.loser)
				}
			case batch && !s.direct:
				_, err = b.Append(s.ev)
			default:
				_, err = events.Append(tx, s.ev)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// aggregates renders every behaviour aggregate table and the URL ids.
func aggregates(t *testing.T, d *db.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT contact_id, hits, page_hits, sessions, coalesce(first_hit_at, -1), coalesce(last_hit_at, -1),
			emails_sent, emails_read, emails_clicked, downloads FROM contact_stats ORDER BY 1`,
		`SELECT id, url, '', '', '', '', '', '', '', '' FROM urls ORDER BY 1`,
		`SELECT url_id, contact_id, n, first_at, last_at, '', '', '', '', '' FROM contact_urls ORDER BY 1, 2`,
		`SELECT contact_id, device_type, device_os, device_browser, device_brand, first_at, last_at, n, '', '' FROM contact_devices ORDER BY 1, 2, 3, 4, 5`,
		`SELECT contact_id, utm_source, utm_medium, utm_campaign, utm_content, utm_term, first_at, last_at, n, '' FROM contact_utm ORDER BY 1, 2, 3, 4, 5, 6`,
	} {
		rows, err := d.R.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			v := make([]any, 10)
			p := make([]any, 10)
			for i := range v {
				p[i] = &v[i]
			}
			if err := rows.Scan(p...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, v...)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

// A Batch leaves exactly the aggregates that appending the same events one by one leaves,
// whatever the order, repeats, merges and plain Appends in between.
func TestBatchMatchesAppend(t *testing.T) {
	for seed := int64(1); seed <= 30; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			before, during := scenario(seed, 120)
			one, _ := testenv.NewDB(t)
			many, _ := testenv.NewDB(t)
			run(t, one, before, false)
			run(t, many, before, false)
			run(t, one, during, false)
			run(t, many, during, true)
			a, b := aggregates(t, one), aggregates(t, many)
			if a != b {
				t.Fatalf("one by one:\n%s\nbatch:\n%s", a, b)
			}
			if !strings.Contains(a, "c") {
				t.Fatal("scenario produced no aggregates")
			}
		})
	}
}

// Hooks see the aggregates of the event they react to, as with Append; a failing write
// before commit rolls everything back.
func TestBatchHooksSeeAggregates(t *testing.T) {
	d, _ := testenv.NewDB(t)
	var seen []int
	events.OnAppend(func(tx *db.Tx, e events.Event) error {
		if e.ContactID != "hooked" {
			return nil
		}
		var n int
		if err := tx.QueryRow("SELECT page_hits FROM contact_stats WHERE contact_id = ?", e.ContactID).Scan(&n); err != nil {
			return err
		}
		seen = append(seen, n)
		return nil
	})
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		b := events.NewBatch(tx)
		for i := 0; i < 3; i++ {
			if _, err := b.Append(events.Event{ContactID: "hooked", Type: events.PageHit, URL: "https://h.example/"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(seen) != "[1 2 3]" {
		t.Fatalf("hooks saw page_hits %v, want [1 2 3]", seen)
	}
}

// A lazy hook that calls Settle before reading sees the aggregates counting its event.
func TestBatchLazyHookSettles(t *testing.T) {
	d, _ := testenv.NewDB(t)
	var seen []int
	events.OnAppendLazy(func(tx *db.Tx, e events.Event) error {
		if e.ContactID != "lazy" {
			return nil
		}
		if err := events.Settle(tx, e.ContactID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow("SELECT hits FROM contact_stats WHERE contact_id = ?", e.ContactID).Scan(&n); err != nil {
			return err
		}
		seen = append(seen, n)
		return nil
	})
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		b := events.NewBatch(tx)
		for i := 0; i < 3; i++ {
			if _, err := b.Append(events.Event{ContactID: "lazy", Type: events.EmailClicked, URL: "https://l.example/"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(seen) != "[1 2 3]" {
		t.Fatalf("lazy hook saw hits %v, want [1 2 3]", seen)
	}
}
