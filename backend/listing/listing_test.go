package listing_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"magpie/backend/listing"
)

// Pages read from the top, after cached anchors and from the other end (Total known) are
// the same as a plain ORDER BY … OFFSET, in both directions, with duplicate keys.
func TestPagesMatchOffset(t *testing.T) {
	d, err := sql.Open("sqlite3", "file:"+t.TempDir()+"/t.db")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec("CREATE TABLE t(id TEXT PRIMARY KEY, k TEXT, deleted INTEGER NOT NULL DEFAULT 0)")
	exec("CREATE INDEX t_k ON t(lower(coalesce(k, '')), id, deleted) WHERE deleted = 0")
	const n = 1000
	for i := 0; i < n; i++ {
		var k any = fmt.Sprintf("K%02d", (i*37)%41) // duplicates, mixed case below
		if i%7 == 0 {
			k = strings.ToLower(k.(string))
		}
		if i%13 == 0 {
			k = nil
		}
		exec("INSERT INTO t(id, k, deleted) VALUES(?, ?, ?)", fmt.Sprintf("id%04d", (i*7919)%n), k, i%50 == 0)
	}
	live := n - n/50
	key := "lower(coalesce(k, ''))"
	want := func(desc bool, off, lim int) []string {
		dir := "ASC"
		if desc {
			dir = "DESC"
		}
		rows, err := d.Query("SELECT id FROM t WHERE deleted = 0 ORDER BY "+key+" "+dir+", id "+dir+" LIMIT ? OFFSET ?", lim, off)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			rows.Scan(&id)
			out = append(out, id)
		}
		return out
	}
	for _, desc := range []bool{false, true} {
		for _, total := range []int{0, live} {
			var a listing.Anchors
			// A jump sequence: deep, back, near the end, the end, sequential pages.
			for _, off := range []int{700, 100, 930, live - 5, 0, 50, 150, 800, 850, 940, live + 10} {
				got, err := listing.IDs(context.Background(), d, &a, listing.Spec{Table: "t", Key: key, Desc: desc, Offset: off, Limit: 50, Total: total})
				if err != nil {
					t.Fatal(err)
				}
				w := want(desc, off, 50)
				if strings.Join(got, ",") != strings.Join(w, ",") {
					t.Fatalf("desc=%v total=%d offset %d:\n got %v\nwant %v", desc, total, off, got, w)
				}
			}
		}
	}
}
