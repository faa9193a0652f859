package imports

import (
	"slices"
	"testing"

	"magpie/backend/db"
)

// TestPrepare: the reader's split of a batch keeps apply's rules — an empty row is ignored,
// a later row of an email new in the batch merges into its contact (blanks never
// overwrite, tags add up), and every row of an email the import may have written goes to
// the writer in file order.
func TestPrepare(t *testing.T) {
	seen := newSeenEmails(100)
	seen.add("old@x.com") // written by an earlier batch
	rows := []row{
		{line: 2, vals: db.Cols{"email": "a@x.com", "firstname": "Ann"}, email: "a@x.com", tags: []string{"t1"}},
		{line: 3}, // nothing to import
		{line: 4, vals: db.Cols{"email": "old@x.com", "firstname": "Old"}, email: "old@x.com"},
		{line: 5, vals: db.Cols{"email": "A@x.com", "lastname": "Lee", "city": nil}, email: "a@x.com", tags: []string{"t2"}},
		{line: 6, vals: db.Cols{"firstname": "NoMail"}},
		{line: 7, vals: db.Cols{"email": "old@x.com", "lastname": "Again"}, email: "old@x.com"},
	}
	p := plan{aliases: []string{"email", "firstname", "lastname", "city"}}
	rd := prepare(Record{ID: "imp"}, p, rows, 1_000, seen)
	if rd.err != nil {
		t.Fatal(rd.err)
	}
	if rd.ins != 2 || rd.upd != 1 || rd.ign != 1 {
		t.Fatalf("inserted %d, updated %d, ignored %d; want 2, 1, 1", rd.ins, rd.upd, rd.ign)
	}
	var restLines []int64
	for _, r := range rd.rest {
		restLines = append(restLines, r.line)
	}
	if !slices.Equal(restLines, []int64{4, 7}) {
		t.Fatalf("rows left to the writer: lines %v, want [4 7]", restLines)
	}
	got := rd.prep.Rows()
	if len(got) != 2 || got[0].ID == "" || got[1].ID == "" {
		t.Fatalf("prepared %d contacts: %+v", len(got), got)
	}
	a := got[0]
	if a.Vals["firstname"] != "Ann" || a.Vals["lastname"] != "Lee" || a.Vals["email"] != "A@x.com" {
		t.Fatalf("merged contact %v", a.Vals)
	}
	if _, ok := a.Vals["city"]; ok {
		t.Fatalf("a NULL cell of a new contact was kept: %v", a.Vals)
	}
	if !slices.Equal(a.Tags, []string{"t1", "t2"}) {
		t.Fatalf("tags %v", a.Tags)
	}
	for _, e := range []string{"a@x.com", "old@x.com"} {
		if !seen.mayHave(e) {
			t.Fatalf("%s not remembered", e)
		}
	}
}
