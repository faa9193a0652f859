package tracking

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"magpie/backend/internal/testenv"
)

// The last_seen of the devices of a catch-up's plain hits is carried (Ingester.seen) and
// ends as ingest without catch-up leaves it: written when the catch-up ends, and recomputed
// from the owed ranges when the process is killed mid-catch-up — here the carried devices'
// hits all come before the kill, so nothing after it writes their last_seen again.
func TestCatchUpCarriesLastSeen(t *testing.T) {
	ctx := context.Background()
	early := []string{"0190a000-0000-7000-8000-000000000001", "0190a000-0000-7000-8000-000000000002",
		"0190a000-0000-7000-8000-000000000003", "dev-early"} // the last one is not carried (no UUID)
	late := []string{"0190a000-0000-7000-8000-000000000011", "dev-late"}
	var hits []Hit
	at := int64(1767225600000)
	for i := 0; i < 400; i++ {
		at += 1000
		h := Hit{ID: fmt.Sprintf("hit-%04d", i), Kind: KindPage, At: at, URL: "https://www.example.com/p", Data: map[string]string{}}
		if i%9 == 4 {
			h.At -= 5000 // older than the newest: the maximum is not the last hit
		}
		if i < 200 {
			h.Device = early[i%len(early)]
		} else {
			h.Device = late[i%len(late)]
		}
		switch i % 23 {
		case 5:
			h.Kind, h.URL = KindForm, "https://www.example.com/contact"
			h.Data["field.firstname"] = "Ann"
		case 11:
			h.Kind, h.Form = KindAsset, "asset-1"
		}
		hits = append(hits, h)
	}
	for _, mode := range []string{"plain", "catch-up", "killed"} {
		t.Run(mode, func(t *testing.T) {
			d, cs, _ := knownContact(t)
			if err := (&SQLiteStore{DB: d}).StoreHits(ctx, hits); err != nil {
				t.Fatal(err)
			}
			g := &Ingester{Contacts: cs, Batch: 100, NoCatchUp: true}
			if mode != "plain" {
				g = &Ingester{Contacts: cs, Batch: 50, CatchUpMin: 100}
			}
			if mode == "killed" {
				for i := 0; i < 2; i++ {
					if _, err := g.RunOnce(ctx); err != nil {
						t.Fatal(err)
					}
				}
				if g.carry == nil || len(g.seen) == 0 {
					t.Fatal("no last_seen carried")
				}
				var stale int
				if err := d.R.QueryRow(`SELECT count(*) FROM tracking_devices td
					WHERE last_seen < (SELECT max(at) FROM hits h WHERE h.device_id = td.device_id)`).Scan(&stale); err != nil || stale == 0 {
					t.Fatalf("carried last_seen already stored (%d stale rows, %v)", stale, err)
				}
				g = killCatchUp(ctx, t, g, d, cs)
			}
			ingestAll(t, g)
			rows, err := d.R.Query(`SELECT td.device_id, td.last_seen, (SELECT max(at) FROM hits h WHERE h.device_id = td.device_id)
				FROM tracking_devices td ORDER BY 1`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var dev string
				var seen, want int64
				if err := rows.Scan(&dev, &seen, &want); err != nil {
					t.Fatal(err)
				}
				if seen != want {
					t.Errorf("device %s: last_seen %d, want %d", dev, seen, want)
				}
				n++
			}
			if n != len(early)+len(late) {
				t.Fatalf("%d devices, want %d", n, len(early)+len(late))
			}
		})
	}
}

// The recovery after a killed catch-up reads only the owed ranges' events, by seq — not
// the whole log through an index on type, or an automatic one built on source.
func TestRecoverPlans(t *testing.T) {
	d, _, _ := knownContact(t)
	for name, q := range map[string]string{"last_seen": recoverSeenSQL, "last_active": recoverActiveSQL} {
		all := testenv.QueryPlan(t, d.R.Query, q, Source, "a", "b", "c", "d")
		if !strings.Contains(all, "SEARCH e USING INTEGER PRIMARY KEY") || strings.Contains(all, "AUTOMATIC") {
			t.Errorf("%s: plan\n%s", name, all)
		}
	}
}
