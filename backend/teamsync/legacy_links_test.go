package teamsync

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/ids"
)

// A tag link made by an older desktop has an ids.Derived id; a newer desktop that receives
// it through sync must untag and retag that very row (contacts.TagLinkIDs), so both
// desktops converge on one link row, not two.
func TestLegacyLinkIDSync(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c := newClient(t, srv.URL())
	type rep struct {
		*replica
		cs *contacts.Service
	}
	mk := func(name string) rep {
		r := newReplica(t, name, c, 0, Options{NoClockCorrection: true, PageSize: 500})
		fs, err := fields.New(ctx, r.d)
		if err != nil {
			t.Fatal(err)
		}
		return rep{r, contacts.New(r.d, fs)}
	}
	a, b := mk("a"), mk("b")
	ann, err := a.cs.Create(ctx, contacts.Input{Values: map[string]string{"email": "ann@example.com"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	legacy := ids.Derived("contact_tag", ann.ID, contacts.TagID("vip"))
	a.write(t, func(tx *db.Tx) error { // what an older desktop wrote
		tid, err := contacts.NewOps(tx, "test").EnsureTag("vip")
		if err != nil {
			return err
		}
		return tx.Insert("contact_tags", legacy, db.Cols{"contact_id": ann.ID, "tag_id": tid, "date_added": tx.NowMs()})
	})
	links := func(r rep) string {
		t.Helper()
		rows, err := r.d.R.Query("SELECT id, deleted FROM contact_tags ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			var del int
			rows.Scan(&id, &del)
			if id == legacy {
				id = "legacy"
			}
			out = append(out, id+map[int]string{0: " live", 1: " trashed"}[del])
		}
		return strings.Join(out, ", ")
	}
	syncAll := func() {
		for i := 0; i < 2; i++ {
			a.sync(t)
			b.sync(t)
		}
	}
	syncAll()
	steps := []struct {
		name string
		r    rep
		add  []string
		rm   []string
		want string
	}{
		{"b untags the legacy row", b, nil, []string{"vip"}, "legacy trashed"},
		{"a retags it", a, []string{"vip"}, nil, "legacy live"},
		{"b tags again: no new row", b, []string{"VIP"}, nil, "legacy live"},
		{"b untags", b, nil, []string{"Vip"}, "legacy trashed"},
	}
	for _, st := range steps {
		st.r.clk.Advance(time.Minute)
		if _, err := st.r.cs.Tag(ctx, []string{ann.ID}, st.add, st.rm, "test"); err != nil {
			t.Fatal(err)
		}
		syncAll()
		if la, lb := links(a), links(b); la != st.want || lb != st.want {
			t.Fatalf("%s: a has %q, b has %q, want %q on both", st.name, la, lb, st.want)
		}
	}
	if da, dbb := a.dumpTable(t, "contact_tags"), b.dumpTable(t, "contact_tags"); da != dbb {
		t.Fatalf("contact_tags differ:\na: %s\nb: %s", da, dbb)
	}
}

// dumpTable is the rows of a table as text (every column), sorted by id.
func (r *replica) dumpTable(t tb, table string) string {
	rows, err := r.d.R.Query("SELECT * FROM " + table + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if s, ok := v.([]byte); ok {
				v = string(s)
			}
			b.WriteString(cols[i])
			b.WriteByte('=')
			fmt.Fprint(&b, v)
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	return b.String()
}
