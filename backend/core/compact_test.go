package core

import (
	"context"
	"path/filepath"
	"testing"

	"magpie/backend/db"
	"magpie/backend/seed"
)

// A packed store (magpie db compact) is the same installation: team sync keeps its site id
// (it takes a new one for a copied file), and every contact is there.
func TestCompactKeepsSiteID(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(ctx, c.Contacts, seed.Options{Contacts: 200, Seed: 1}, nil); err != nil {
		t.Fatal(err)
	}
	site, err := c.DB.Meta(ctx, "sync.site")
	if err != nil || site == "" {
		t.Fatalf("site %q (%v)", site, err)
	}
	before, err := c.Contacts.Count(ctx, "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := db.Compact(ctx, filepath.Join(dir, db.FileName), db.CompactOptions{PageSize: 16384}); err != nil {
		t.Fatal(err)
	}
	c, err = Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, _ := c.DB.Meta(ctx, "sync.site"); got != site {
		t.Fatalf("site id %q after compact, want %q", got, site)
	}
	if after, err := c.Contacts.Count(ctx, "", nil, false); err != nil || after != before {
		t.Fatalf("%d contacts (%v), want %d", after, err, before)
	}
	if ps, _ := c.DB.PageSize(ctx); ps != 16384 {
		t.Fatalf("page size %d", ps)
	}
}
