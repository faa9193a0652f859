package cli

import (
	"strings"
	"testing"
)

// magpie db info / compact: page size shown, compact changes it and keeps the contacts,
// bad flags are usage errors.
func TestDBCommands(t *testing.T) {
	dir := t.TempDir()
	steps := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"no store yet", []string{"db", "info"}, 1, "", "no store at"},
		{"seed", []string{"seed", "--contacts", "50"}, 0, "", "created 50 contacts"},
		{"info", []string{"db", "info", "--json"}, 0, `"pageSize": 16384`, ""},
		{"compact", []string{"db", "compact", "--page-size", "8192"}, 0, "", "page size 16384 → 8192"},
		{"info after", []string{"db", "info"}, 0, "page size   8192 bytes", ""},
		{"contacts kept", []string{"contacts", "list", "--limit", "1"}, 0, "", "1 of 50 contacts"},
		{"pack again", []string{"db", "compact", "--json"}, 0, `"PageSizeAfter": 8192`, ""},
		{"bad page size", []string{"db", "compact", "--page-size", "1000"}, 2, "", "power of two"},
		{"unknown", []string{"db", "shrink"}, 2, "", `unknown subcommand "shrink"`},
	}
	for _, s := range steps {
		code, out, errOut := magpie(t, dir, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errOut, s.err) {
			t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", s.name, code, s.code, out, errOut)
		}
	}
}
