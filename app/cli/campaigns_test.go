package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI contract of issue 7: import, publish (refused with the problems, then accepted),
// run --now, show, simulate --json, export; usage errors exit 2.
func TestCampaignsCommands(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	events := write("ev.jsonl", `{"type":"page_hit","email":"ann@x.io","url":"https://shop.io/pricing","at":"2026-01-02T10:00:00Z"}
{"type":"page_hit","email":"bob@x.io","url":"https://shop.io/blog","at":"2026-01-02T10:00:00Z"}
`)
	all := write("all.json", `[{"glue":"and","field":"email","object":"lead","type":"email","operator":"!empty"}]`)
	if code, _, e := magpie(t, dir, "import", "events", events); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := magpie(t, dir, "segments", "create", "--name", "All", "--alias", "all", "--filters", all); code != 0 {
		t.Fatal(e)
	}
	graph := func(extra string) string {
		return `{"name":"Welcome","graph":{"sources":[{"id":"s","type":"segment","ids":["all"]}],"events":[
			{"id":"t","name":"Tag","kind":"action","type":"contact.tags","parent":null,"path":"","trigger":{"mode":"interval","interval":1,"unit":"d"},"props":{"add":["welcomed"]}}` + extra + `]}}`
	}
	broken := write("broken.json", graph(`,{"id":"j","kind":"action","type":"jump","parent":"t","props":{"event":"t"}}`))
	good := write("good.json", graph(""))
	code, out, errOut := magpie(t, dir, "campaigns", "import", broken, "--json")
	if code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	var c struct{ ID string }
	json.Unmarshal([]byte(out), &c)
	code, _, errOut = magpie(t, dir, "campaigns", "publish", c.ID)
	if code != 1 || !strings.Contains(errOut, "leads back to this jump") {
		t.Fatalf("publish broken: %d %s", code, errOut)
	}
	code, out, _ = magpie(t, dir, "campaigns", "import", good, "--json")
	json.Unmarshal([]byte(out), &c)
	steps := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"publish", []string{"campaigns", "publish", c.ID}, 0, "(published, v1): 2 members", ""},
		{"run now: nothing due yet", []string{"campaigns", "run", "--once"}, 0, "0 steps", ""},
		{"simulate", []string{"campaigns", "simulate", c.ID, "--from", "2030-01-01T00:00:00Z", "--to", "2030-01-03T00:00:00Z", "--json"}, 0, `"done": 2`, ""},
		{"run a day later", []string{"campaigns", "run", "--now", "2099-01-01T00:00:00Z"}, 0, "2 steps (2 done, 0 failed)", ""},
		{"show", []string{"campaigns", "show", c.ID}, 0, "done 2, scheduled 0", ""},
		{"list", []string{"campaigns", "list", "--json"}, 0, `"name": "Welcome"`, ""},
		{"export", []string{"campaigns", "export", c.ID, filepath.Join(dir, "out.json")}, 0, "exported", ""},
		{"bad now", []string{"campaigns", "run", "--now", "noon"}, 2, "", "RFC 3339"},
		{"simulate needs from/to", []string{"campaigns", "simulate", c.ID}, 2, "", "--from and --to"},
		{"unknown", []string{"campaigns", "frobnicate"}, 2, "", "unknown subcommand"},
		{"show missing", []string{"campaigns", "show", "nope"}, 1, "", `no campaign "nope"`},
		{"show needs an id", []string{"campaigns", "show"}, 2, "", "want the campaign id"},
		{"unpublish", []string{"campaigns", "unpublish", c.ID}, 0, "Welcome", ""},
		{"delete", []string{"campaigns", "delete", c.ID}, 0, "deleted " + c.ID, ""},
		{"restore", []string{"campaigns", "restore", c.ID}, 0, "restored " + c.ID, ""},
		{"show restored", []string{"campaigns", "show", c.ID}, 0, "done 2", ""},
	}
	for _, s := range steps {
		code, out, errOut := magpie(t, dir, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errOut, s.err) {
			t.Errorf("%s: code %d (want %d)\nout: %s\nerr: %s", s.name, code, s.code, out, errOut)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "out.json")); !strings.Contains(string(b), `"format": "magpie.campaign/1"`) {
		t.Errorf("export file: %s", b)
	}
}
