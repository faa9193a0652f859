package imports_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/core"
	"magpie/backend/db"
	"magpie/backend/imports"
)

// importState is what an import leaves: contacts with their values and tags, the event
// log, the sync records, the import's counters and its rejected lines.
func importState(t *testing.T, d *db.DB, id string) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT count(*) || ' ' || group_concat(email || '/' || coalesce(firstname, '') || '/' || coalesce(lastname, '') || '/' || coalesce(city, '')
			|| '/' || coalesce(phone, '') || '/' || points, ',') FROM (SELECT * FROM contacts ORDER BY email)`,
		`SELECT (SELECT count(*) FROM contact_tags) || ' ' || (SELECT count(*) FROM company_contacts) || ' ' || (SELECT count(*) FROM companies)
			|| ' ' || (SELECT count(*) FROM events) || ' ' || (SELECT group_concat(DISTINCT type) FROM events)
			|| ' ' || (SELECT count(*) FROM sync_row_clock) || ' ' || (SELECT coalesce(sum(n), 0) FROM sync_outbox_batch)
			|| ' ' || (SELECT count(*) FROM meta WHERE k = 'bulk.deferred_indexes')`,
		`SELECT status || ' ' || inserted || ' ' || updated || ' ' || ignored || ' ' || failed FROM imports WHERE id = '` + id + `'`,
		`SELECT coalesce(group_concat(line, ','), '') FROM (SELECT line FROM import_errors ORDER BY line)`,
		`SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('contacts', 'company_contacts') ORDER BY name)`,
	} {
		var s string
		if err := d.R.QueryRow(q).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		b.WriteString(s + "\n")
	}
	return b.String()
}

// runImport imports csv into a new store, in a side file (RunFresh, installed) when fresh,
// and returns the store's importState and the side file ("" when it ran in place).
func runImport(t *testing.T, csv string, fresh bool, before func(*core.Core)) (string, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	c, err := core.Open(ctx, dir, core.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if before != nil {
		before(c)
	}
	r, err := c.Imports.Create(ctx, csv, imports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	side := ""
	if fresh {
		if side, err = c.Imports.RunFresh(ctx, r.ID, nil); err != nil {
			t.Fatal(err)
		}
	} else if err := c.Imports.Run(ctx, r.ID, nil); err != nil {
		t.Fatal(err)
	}
	if side != "" {
		path := c.DB.Path
		c.Close()
		if err := db.InstallFile(path, side); err != nil {
			t.Fatal(err)
		}
		if c, err = core.Open(ctx, dir, core.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	defer c.Close()
	return importState(t, c.DB, r.ID), side
}

// sameState fails t where the side file's state differs from the in-place one's.
func sameState(t *testing.T, got, want string) {
	t.Helper()
	if g, w := strings.Split(got, "\n"), strings.Split(want, "\n"); len(g) != len(w) {
		t.Fatalf("side file: %d lines of state, in place %d", len(g), len(w))
	} else {
		for i := range g {
			if g[i] != w[i] {
				t.Errorf("state line %d: side file gives %.300s…, in place %.300s…", i, g[i], w[i])
			}
		}
	}
}

// TestRunFresh: into a store without contacts a big import runs in a side file and, once
// installed, the store holds what the same import run in place gives — contacts merged by
// email, rejected lines, events, sync records, indexes; into a store with contacts it runs
// in place.
func TestRunFresh(t *testing.T) {
	ctx := context.Background()
	csv := writeCSV(t, t.TempDir(), 55000) // > 4 MiB: a bulk import
	f, err := os.OpenFile(csv, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "user7@example.com;Zoé;Autre;Lyon;France;;3;;;")      // a duplicate of line 9: merged
	fmt.Fprintln(f, "not-an-email;Jürgen;Müller;Paris;France;;1;;;")      // rejected
	fmt.Fprintln(f, "user55001@example.com;José;;;;;2;Dev;Acme SA;75001") // new
	f.Close()

	run := func(t *testing.T, fresh bool, before func(*core.Core)) (string, string) {
		return runImport(t, csv, fresh, before)
	}
	want, _ := run(t, false, nil)
	if !strings.Contains(want, "\ndone 55001 1 0 1\n") { // 55,000 + 1 new, 1 merged, 1 rejected
		t.Fatalf("in place: %.300s", want[strings.Index(want, "\n")+1:])
	}
	got, side := run(t, true, nil)
	if side == "" {
		t.Fatal("a big import into a store without contacts did not run in a side file")
	}
	sameState(t, got, want)
	_, side = run(t, true, func(c *core.Core) {
		if _, err := c.Contacts.Create(ctx, contacts.Input{Values: map[string]string{"email": "someone@example.com"}}, "test"); err != nil {
			t.Fatal(err)
		}
	})
	if side != "" {
		t.Fatal("an import into a store with contacts ran in a side file")
	}
}
