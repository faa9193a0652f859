package contacts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/internal/testenv"
	"magpie/backend/listing"
)

// Grid pages of every sort, read by jumps from the sparse anchor index, equal a plain
// ORDER BY … OFFSET before and after the service's writes: creates, key and non-key
// updates, deletes and restores, each invalidating only what it may have moved.
func TestSparseAnchorsAfterWrites(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	contacts.SetSparseStep(s, 23)
	d := s.DB()
	var rows []contacts.NewContact
	first := []string{"Élodie", "Zoé", "anaïs", "Marc", "marc", "", "Ünal", "Björn"}
	for i := 0; i < 400; i++ {
		vals := db.Cols{"firstname": first[i%len(first)], "lastname": fmt.Sprintf("Nom%02d", (i*17)%31), "city": []string{"Paris", "lyon", "", "Zürich"}[i%4]}
		if i%9 != 0 {
			vals["email"] = fmt.Sprintf("u%03d@example.com", (i*7)%400)
		}
		rows = append(rows, contacts.NewContact{Vals: vals, Points: int64(i % 13), At: testenv.Epoch.Add(time.Duration(i%50) * time.Minute)})
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		return contacts.NewOps(tx, "test").CreateMany([]string{"firstname", "lastname", "city", "email"}, rows, contacts.BulkOpts{})
	}); err != nil {
		t.Fatal(err)
	}
	want := func(sort string, desc bool, trash bool, off, lim int) []string {
		spec := listing.Spec{Table: "contacts", Key: contacts.Sorts[sort], Desc: desc, Deleted: trash}
		if trash {
			spec.Key, spec.Desc = "coalesce(deleted_at, 0)", true
		}
		dir := map[bool]string{false: "ASC", true: "DESC"}[spec.Desc]
		q := fmt.Sprintf("SELECT id FROM contacts NOT INDEXED WHERE deleted = %v ORDER BY %s %s, rowid %s LIMIT ? OFFSET ?", map[bool]int{false: 0, true: 1}[trash], spec.Key, dir, dir)
		r, err := d.R.Query(q, lim, off)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var out []string
		for r.Next() {
			var id string
			if err := r.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	check := func(what string) {
		t.Helper()
		for sort := range contacts.Sorts {
			for _, desc := range []bool{false, true} {
				for _, trash := range []bool{false, true} {
					p, err := s.List(ctx, contacts.Query{Sort: sort, Desc: desc, Deleted: trash, Limit: 1})
					if err != nil {
						t.Fatal(err)
					}
					contacts.WaitAnchors(s) // the first page started the background build
					if p.Total >= 23 && s.SparseAnchors(sort, trash) == 0 {
						t.Fatalf("%s: no sparse index for %s (trash %v) after a page", what, sort, trash)
					}
					for off := 0; off <= p.Total+2; off += 19 {
						got, err := s.List(ctx, contacts.Query{Sort: sort, Desc: desc, Deleted: trash, Offset: off, Limit: 17, Columns: []string{"email"}})
						if err != nil {
							t.Fatal(err)
						}
						ids := make([]string, len(got.Rows))
						for i, c := range got.Rows {
							ids[i] = c.ID
						}
						if w := want(sort, desc, trash, off, 17); strings.Join(ids, ",") != strings.Join(w, ",") {
							t.Fatalf("%s: sort %s desc=%v trash=%v offset %d:\n got %v\nwant %v", what, sort, desc, trash, off, ids, w)
						}
					}
				}
			}
		}
	}
	check("seeded")

	all, err := s.IDs(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	// A non-key write (tags) keeps every sparse index; a key update drops only its own.
	if _, err := s.Tag(ctx, all[:50], []string{"vip"}, nil, "test"); err != nil {
		t.Fatal(err)
	}
	if s.SparseAnchors("email", false) == 0 || s.SparseAnchors("lastname", false) == 0 {
		t.Fatal("tagging contacts dropped the sparse indexes")
	}
	if _, err := s.Update(ctx, all[7], map[string]string{"email": "aaa-first@example.com"}, "test"); err != nil {
		t.Fatal(err)
	}
	if s.SparseAnchors("email", false) != 0 {
		t.Fatal("an email update left the email sparse index valid")
	}
	if s.SparseAnchors("city", false) == 0 {
		t.Fatal("an email update dropped the city sparse index")
	}
	check("after an email update")

	// Creates, deletes (some of them sparse anchor rows) and restores move every order.
	for i := 0; i < 30; i++ {
		if _, err := s.Create(ctx, contacts.Input{Values: map[string]string{"firstname": "Aaron", "lastname": fmt.Sprintf("Abel%02d", i), "email": fmt.Sprintf("new%02d@example.com", i)}}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if s.SparseAnchors("city", false) != 0 {
		t.Fatal("a create left the sparse indexes valid")
	}
	check("after creates")
	if _, err := s.Delete(ctx, all[20:90], "test"); err != nil {
		t.Fatal(err)
	}
	if s.SparseAnchors("city", false) != 0 || s.SparseAnchors("city", true) != 0 {
		t.Fatal("a delete left the sparse indexes valid")
	}
	check("after deletes")
	if _, err := s.Restore(ctx, all[40:45], "test"); err != nil {
		t.Fatal(err)
	}
	if s.SparseAnchors("email", false) != 0 {
		t.Fatal("a restore left the sparse indexes valid")
	}
	check("after restores")
}

// The trash order (newest deletion first), from the top, from an anchor and counted after
// one, walks a covering index without sorting (migration 0009): its pages and its sparse
// anchor index never sort the whole trash.
func TestTrashPlanCovering(t *testing.T) {
	d, _ := testenv.NewDB(t)
	spec := listing.Spec{Table: "contacts", Key: "coalesce(deleted_at, 0)", Desc: true, Deleted: true, Offset: 1000, Limit: 50}
	for _, anchored := range []bool{false, true} {
		for _, desc := range []bool{true, false} {
			spec.Desc = desc
			q, args := listing.QuerySQL(spec, anchored)
			p := bounded(testenv.QueryPlan(t, d.R.Query, q, args...))
			if !strings.Contains(p, "COVERING INDEX contacts_trash_sort") || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("trash anchored=%v desc=%v: plan %q does not walk contacts_trash_sort", anchored, desc, p)
			}
		}
	}
}
