package app

import (
	"context"
	"fmt"
	"testing"

	"magpie/backend/core"
	"magpie/backend/db"
)

// newShell opens a core on dir (a new temporary one when "") and a browser-mode shell on
// it; the core closes when the test ends.
func newShell(t *testing.T, dir string) *Shell {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	c, err := core.Open(context.Background(), dir, core.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return NewShell(c, Browser, nil)
}

// exec runs statements in one write on sh's store (fixtures), failing the test on the first
// error.
func exec(t *testing.T, sh *Shell, stmts ...string) {
	t.Helper()
	err := sh.core.DB.Write(context.Background(), func(tx *db.Tx) error {
		for _, q := range stmts {
			if _, err := tx.Exec(q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
