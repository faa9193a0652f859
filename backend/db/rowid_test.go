package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// Contacts keep their rowids through Compact (VACUUM INTO, then a rename) and through a
// side file's copy (VACUUM INTO) and install, holes left by deletes included: listing's
// stored sparse anchors name rowids (migration 0093), and SQLite keeps the rowids of a
// table that has indexes when it copies it.
func TestRowidsSurviveCompact(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Write(ctx, func(tx *Tx) error {
		for _, q := range []string{
			`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)
			 INSERT INTO contacts(id, email, date_added, date_modified) SELECT printf('c%05d', i * 7919 % 3000), printf('u%d@x.fr', i), i, i FROM s`,
			"DELETE FROM contacts WHERE rowid % 3 = 0 OR rowid < 100",
			"UPDATE contacts SET deleted = 1, deleted_at = 5 WHERE rowid % 7 = 0",
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rowids := func(t *testing.T, p string) string {
		t.Helper()
		c, err := sql.Open(DriverName, "file:"+p+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var s string
		if err := c.QueryRow("SELECT group_concat(rowid || '=' || id, ',') FROM (SELECT rowid, id FROM contacts ORDER BY rowid)").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := rowids(t, path)

	side, err := d.CopyToScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := rowids(t, side); got != want {
		t.Fatal("rowids of contacts changed in the side file's copy")
	}
	sd, err := OpenScratch(side, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.CloseScratch(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := InstallFile(path, side); err != nil {
		t.Fatal(err)
	}
	if got := rowids(t, path); got != want {
		t.Fatal("rowids of contacts changed when the side file was installed")
	}
	if _, err := Compact(ctx, path, CompactOptions{PageSize: 8192}); err != nil {
		t.Fatal(err)
	}
	if got := rowids(t, path); got != want {
		t.Fatal("rowids of contacts changed by Compact")
	}
}
