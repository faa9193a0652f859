package seed_test

import (
	"context"
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/seed"
)

func newContacts(t *testing.T) *contacts.Service {
	t.Helper()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return contacts.New(d, fs)
}

// fingerprint is every contact's generated values (ids and tag order aside), in email order.
func fingerprint(t *testing.T, cs *contacts.Service) string {
	t.Helper()
	rows, err := cs.DB().R.Query(`SELECT coalesce(email,''), coalesce(firstname,''), coalesce(lastname,''), coalesce(city,''),
		points, coalesce(plan,''), coalesce(birthday,''), date_added FROM contacts ORDER BY email, date_added`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var e, f, l, c, plan, bd string
		var p, at int64
		if err := rows.Scan(&e, &f, &l, &c, &p, &plan, &bd, &at); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join([]string{e, f, l, c, plan, bd}, "|"))
		b.WriteString("\n")
	}
	return b.String()
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		opt  seed.Options
		want seed.Result
	}{
		{"defaults", seed.Options{Contacts: 500, Companies: -1, Events: -1, Seed: 7, BatchSize: 128}, seed.Result{Contacts: 500, Companies: 10, Events: 1000}},
		{"explicit", seed.Options{Contacts: 300, Companies: 3, Events: 50, Seed: 7}, seed.Result{Contacts: 300, Companies: 3, Events: 50}},
		{"empty", seed.Options{Contacts: 0, Companies: 0, Events: 0}, seed.Result{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs := newContacts(t)
			res, err := seed.Run(ctx, cs, c.opt, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res != c.want {
				t.Fatalf("result %+v, want %+v", res, c.want)
			}
			var n, extra, accented, custom int
			db := cs.DB().R
			db.QueryRow("SELECT count(*) FROM contacts").Scan(&n)
			db.QueryRow("SELECT count(*) FROM events WHERE source = 'seed' AND type IN ('page.hit','email.sent','email.read','email.clicked')").Scan(&extra)
			db.QueryRow("SELECT count(*) FROM contacts WHERE firstname GLOB '*[^ -~]*' OR lastname GLOB '*[^ -~]*'").Scan(&accented)
			if n != c.want.Contacts || extra != c.want.Events {
				t.Fatalf("stored %d contacts, %d events", n, extra)
			}
			if n > 100 && accented == 0 {
				t.Fatal("no accented names")
			}
			// Contacts are stored in the order they were added (the seed keeps the
			// date-led indexes during big loads because they then only append).
			var unordered int
			db.QueryRow("SELECT count(*) FROM contacts a JOIN contacts b ON b.rowid = a.rowid + 1 WHERE b.date_added < a.date_added").Scan(&unordered)
			if unordered != 0 {
				t.Fatalf("%d contacts added before the one stored before them", unordered)
			}
			// last_active is never before the contact's last visit, open or click.
			var stale int
			db.QueryRow(`SELECT count(*) FROM contacts c WHERE coalesce(last_active, 0) < (SELECT coalesce(max(at), 0)
				FROM events e WHERE e.contact_id = c.id AND type IN ('page.hit','email.read','email.clicked'))`).Scan(&stale)
			if stale != 0 {
				t.Fatalf("%d contacts active after their last_active", stale)
			}
			cf, _ := cs.Fields().Custom(ctx, fields.Contact)
			custom = len(cf)
			if custom != 10 {
				t.Fatalf("%d custom fields, want 10", custom)
			}
		})
	}
}

func TestSeedDeterministic(t *testing.T) {
	ctx := context.Background()
	a, b, other := newContacts(t), newContacts(t), newContacts(t)
	for _, x := range []struct {
		cs   *contacts.Service
		seed uint64
	}{{a, 42}, {b, 42}, {other, 43}} {
		if _, err := seed.Run(ctx, x.cs, seed.Options{Contacts: 200, Companies: -1, Events: -1, Seed: x.seed}, nil); err != nil {
			t.Fatal(err)
		}
	}
	fa, fb, fo := fingerprint(t, a), fingerprint(t, b), fingerprint(t, other)
	if fa != fb {
		t.Fatal("the same seed gave different data")
	}
	if fa == fo {
		t.Fatal("different seeds gave the same data")
	}
	// Seeding again adds new contacts without email clashes.
	if _, err := seed.Run(ctx, a, seed.Options{Contacts: 200, Companies: 0, Events: 0, Seed: 42}, nil); err != nil {
		t.Fatal(err)
	}
	var n, distinct int
	a.DB().R.QueryRow("SELECT count(email), count(DISTINCT email) FROM contacts").Scan(&n, &distinct)
	if n != distinct {
		t.Fatalf("%d emails but %d distinct after seeding twice", n, distinct)
	}
}
