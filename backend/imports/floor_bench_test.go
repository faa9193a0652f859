package imports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"magpie/backend/db"
	"magpie/backend/ids"
	"magpie/backend/internal/testenv"
)

// BenchmarkRowFloor measures what SQLite alone costs per row of each table an imported
// contact writes (contact, its contact.imported event, its outbox row and row clock),
// with the bulk-mode indexes, 5,000 rows per transaction, 100-row statements and no Go
// work besides binding: the floor under the import's CPU per row (docs/BENCHMARKS.md).
//
//	go test -run '^$' -bench RowFloor -benchtime 50000x ./backend/imports/
func BenchmarkRowFloor(b *testing.B) {
	js := `{"city":"Paris","country":"France","date_added":1700000000000,"date_identified":1700000000000,` +
		`"date_modified":1700000000000,"email":"user1@example.com","firstname":"Zoé","lastname":"Müller",` +
		`"phone":"+33 1 00000001","points":1,"position":"Manager","zipcode":"00001"}`
	tables := []struct {
		name, prefix string
		row          func(i int, id string) []any
	}{
		{"contacts", "INSERT INTO contacts(id, firstname, lastname, email, phone, points, position, company, zipcode, city, country, date_added, date_modified, date_identified, firstname_key, lastname_key)",
			func(i int, id string) []any {
				return []any{id, "Zoé", "Müller", fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("+33 1 %08d", i), int64(i % 100),
					"Manager", nil, fmt.Sprintf("%05d", i), "Paris", "France", int64(1700000000000), int64(1700000000000), int64(1700000000000), "zoe", "muller"}
			}},
		{"events", "INSERT INTO events(id, contact_id, type, at, object_id, object_name, source)",
			func(i int, id string) []any {
				return []any{ids.New(), id, "contact.imported", int64(1700000000000), "imp1", "file.csv", "import"}
			}},
		{"outbox", "INSERT INTO sync_outbox(change_id, tbl, row_id, cols, hlc, site, schema_ver, created_at)",
			func(i int, id string) []any {
				return []any{ids.New(), "contacts", id, js, int64(1700000000000000 + i), "site-abc", int64(80), int64(1700000000000)}
			}},
		{"rowclock", "INSERT INTO sync_row_clock(tbl, row_id, hlc, site, colset)",
			func(i int, id string) []any {
				return []any{"contacts", id, int64(1700000000000000 + i), "site-abc", int64(12345)}
			}},
	}
	b.Run("contacts-json", func(b *testing.B) { jsonFloor(b, tables[0].row) })
	for _, tb := range tables {
		b.Run(tb.name, func(b *testing.B) {
			d, rowIDs := floorStore(b)
			ctx := context.Background()
			const per = 100
			width := len(tb.row(0, "x"))
			q := tb.prefix + " VALUES " + strings.TrimSuffix(strings.Repeat("(?"+strings.Repeat(",?", width-1)+"),", per), ",")
			b.ResetTimer()
			for start := 0; start < b.N; start += 5000 {
				end := min(start+5000, b.N)
				err := d.Write(ctx, func(tx *db.Tx) error {
					for i := start; i+per <= end; i += per {
						args := make([]any, 0, per*width)
						for j := i; j < i+per; j++ {
							args = append(args, tb.row(j, rowIDs[j])...)
						}
						if _, err := tx.Exec(q, args...); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// jsonFloor is the contacts floor with one bound value per statement: the rows as a JSON
// array of arrays, expanded by SQLite (json_each), instead of one bind per value.
func jsonFloor(b *testing.B, row func(i int, id string) []any) {
	d, rowIDs := floorStore(b)
	ctx := context.Background()
	cols := "id, firstname, lastname, email, phone, points, position, company, zipcode, city, country, date_added, date_modified, date_identified, firstname_key, lastname_key"
	n := len(strings.Split(cols, ","))
	sel := make([]string, n)
	for i := range sel {
		sel[i] = fmt.Sprintf("value->>%d", i)
	}
	q := "INSERT INTO contacts(" + cols + ") SELECT " + strings.Join(sel, ", ") + " FROM json_each(?)"
	const per = 500
	b.ResetTimer()
	for start := 0; start < b.N; start += 5000 {
		end := min(start+5000, b.N)
		err := d.Write(ctx, func(tx *db.Tx) error {
			for i := start; i+per <= end; i += per {
				all := make([][]any, 0, per)
				for j := i; j < i+per; j++ {
					all = append(all, row(j, rowIDs[j]))
				}
				js, err := json.Marshal(all)
				if err != nil {
					return err
				}
				if _, err := tx.Exec(q, string(js)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// floorStore is a fresh store with the contacts and events indexes deferred as a bulk
// import defers them, and b.N new row ids.
func floorStore(b *testing.B) (*db.DB, []string) {
	d, _ := testenv.NewDB(b)
	if _, err := d.DeferIndexes(context.Background(), []string{"contacts", "events"}, []string{"contacts_email", "events_contact_type"}); err != nil {
		b.Fatal(err)
	}
	rowIDs := make([]string, b.N)
	for i := range rowIDs {
		rowIDs[i] = ids.New()
	}
	return d, rowIDs
}
