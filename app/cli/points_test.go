package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI contract of issue 8 (points part): definitions, a live url.hit action fed by an
// imported page hit, manual adjustments (negative numbers, groups), stages.
func TestPointsCommands(t *testing.T) {
	dir := t.TempDir()
	evs := filepath.Join(dir, "ev.jsonl")
	if err := os.WriteFile(evs, []byte(`{"type":"page_hit","email":"ann@x.io","url":"https://shop.io/pricing","at":"2026-01-02T10:00:00Z"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"group", []string{"points", "groups", "create", "--name", "Docs"}, 0, "created", ""},
		{"action", []string{"points", "actions", "create", "--name", "Pricing", "--type", "url.hit", "--delta", "15", "--url", "*/pricing"}, 0, "created", ""},
		{"action bad", []string{"points", "actions", "create", "--name", "Bad", "--type", "url.hit", "--delta", "5"}, 1, "", "page_url"},
		{"hit scores live", []string{"import", "events", evs}, 0, "1 events stored", ""},
		{"show", []string{"points", "show", "ann@x.io"}, 0, ": 15 points, Docs 0", ""},
		{"adjust negative", []string{"points", "adjust", "ann@x.io", "-5", "--reason", "oops"}, 0, ": 10 points", ""},
		{"adjust group", []string{"points", "adjust", "ann@x.io", "7", "--group", "Docs"}, 0, "10 points, Docs 7", ""},
		{"adjust unknown group", []string{"points", "adjust", "ann@x.io", "7", "--group", "Nope"}, 1, "", `no point group "Nope"`},
		{"adjust zero", []string{"points", "adjust", "ann@x.io", "0"}, 2, "", "non-zero"},
		{"actions list", []string{"points", "actions", "list", "--json"}, 0, `"contacts": 1`, ""},
		{"groups list", []string{"points", "groups", "list", "--json"}, 0, `"name": "Docs"`, ""},
		{"triggers list", []string{"points", "triggers", "list", "--json"}, 0, "[]", ""},
		{"stage create", []string{"stages", "create", "--name", "MQL", "--weight", "20"}, 0, "created", ""},
		{"stage create lead", []string{"stages", "create", "--name", "Lead", "--weight", "10"}, 0, "created", ""},
		{"stage set", []string{"stages", "set", "ann@x.io", "MQL"}, 0, "changed", ""},
		{"stage forward only", []string{"stages", "set", "ann@x.io", "Lead", "--forward-only"}, 0, "backward", ""},
		{"stages list", []string{"stages", "list", "--json"}, 0, `"contacts": 1`, ""},
		{"usage", []string{"points"}, 2, "", "missing subcommand"},
		{"usage nested", []string{"points", "triggers"}, 2, "", "missing subcommand"},
		{"unknown nested", []string{"points", "groups", "apply"}, 2, "", `unknown subcommand "apply"`},
		{"unknown", []string{"points", "nope"}, 2, "", `unknown subcommand "nope"`},
		{"help", []string{"points", "--help"}, 0, "magpie points actions create", ""},
		{"stages unknown", []string{"stages", "move"}, 2, "", `unknown subcommand "move"`},
		{"stages usage", []string{"stages"}, 2, "", "missing subcommand"},
	}
	for _, s := range steps {
		code, out, errOut := magpie(t, dir, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errOut, s.err) {
			t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", s.name, code, s.code, out, errOut)
		}
	}
}
