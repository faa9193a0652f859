package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI contract of issue 3: import events, preview, create, members, manual add/remove,
// rebuild, Mautic import with a clear error for unknown filters.
func TestSegmentsCommands(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	events := write("ev.jsonl", `{"type":"page_hit","email":"ann@x.io","url":"https://shop.io/pricing","at":"2026-01-02T10:00:00Z","utm_source":"nl"}
{"type":"page_hit","email":"bob@x.io","url":"https://shop.io/blog","at":"2026-01-02T10:00:00Z"}
{"type":"email_read","email":"bob@x.io","email_name":"Welcome","at":"2026-01-03 09:00:00"}
{"type":"nope","email":"bob@x.io","at":"2026-01-03"}
`)
	pricing := write("pricing.json", `[{"glue":"and","object":"behaviors","field":"hit_url","type":"text","operator":"contains","properties":{"filter":"pricing"}}]`)
	bad := write("bad.json", `[{"glue":"and","field":"city","operator":"=","properties":{"filter":"x"}},{"glue":"or","field":"shoe_size","operator":"=","properties":{"filter":"42"}}]`)
	mautic := write("mautic.json", `{"list":{"id":7,"name":"Readers","alias":"readers","isPublished":true,
		"filters":[{"glue":"and","object":"behaviors","field":"lead_email_read_count","type":"number","operator":"gte","properties":{"filter":"1"}}]}}`)
	mauticBad := write("mautic-bad.json", `{"list":{"name":"Future","filters":[{"glue":"and","object":"lead","field":"lead_points_group_3","operator":"gt","properties":{"filter":"3"}}]}}`)
	steps := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"import events", []string{"import", "events", events}, 0, "3 events stored, 0 already there, 2 contacts created, 1 bad lines", "line 4: type \"nope\" is unknown"},
		{"preview", []string{"segments", "preview", "--filters", pricing, "--json"}, 0, `"email": "ann@x.io"`, ""},
		{"preview bad", []string{"segments", "preview", "--filters", bad}, 1, "", `filter 2 (shoe_size): unknown field "shoe_size"`},
		{"preview bad now", []string{"segments", "preview", "--filters", pricing, "--now", "noon"}, 2, "", "RFC 3339"},
		{"create", []string{"segments", "create", "--name", "Pricing visitors", "--filters", pricing}, 0, "(pricing-visitors, live) v1: 1 members", ""},
		{"create bad stores nothing", []string{"segments", "create", "--name", "Bad", "--filters", bad}, 1, "", "filter 2 (shoe_size)"},
		{"list", []string{"segments", "list", "--json"}, 0, `"name": "Pricing visitors"`, ""},
		{"add", []string{"segments", "add", "pricing-visitors", "--email", "bob@x.io"}, 0, "1 changed", ""},
		{"members", []string{"segments", "members", "pricing-visitors"}, 0, "bob@x.io  (manual)", ""},
		{"remove", []string{"segments", "remove", "pricing-visitors", "--email", "ann@x.io"}, 0, "1 changed", ""},
		{"rebuild keeps manual state", []string{"segments", "rebuild", "--id", "pricing-visitors"}, 0, "0 added, 0 removed, 1 members", ""},
		{"members json", []string{"segments", "members", "pricing-visitors", "--json"}, 0, `"total": 1`, ""},
		{"import mautic", []string{"segments", "import-mautic", mautic}, 0, "(readers, live) v1: 1 members", ""},
		{"import mautic unknown filter", []string{"segments", "import-mautic", mauticBad}, 1, "", `filter 1 (lead_points_group_3): unknown field`},
		{"update", []string{"segments", "update", "readers", "--name", "Readers 2"}, 0, "Readers 2 (readers, live) v2", ""},
		{"versions", []string{"segments", "versions", "readers"}, 0, "v1", ""},
		{"get", []string{"segments", "get", "readers", "--json"}, 0, `"name": "Readers 2"`, ""},
		{"get two args", []string{"segments", "get", "readers", "pricing-visitors"}, 2, "", "want one segment id or alias"},
		{"get unknown", []string{"segments", "get", "nope"}, 1, "", "nope"},
		{"rebuild all", []string{"segments", "rebuild", "--now", "2026-03-02T09:30:00Z"}, 0, "members", ""},
		{"usage", []string{"segments"}, 2, "", "missing subcommand"},
	}
	for _, s := range steps {
		code, out, errOut := magpie(t, dir, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errOut, s.err) {
			t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", s.name, code, s.code, out, errOut)
		}
	}
	_, out, _ := magpie(t, dir, "segments", "list", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 2 {
		t.Fatalf("list = %s (%v): the failed saves must store nothing", out, err)
	}

	// Delete by alias, then restore by id (an alias names only a live segment).
	_, out, _ = magpie(t, dir, "segments", "get", "readers", "--json")
	var g struct{ ID string }
	if err := json.Unmarshal([]byte(out), &g); err != nil || g.ID == "" {
		t.Fatalf("get = %s (%v)", out, err)
	}
	for _, s := range []struct {
		args []string
		code int
	}{
		{[]string{"segments", "delete", "readers"}, 0},
		{[]string{"segments", "get", "readers"}, 1},
		{[]string{"segments", "restore", g.ID}, 0},
		{[]string{"segments", "get", "readers"}, 0},
	} {
		if code, out, errOut := magpie(t, dir, s.args...); code != s.code {
			t.Fatalf("%v: exit %d (want %d)\nstdout: %s\nstderr: %s", s.args, code, s.code, out, errOut)
		}
	}
}
