package tracking

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
)

// mixedHits makes a random stream: page views from a few devices (UTM, landing pages),
// asset downloads and focus views (plain hits, written in groups), form posts with an
// email (identify and merge), page views with tags or a field value, bots and email opens
// for a known contact — so groups of plain hits are cut by every other kind.
func mixedHits(seed int64, n int, known string) []Hit {
	rng := rand.New(rand.NewSource(seed))
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	var out []Hit
	at := int64(1767225600000)
	for i := 0; i < n; i++ {
		at += int64(rng.Intn(900_000))
		if rng.Intn(12) == 0 {
			at -= 2_000_000 // older than the newest hit: sessions are recounted
		}
		dev := fmt.Sprintf("dev-%d", rng.Intn(8))
		h := Hit{ID: fmt.Sprintf("hit-%d-%04d", seed, i), Kind: KindPage, At: at, Device: dev, UA: ua,
			URL: fmt.Sprintf("https://www.example.com/p/%d", rng.Intn(4)), Title: "P", Lang: "en", IP: "203.0.113.0",
			Data: map[string]string{}}
		switch r := rng.Intn(20); {
		case r == 0:
			h.Kind, h.URL = KindForm, "https://www.example.com/contact"
			h.Data["field.email"] = fmt.Sprintf("p%d@example.com", rng.Intn(3))
		case r == 1:
			h.Data["tags"] = "web,visitor"
		case r == 2:
			h.Kind, h.Form = KindAsset, "asset-1"
		case r == 3:
			h.Kind, h.Form = KindFocus, "focus-1"
			if rng.Intn(2) == 0 {
				h.Data["action"] = "convert"
			}
		case r == 4:
			h.Bot = true
		case r == 5:
			h.Data["field.firstname"] = "Zoé"
		case r == 6:
			h.Kind, h.Contact, h.Email, h.URL = KindOpen, known, "email-1", ""
		case r < 10:
			h.Data["utm_source"], h.Data["utm_medium"] = "news", "email"
			h.Data["page_id"] = "page-1"
		}
		if rng.Intn(30) == 0 {
			h.ID = out[rng.Intn(len(out)+1)%max(len(out), 1)].ID // a repeated hit id: stored once
		}
		out = append(out, h)
	}
	return out
}

// state renders what ingest leaves: the log (ids of creation events left out: they are
// fresh), contacts (last_active of live ones: a batch does not advance a contact merged
// away within it), devices and the behaviour aggregates.
func state(t *testing.T, d *db.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT CASE WHEN source = 'tracker' AND type IN ('page.hit', 'form.submitted', 'asset.downloaded', 'focus.viewed',
			'focus.converted', 'email.read') THEN id ELSE '' END, contact_id, type, at, coalesce(object_id, ''), coalesce(url, ''),
			coalesce(data, ''), coalesce(device_type, ''), coalesce(utm_source, '') FROM events ORDER BY 2, 3, 4, 1, 7`,
		`SELECT id, coalesce(email, ''), coalesce(firstname, ''), CASE WHEN deleted = 0 THEN coalesce(last_active, -1) END, date_added, deleted, '', '', '' FROM contacts ORDER BY 1`,
		`SELECT device_id, contact_id, first_seen, last_seen, '', '', '', '', '' FROM tracking_devices ORDER BY 1`,
		`SELECT contact_id, hits, page_hits, sessions, coalesce(first_hit_at, -1), coalesce(last_hit_at, -1), emails_read, downloads, '' FROM contact_stats ORDER BY 1`,
		`SELECT contact_id, url_id, n, first_at, last_at, '', '', '', '' FROM contact_urls ORDER BY 1, 2`,
		`SELECT contact_id, utm_source, n, first_at, last_at, '', '', '', '' FROM contact_utm ORDER BY 1, 2`,
		`SELECT contact_id, tag_id, '', '', '', '', '', '', '' FROM contact_tags ORDER BY 1, 2`,
	} {
		rows, err := d.R.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			v := make([]any, 9)
			p := make([]any, 9)
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

// Ingesting the same hits one per transaction, 7 and 500 per transaction (plain hits then
// written in groups; full batches read the next one ahead, short ones read it again) leaves
// the same contacts, log, devices and aggregates.
func TestIngestBatchSizesAgree(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			var got []string
			for _, batch := range []int{1, 7, 500} {
				d, cs, known := knownContact(t)
				hits := mixedHits(seed, 300, known.ID)
				// Half the stream, then trash a visitor, then the rest: its device starts a new visitor.
				g := &Ingester{Contacts: cs, Batch: batch}
				for part, hs := range [][]Hit{hits[:150], hits[150:]} {
					if err := (&SQLiteStore{DB: d}).StoreHits(ctx, hs); err != nil {
						t.Fatal(err)
					}
					ingestAll(t, g)
					if part == 0 {
						if _, err := cs.Delete(ctx, []string{VisitorID("dev-3")}, "test"); err != nil {
							t.Fatal(err)
						}
					}
				}
				got = append(got, strings.ReplaceAll(state(t, d), known.ID, "KNOWN"))
			}
			for i, batch := range []int{7, 500} {
				if got[0] != got[i+1] {
					t.Fatalf("one hit per transaction:\n%s\n%d per transaction:\n%s", got[0], batch, got[i+1])
				}
			}
			if !strings.Contains(got[0], "page.hit") || !strings.Contains(got[0], "form.submitted") {
				t.Fatal("scenario stored no hits")
			}
		})
	}
}

// indexNames lists the store's index names (autoindexes left out).
func indexNames(t *testing.T, d *db.DB) string {
	t.Helper()
	rows, err := d.R.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return strings.Join(out, " ")
}

// A backlog above CatchUpMin and the log's size is ingested with the log's and the
// aggregates' secondary indexes deferred (events_contact_type kept) and bigger batches; once
// drained the indexes are back and the store is what ingest without catch-up leaves.
func TestIngestCatchUp(t *testing.T) {
	ctx := context.Background()
	var got []string
	for _, catchUp := range []bool{false, true} {
		d, cs, known := knownContact(t)
		all := indexNames(t, d)
		if err := (&SQLiteStore{DB: d}).StoreHits(ctx, mixedHits(7, 400, known.ID)); err != nil {
			t.Fatal(err)
		}
		g := &Ingester{Contacts: cs, Batch: 50, NoCatchUp: !catchUp, CatchUpMin: 100}
		st, err := g.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		during := indexNames(t, d)
		if catchUp {
			if st.Hits != 100 {
				t.Fatalf("catch-up batch of %d hits, want 2 × 50", st.Hits)
			}
			for _, gone := range []string{"events_type", "events_type_object", "contact_stats_hits", "contact_devices_os", "contacts_last_active"} {
				if strings.Contains(" "+during+" ", " "+gone+" ") {
					t.Fatalf("%s kept during catch-up: %s", gone, during)
				}
			}
			if !strings.Contains(during, "events_contact_type") || !strings.Contains(during, "contact_urls_contact") ||
				!strings.Contains(" "+during+" ", " contacts_email ") {
				t.Fatalf("catch-up dropped an index ingest reads: %s", during)
			}
			if auto := walAuto(t, d); auto != 0 {
				t.Fatalf("writer's wal_autocheckpoint = %d during catch-up, want 0 (checkpoints beside it)", auto)
			}
		} else if during != all || st.Hits != 50 {
			t.Fatalf("without catch-up: %d hits, indexes %s", st.Hits, during)
		}
		for st.Hits > 0 {
			if st, err = g.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if after := indexNames(t, d); after != all {
			t.Fatalf("indexes after catching up:\n%s\nwant:\n%s", after, all)
		}
		var ps int
		if err := d.W.QueryRow("PRAGMA page_size").Scan(&ps); err != nil {
			t.Fatal(err)
		}
		if auto := walAuto(t, d); auto != 20000*4096/ps {
			t.Fatalf("writer's wal_autocheckpoint = %d after catching up, want the store's %d back", auto, 20000*4096/ps)
		}
		got = append(got, strings.ReplaceAll(state(t, d), known.ID, "KNOWN"))
	}
	if got[0] != got[1] {
		t.Fatalf("without catch-up:\n%s\nwith:\n%s", got[0], got[1])
	}
}

func walAuto(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.W.QueryRow("PRAGMA wal_autocheckpoint").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// knownContact opens a fresh store with one identified contact, p1@example.com, the one
// mixedHits's form posts identify.
func knownContact(t *testing.T) (*db.DB, *contacts.Service, contacts.Detail) {
	t.Helper()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	known, err := cs.Create(context.Background(), contacts.Input{Values: map[string]string{"email": "p1@example.com"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return d, cs, known
}
