package campaigns

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// SyncMembers enters a big segment in transactions of syncChunk candidates: whatever the
// chunk size, every member of the sources enters once with its root step scheduled once,
// contacts in two source segments are not doubled, active members are left alone on a
// second sync, trashed contacts do not enter, and members who left every source exit.
func TestSyncMembersChunked(t *testing.T) {
	for _, chunk := range []int{1, 3, 7, 50} {
		t.Run(fmt.Sprintf("chunk %d", chunk), func(t *testing.T) {
			was := syncChunk
			syncChunk = chunk
			t.Cleanup(func() { syncChunk = was })
			f := newFixture(t)
			var paris, lyon []string
			for i := 0; i < 12; i++ {
				city := "Paris"
				if i%3 == 0 {
					city = "Lyon"
				}
				id := f.contact(map[string]string{"firstname": fmt.Sprintf("P%02d", i), "email": fmt.Sprintf("p%d@x.io", i), "city": city,
					"company": map[bool]string{true: "Acme", false: ""}[i%4 == 0]})
				if city == "Paris" {
					paris = append(paris, id)
				} else {
					lyon = append(lyon, id)
				}
			}
			inParis := f.segment("Paris", `[{"glue":"and","field":"city","object":"lead","type":"text","operator":"=","properties":{"filter":"Paris"}}]`)
			acme := f.segment("Acme", `[{"glue":"and","field":"company","object":"lead","type":"text","operator":"=","properties":{"filter":"Acme"}}]`)
			// Trashed before publishing: never enters.
			trashed := paris[len(paris)-1]
			if _, err := f.cs.Delete(f.ctx, []string{trashed}, "test"); err != nil {
				t.Fatal(err)
			}
			id := f.publish("C", false, tagGraph(segSource(inParis, acme), "in"))
			members := func() map[string]bool {
				out := map[string]bool{}
				rows, err := f.d.R.Query("SELECT contact_id FROM campaign_members_ids WHERE campaign_id = ? AND manually_removed = 0", id)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				for rows.Next() {
					var c string
					rows.Scan(&c)
					out[c] = true
				}
				return out
			}
			want := map[string]bool{}
			for _, c := range paris[:len(paris)-1] {
				want[c] = true
			}
			// Acme: contacts 0, 4, 8 (0 is also Lyon: in Acme only; 4 and 8 in both).
			var acmeLyon string
			var acmeRows []string
			rows, _ := f.d.R.Query("SELECT contact_id FROM segment_members WHERE segment_id = ? AND manually_removed = 0", acme)
			for rows.Next() {
				var c string
				rows.Scan(&c)
				acmeRows = append(acmeRows, c)
				want[c] = true
			}
			rows.Close()
			for _, c := range acmeRows {
				for _, l := range lyon {
					if c == l {
						acmeLyon = c
					}
				}
			}
			if acmeLyon == "" {
				t.Fatal("fixture: no contact only in the Acme segment")
			}
			if got := members(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("members = %v, want %v", got, want)
			}
			var rootRows, dup int
			f.d.R.QueryRow("SELECT count(*) FROM campaign_log_ids WHERE campaign_id = ? AND event_id = 't'", id).Scan(&rootRows)
			f.d.R.QueryRow(`SELECT count(*) FROM (SELECT contact_id FROM campaign_log_ids WHERE campaign_id = ? GROUP BY contact_id, event_id, rotation HAVING count(*) > 1)`, id).Scan(&dup)
			if rootRows != len(want) || dup != 0 {
				t.Fatalf("root rows = %d (dup %d), want %d", rootRows, dup, len(want))
			}
			// A second sync changes nothing.
			if n, err := f.s.SyncMembers(f.ctx, id); err != nil || n != 0 {
				t.Fatalf("second sync = %d, %v", n, err)
			}
			f.run()
			// The Acme-only contact leaves Acme: exits (automatic member, in no source now).
			f.cs.Update(f.ctx, acmeLyon, map[string]string{"company": "Other"}, "test")
			f.seg.Rebuild(f.ctx, acme, time.Time{})
			if n, err := f.s.SyncMembers(f.ctx, id); err != nil || n != 1 {
				t.Fatalf("exit sync = %d, %v", n, err)
			}
			delete(want, acmeLyon)
			if got := members(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("members after exit = %v, want %v", got, want)
			}
			var started int
			f.d.R.QueryRow("SELECT count(*) FROM campaign_members_ids WHERE campaign_id = ? AND started = rotation", id).Scan(&started)
			if started != len(want)+1 {
				t.Errorf("started members = %d, want %d", started, len(want)+1)
			}
		})
	}
}

// An entry interrupted between two of its transactions (a crash, a closed laptop) keeps
// the steps already committed, whole; the next sync (the background loop syncs every
// campaign at start) enters the rest: everyone once, each root step scheduled once.
func TestSyncMembersInterruptedResumes(t *testing.T) {
	was := syncChunk
	syncChunk = 2
	t.Cleanup(func() { syncChunk, afterSyncChunk = was, nil })
	f := newFixture(t)
	for i := 0; i < 9; i++ {
		f.contact(map[string]string{"firstname": fmt.Sprintf("R%d", i), "email": fmt.Sprintf("r%d@x.io", i)})
	}
	all := f.segment("All", `[{"glue":"and","field":"email","object":"lead","type":"email","operator":"!empty"}]`)
	c, err := f.s.Save(f.ctx, Input{Name: "C", Graph: tagGraph(segSource(all), "in")})
	if err != nil {
		t.Fatal(err)
	}
	id := c.ID
	ctx, cancel := context.WithCancel(f.ctx)
	chunks := 0
	afterSyncChunk = func() {
		if chunks++; chunks == 2 {
			cancel() // the process dies after its second entry transaction
		}
	}
	if _, err := f.s.Publish(ctx, id); err == nil {
		t.Fatal("publish with an interrupted entry: no error")
	}
	afterSyncChunk = nil
	count := func(q string) int {
		var n int
		if err := f.d.R.QueryRow(q, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("SELECT count(*) FROM campaign_members_ids WHERE campaign_id = ?"); n != 4 {
		t.Fatalf("members after the interruption = %d, want 4 (two whole steps of 2)", n)
	}
	if n := count("SELECT count(*) FROM campaign_log_ids WHERE campaign_id = ?"); n != 4 {
		t.Fatalf("root rows after the interruption = %d, want 4", n)
	}
	if n, err := f.s.SyncMembers(f.ctx, id); err != nil || n != 5 {
		t.Fatalf("resumed sync = %d, %v; want 5 entered", n, err)
	}
	if n := count("SELECT count(*) FROM campaign_members_ids WHERE campaign_id = ? AND started = rotation"); n != 9 {
		t.Fatalf("started members = %d, want 9", n)
	}
	if n := count("SELECT count(DISTINCT contact_id) FROM campaign_log_ids WHERE campaign_id = ?"); n != 9 || count("SELECT count(*) FROM campaign_log_ids WHERE campaign_id = ?") != 9 {
		t.Fatalf("root rows: %d contacts, want 9 rows of 9 contacts", n)
	}
}
