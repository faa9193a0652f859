package events_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
)

func appendAll(t *testing.T, d *db.DB, evs ...events.Event) db.Commit {
	t.Helper()
	var got db.Commit
	d.OnCommit(func(c db.Commit) { got = c })
	if err := d.Write(context.Background(), func(tx *db.Tx) error {
		for _, e := range evs {
			if _, err := events.Append(tx, e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

type stats struct{ hits, pageHits, sessions, sent, read, clicked, downloads int }

func statsOf(t *testing.T, d *db.DB, id string) stats {
	t.Helper()
	var s stats
	err := d.R.QueryRow(`SELECT hits, page_hits, sessions, emails_sent, emails_read, emails_clicked, downloads
		FROM contact_stats WHERE contact_id = ?`, id).Scan(&s.hits, &s.pageHits, &s.sessions, &s.sent, &s.read, &s.clicked, &s.downloads)
	if err != nil {
		t.Fatalf("stats of %s: %v", id, err)
	}
	return s
}

func TestAppend_Aggregates(t *testing.T) {
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }
	hit := func(id string, min int, url string) events.Event {
		return events.Event{ID: id, ContactID: "c1", Type: events.PageHit, At: at(min), URL: url}
	}
	tests := []struct {
		name string
		evs  []events.Event
		want stats
	}{
		{"one hit one session", []events.Event{hit("a", 0, "https://x/a")}, stats{hits: 1, pageHits: 1, sessions: 1}},
		{"within 30 minutes same session", []events.Event{hit("a", 0, "u"), hit("b", 30, "u")}, stats{hits: 2, pageHits: 2, sessions: 1}},
		{"after 30 minutes new session", []events.Event{hit("a", 0, "u"), hit("b", 31, "u")}, stats{hits: 2, pageHits: 2, sessions: 2}},
		{"out of order recounts", []events.Event{hit("a", 100, "u"), hit("b", 0, "u"), hit("c", 20, "u")}, stats{hits: 3, pageHits: 3, sessions: 2}},
		{"duplicate id counted once", []events.Event{hit("a", 0, "u"), hit("a", 0, "u")}, stats{hits: 1, pageHits: 1, sessions: 1}},
		{"click is a hit but no session", []events.Event{{ID: "k", ContactID: "c1", Type: events.EmailClicked, At: at(0), URL: "u"}},
			stats{hits: 1, clicked: 1}},
		{"email counters", []events.Event{
			{ID: "s", ContactID: "c1", Type: events.EmailSent, ObjectID: "e1"},
			{ID: "r1", ContactID: "c1", Type: events.EmailRead, ObjectID: "e1"},
			{ID: "r2", ContactID: "c1", Type: events.EmailRead, ObjectID: "e1"},
			{ID: "d", ContactID: "c1", Type: events.AssetDownloaded, ObjectID: "a1"},
		}, stats{sent: 1, read: 2, downloads: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := testenv.NewDB(t)
			appendAll(t, d, tc.evs...)
			if got := statsOf(t, d, "c1"); got != tc.want {
				t.Fatalf("stats = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestAppend_DevicesUTMURLsAndSignals(t *testing.T) {
	d, _ := testenv.NewDB(t)
	ua := "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
	c := appendAll(t, d,
		events.Event{ContactID: "c1", Type: events.PageHit, URL: "https://shop/pricing", UserAgent: ua,
			UTM: events.UTM{Source: "newsletter", Medium: "email"}},
		events.Event{ContactID: "c1", Type: events.PageHit, URL: "https://shop/pricing", UserAgent: ua},
		events.Event{ContactID: "c2", Type: events.PageHit},
	)
	var typ, os, browser, brand string
	var n int
	if err := d.R.QueryRow(`SELECT device_type, device_os, device_browser, device_brand, n FROM contact_devices WHERE contact_id = 'c1'`).
		Scan(&typ, &os, &browser, &brand, &n); err != nil {
		t.Fatal(err)
	}
	if typ != "mobile" || os != "iOS" || browser != "Safari" || brand != "Apple" || n != 2 {
		t.Fatalf("device = %s/%s/%s/%s n=%d", typ, os, browser, brand, n)
	}
	var src, med string
	if err := d.R.QueryRow(`SELECT utm_source, utm_medium FROM contact_utm WHERE contact_id = 'c1'`).Scan(&src, &med); err != nil {
		t.Fatal(err)
	}
	if src != "newsletter" || med != "email" {
		t.Fatalf("utm = %s/%s", src, med)
	}
	if err := d.R.QueryRow(`SELECT cu.n FROM contact_urls cu JOIN urls u ON u.id = cu.url_id WHERE u.url = 'HTTPS://SHOP/PRICING' AND contact_id = 'c1'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("url hits = %d, %v", n, err)
	}
	if err := d.R.QueryRow(`SELECT n FROM contact_urls WHERE url_id = 0 AND contact_id = 'c2'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("url-less hit = %d, %v", n, err)
	}
	topics := map[string]int{}
	for _, s := range c.Signals {
		topics[s.Topic]++
	}
	if topics["event"] != 3 || topics["event:page.hit"] != 3 {
		t.Fatalf("signals = %v", topics)
	}
	evs, _, err := events.List(context.Background(), d.R, events.Query{ContactID: "c1"})
	if err != nil || len(evs) != 2 || evs[1].UTM.Source != "newsletter" || evs[0].Device.OS != "iOS" {
		t.Fatalf("list = %+v, %v", evs, err)
	}
}

func TestParseUserAgent(t *testing.T) {
	tests := []struct {
		ua   string
		want events.Device
	}{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
			events.Device{Type: "desktop", OS: "Windows", Browser: "Chrome"}},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
			events.Device{Type: "desktop", OS: "Mac", Browser: "Safari"}},
		{"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
			events.Device{Type: "mobile", OS: "Android", Browser: "Chrome", Brand: "Samsung"}},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
			events.Device{Type: "desktop", OS: "GNU/Linux", Browser: "Firefox"}},
		{"Googlebot/2.1 (+http://www.google.com/bot.html)", events.Device{Type: "bot"}},
		{"", events.Device{}},
	}
	for _, tc := range tests {
		if got := events.ParseUserAgent(tc.ua); got != tc.want {
			t.Errorf("ParseUserAgent(%q) = %+v, want %+v", tc.ua, got, tc.want)
		}
	}
}

func TestOnAppendRunsInTheTransaction(t *testing.T) {
	d, _ := testenv.NewDB(t)
	var seen []events.Type
	events.OnAppend(func(tx *db.Tx, e events.Event) error {
		if e.Source != "hook-test" {
			return nil
		}
		seen = append(seen, e.Type)
		if e.Type == events.FormSubmitted {
			return errors.New("refused by hook")
		}
		return nil
	})
	ctx := context.Background()
	ev := events.Event{ID: "h1", ContactID: "c1", Type: events.PageHit, Source: "hook-test"}
	for range 2 { // the second append is a duplicate id: no hook call
		if err := d.Write(ctx, func(tx *db.Tx) error { _, err := events.Append(tx, ev); return err }); err != nil {
			t.Fatal(err)
		}
	}
	err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := events.Append(tx, events.Event{ID: "h2", ContactID: "c1", Type: events.FormSubmitted, Source: "hook-test"})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "refused by hook") {
		t.Fatalf("hook error = %v", err)
	}
	var n int
	if err := d.R.QueryRow("SELECT count(*) FROM events WHERE id = 'h2'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("event refused by a hook was stored (%d, %v)", n, err)
	}
	if len(seen) != 2 || seen[0] != events.PageHit || seen[1] != events.FormSubmitted {
		t.Fatalf("hook saw %v", seen)
	}
}
