package db

import (
	"os"
	"path/filepath"
	"testing"
)

// A data dir with '#', '?' or '%' in its name opens the file inside it, not a truncated path.
func TestOpenPathWithURICharacters(t *testing.T) {
	for _, name := range []string{"a#1", "b?x=1", "c%41"} {
		dir := filepath.Join(t.TempDir(), name)
		d, err := OpenDir(dir, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d.Close()
		if _, err := os.Stat(filepath.Join(dir, "magpie.db")); err != nil {
			t.Errorf("%s: the store is not inside the dir: %v", name, err)
		}
	}
}
