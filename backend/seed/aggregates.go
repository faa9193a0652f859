package seed

import (
	"context"
	"fmt"
	"slices"

	"magpie/backend/db"
	"magpie/backend/events"
)

// The behaviour aggregates (contact_stats, contact_urls) of the seeded events.
// events.AppendMany does not maintain them (events.Append and events.Batch do, event by
// event), so the seed computes them itself: every behaviour event of a batch belongs to a
// contact of that batch, so the producer (second core) knows each new contact's whole
// history and the writer only inserts the rows. The values are what events.Append gives
// for the same events (TestSeedAggregates): hits = page hits + clicks, a session starts at
// a page hit with no page hit in the preceding 30 minutes (events.SessionGap), first_hit_at
// over hits and clicks, last_hit_at over page hits, one contact_urls row per URL hit.

// urlIDs stores the demo pages' URLs in urls (shared with the tracker) and returns their ids.
func urlIDs(ctx context.Context, d *db.DB) (map[string]int64, error) {
	out := map[string]int64{}
	err := d.Write(ctx, func(tx *db.Tx) error {
		for _, p := range pages {
			if _, err := tx.Exec(`INSERT INTO urls(url) VALUES(?) ON CONFLICT(url) DO NOTHING`, p.url); err != nil {
				return err
			}
			var id int64
			if err := tx.QueryRow(`SELECT id FROM urls WHERE url = ?`, p.url).Scan(&id); err != nil {
				return err
			}
			out[p.url] = id
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed: urls: %w", err)
	}
	return out, nil
}

type contactAgg struct {
	hits, pageHits, sent, read, clicked int64
	firstHit, lastPage                  int64 // 0 = none
	pageAts                             []int64
	urls                                map[int64]*urlAgg
}

type urlAgg struct{ n, first, last int64 }

// aggRows computes the contact_stats and contact_urls rows of a batch's behaviour events,
// in the order of the batch's contacts (deterministic).
func aggRows(rowsOrder []string, extra [3][]events.Event, urlID map[string]int64) (stats, urls [][]any) {
	by := map[string]*contactAgg{}
	get := func(id string) *contactAgg {
		a := by[id]
		if a == nil {
			a = &contactAgg{}
			by[id] = a
		}
		return a
	}
	for _, group := range extra {
		for _, e := range group {
			a := get(e.ContactID)
			at := e.At.UnixMilli()
			switch e.Type {
			case events.EmailSent:
				a.sent++
				continue
			case events.EmailRead:
				a.read++
				continue
			case events.EmailClicked:
				a.clicked++
			case events.PageHit:
				a.pageHits++
				a.pageAts = append(a.pageAts, at)
				if a.lastPage == 0 || at > a.lastPage {
					a.lastPage = at
				}
			default:
				continue
			}
			a.hits++
			if a.firstHit == 0 || at < a.firstHit {
				a.firstHit = at
			}
			if a.urls == nil {
				a.urls = map[int64]*urlAgg{}
			}
			uid := urlID[e.URL] // 0 = a hit without URL, as events.Append
			if u := a.urls[uid]; u == nil {
				a.urls[uid] = &urlAgg{n: 1, first: at, last: at}
			} else {
				u.n++
				u.first, u.last = min(u.first, at), max(u.last, at)
			}
		}
	}
	for _, id := range rowsOrder {
		a := by[id]
		if a == nil {
			continue
		}
		slices.Sort(a.pageAts)
		var sessions int64
		for i, at := range a.pageAts {
			if i == 0 || at-a.pageAts[i-1] > events.SessionGap {
				sessions++
			}
		}
		stats = append(stats, []any{id, a.hits, a.pageHits, sessions, nullMs(a.firstHit), nullMs(a.lastPage), a.sent, a.read, a.clicked})
		uids := make([]int64, 0, len(a.urls))
		for uid := range a.urls {
			uids = append(uids, uid)
		}
		slices.Sort(uids)
		for _, uid := range uids {
			u := a.urls[uid]
			urls = append(urls, []any{uid, id, u.n, u.first, u.last})
		}
	}
	return stats, urls
}

func nullMs(ms int64) any {
	if ms == 0 {
		return nil
	}
	return ms
}

// writeAggs inserts a batch's aggregate rows (its contacts are new: no row of theirs exists).
func writeAggs(tx *db.Tx, stats, urls [][]any) error {
	if err := tx.ExecMany(`INSERT INTO contact_stats(contact_id, hits, page_hits, sessions, first_hit_at, last_hit_at,
		emails_sent, emails_read, emails_clicked)`, "", 9, stats); err != nil {
		return fmt.Errorf("seed: contact stats: %w", err)
	}
	if err := tx.ExecMany(`INSERT INTO contact_urls(url_id, contact_id, n, first_at, last_at)`, "", 5, urls); err != nil {
		return fmt.Errorf("seed: contact urls: %w", err)
	}
	return nil
}
