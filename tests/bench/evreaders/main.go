// Command evreaders times the event log's readers by type and by contact on a seeded store
// (`magpie seed`), with the SQL the code writes for the store's schema: reports' date
// windows and summaries, the dashboard's refold, segment filters (scan and per contact),
// the timeline page; -big names a contact with a big log. Each query runs -runs times;
// median, min, rows and EXPLAIN QUERY PLAN are printed (docs/BENCHMARKS.md, branch evdiet).
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"sort"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"magpie/backend/events"
)

func main() {
	dir := flag.String("data-dir", "", "seeded data dir")
	runs := flag.Int("runs", 5, "runs per query")
	big := flag.String("big", "", "contact id with a big log (timeline)")
	flag.Parse()
	d, err := sql.Open("sqlite3", "file:"+*dir+"/magpie.db?mode=ro&_query_only=1")
	must(err)
	d.SetMaxOpenConns(1)
	// The summaries grouped by object add events_type_object's condition as written: the
	// store's own (0084's on a store made before 0089).
	var objSQL string
	must(d.QueryRow("SELECT sql FROM sqlite_master WHERE name = 'events_type_object'").Scan(&objSQL))
	partial := strings.Contains(objSQL, "email.sent")
	ocond := " AND (e.type <> 'page.hit' OR e.object_id IS NOT NULL)"
	if partial {
		ocond = " AND " + events.ObjectIndexWhere("e")
	}
	var lo, hi, top int64
	must(d.QueryRow("SELECT min(at), max(at) FROM events WHERE type = 'page.hit'").Scan(&lo, &hi))
	must(d.QueryRow("SELECT max(seq) FROM events").Scan(&top))
	day := hi - hi%86400000 - 86400000
	var normal string
	must(d.QueryRow("SELECT contact_id FROM events WHERE type = 'page.hit' AND at >= ? LIMIT 1", day).Scan(&normal))
	emails := "e.type IN ('email.sent', 'email.read', 'email.clicked', 'email.failed')"
	timeline := `SELECT seq, id, type, at, coalesce(object_id,''), coalesce(url,''), coalesce(data,''),
		coalesce(user_agent, (SELECT ua FROM user_agents WHERE id = ua_id), '') FROM events WHERE contact_id = ? ORDER BY seq DESC LIMIT 51`
	qs := []struct {
		name, q string
		args    []any
	}{
		{"reports: email events, min(at) of the windows", "SELECT min(e.at) FROM events e INDEXED BY events_type WHERE " + emails, nil},
		{"reports: email events by type over the last 90 days", "SELECT e.type, count(*) FROM events e INDEXED BY events_type WHERE " + emails + " AND e.at >= ? AND e.at < ? GROUP BY e.type", []any{hi - 90*86400000, hi + 1}},
		{"reports: email events by email (object)", "SELECT e.object_id, count(*), count(DISTINCT e.contact_id) FROM events e INDEXED BY events_type_object WHERE " + emails + ocond + " GROUP BY e.object_id", nil},
		{"reports: page hits of the last 30 days", "SELECT count(*) FROM events e INDEXED BY events_type WHERE e.type = 'page.hit' AND e.at >= ? AND e.at < ?", []any{hi - 30*86400000, hi + 1}},
		{"dashboard refold: one day of page hits", "SELECT contact_id, coalesce(url, ''), coalesce(referrer, '') FROM events INDEXED BY events_type WHERE type = 'page.hit' AND at >= ? AND at < ? AND seq <= ?", []any{day, day + 86400000, top}},
		{"dashboard refold plan: min/max(at) of email.read", "SELECT min(at), max(at) FROM events WHERE type = ?", []any{"email.read"}},
		{"segments scan: visited any URL in the last 30 days", "SELECT count(*) FROM contacts c WHERE c.id IN (SELECT x.contact_id FROM events x WHERE x.type IN (?, ?) AND x.at > ?)", []any{"page.hit", "email.clicked", hi - 30*86400000}},
		{"segments scan: email read in the last 7 days", "SELECT count(*) FROM contacts c WHERE c.id IN (SELECT x.contact_id FROM events x WHERE x.type = ? AND x.at > ?)", []any{"email.read", hi - 7*86400000}},
		{"segments exists: email read in the last 7 days", "SELECT count(*) FROM contacts c WHERE EXISTS (SELECT 1 FROM events x WHERE x.contact_id = c.id AND x.type = ? AND x.at > ?)", []any{"email.read", hi - 7*86400000}},
		{"timeline page, a seeded contact", timeline, []any{normal}},
	}
	if *big != "" {
		qs = append(qs, struct {
			name, q string
			args    []any
		}{"timeline page, the big contact", timeline, []any{*big}})
	}
	fmt.Printf("events_type_object of 0089: %v\n", partial)
	for _, q := range qs {
		var plan []string
		rows, err := d.Query("EXPLAIN QUERY PLAN "+q.q, q.args...)
		must(err)
		for rows.Next() {
			var a, b, c int
			var s string
			must(rows.Scan(&a, &b, &c, &s))
			plan = append(plan, s)
		}
		rows.Close()
		var ms []float64
		var n int
		for i := 0; i < *runs; i++ {
			t0 := time.Now()
			rows, err := d.Query(q.q, q.args...)
			must(err)
			n = 0
			for rows.Next() {
				n++
			}
			must(rows.Err())
			rows.Close()
			ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		}
		sort.Float64s(ms)
		fmt.Printf("%-55s median %8.2f ms  min %8.2f  (%d rows)  %s\n", q.name, ms[len(ms)/2], ms[0], n, strings.Join(plan, "; "))
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
