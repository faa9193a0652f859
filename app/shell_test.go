package app

import (
	"context"
	"testing"

	"magpie/backend/core"
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
