package seed_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
	"magpie/backend/seed"
)

func fmtAny(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

// TestSeedAggregates: the aggregates the seed writes set-based are the ones events.Append
// writes when the same behaviour events are appended one by one, in time order.
func TestSeedAggregates(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{1, 300} {
		cs := newContacts(t)
		if _, err := seed.Run(ctx, cs, seed.Options{Contacts: n, Companies: -1, Events: 6 * n, Seed: 5, BatchSize: 64}, nil); err != nil {
			t.Fatal(err)
		}
		rows, err := cs.DB().R.Query(`SELECT id, contact_id, type, at, coalesce(url, '') FROM events
			WHERE type IN ('page.hit', 'email.sent', 'email.read', 'email.clicked') ORDER BY at, seq`)
		if err != nil {
			t.Fatal(err)
		}
		var evs []events.Event
		for rows.Next() {
			var e events.Event
			var at int64
			if err := rows.Scan(&e.ID, &e.ContactID, &e.Type, &at, &e.URL); err != nil {
				t.Fatal(err)
			}
			e.At = time.UnixMilli(at)
			evs = append(evs, e)
		}
		rows.Close()
		if len(evs) != 6*n {
			t.Fatalf("%d behaviour events, want %d", len(evs), 6*n)
		}
		other, _ := testenv.NewDB(t)
		if err := other.Write(ctx, func(tx *db.Tx) error {
			for _, e := range evs {
				if _, err := events.Append(tx, e); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		got, want := dump(t, cs.DB()), dump(t, other)
		if got != want {
			t.Fatalf("n=%d: seeded aggregates differ from appended ones:\nseed:\n%.2000s\nappend:\n%.2000s", n, got, want)
		}
		if !strings.Contains(got, "|") {
			t.Fatalf("n=%d: no aggregates at all", n)
		}
	}
}

func dump(t *testing.T, d *db.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT contact_id, hits, page_hits, sessions, coalesce(first_hit_at, -1), coalesce(last_hit_at, -1),
			emails_sent, emails_read, emails_clicked, downloads FROM contact_stats ORDER BY contact_id`,
		`SELECT coalesce(u.url, ''), c.contact_id, c.n, c.first_at, c.last_at FROM contact_urls c LEFT JOIN urls u ON u.id = c.url_id
			ORDER BY 2, 1`,
	} {
		rows, err := d.R.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if i > 0 {
					b.WriteByte('|')
				}
				b.WriteString(strings.TrimSpace(strings.ReplaceAll(fmtAny(v), "\n", " ")))
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}
