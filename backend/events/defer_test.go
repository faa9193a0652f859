package events_test

import (
	"context"
	"fmt"
	"testing"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
)

func eventIndexes(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.R.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// A bulk load defers the log's indexes (but events_contact_type) only when it is big and the log
// small next to it; the restore brings every index back.
func TestDeferIndexes(t *testing.T) {
	cases := []struct {
		name     string
		stored   int   // events already in the log
		adding   int64 // what the load announces
		deferred bool
	}{
		{"small load", 0, 5000, false},
		{"big load, empty log", 0, 100000, true},
		{"big load, bigger log", 300, 200, false},
		{"big load, smaller log", 300, 20000, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, _ := testenv.NewDB(t)
			ctx := context.Background()
			if c.stored > 0 {
				var evs []events.Event
				for i := 0; i < c.stored; i++ {
					evs = append(evs, events.Event{ContactID: fmt.Sprintf("c%d", i%7), Type: events.PageHit, URL: "https://x.example/"})
				}
				if err := d.Write(ctx, func(tx *db.Tx) error { return events.AppendMany(tx, evs) }); err != nil {
					t.Fatal(err)
				}
			}
			all := eventIndexes(t, d)
			restore, err := events.DeferIndexes(ctx, d, c.adding)
			if err != nil {
				t.Fatal(err)
			}
			during := eventIndexes(t, d)
			if c.deferred {
				if len(during) != 1 || during[0] != "events_contact_type" {
					t.Fatalf("indexes while deferred = %v, want only events_contact_type", during)
				}
			} else if fmt.Sprint(during) != fmt.Sprint(all) {
				t.Fatalf("indexes = %v, want all of %v", during, all)
			}
			if err := restore(ctx); err != nil {
				t.Fatal(err)
			}
			if after := eventIndexes(t, d); fmt.Sprint(after) != fmt.Sprint(all) {
				t.Fatalf("indexes after restore = %v, want %v", after, all)
			}
		})
	}
}
