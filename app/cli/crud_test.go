package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The list / save / delete / restore commands the component groups share: same flags,
// messages and exit codes for every group.
func TestCrudCommands(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.json", "{not json")
	groups := []struct {
		group, file, saved, listed, badJSON string
	}{
		{"dwc", write("d.json", `{"name":"Hero","slot":"hero","defaultContent":"<p>Hi</p>"}`), "saved dynamic content", "slot hero", "is not valid JSON"},
		{"focus", write("f.json", `{"name":"Promo","headline":"Hello"}`), "saved focus item", "Promo", "is not valid JSON"},
		{"pages", write("p.json", `{"title":"Landing","alias":"landing","html":"<p>x</p>"}`), "saved page", "/p/landing", "is not valid JSON"},
		{"forms", write("fo.json", `{"name":"Contact us","fields":[{"type":"email","label":"Email","alias":"email"}]}`), "saved (1 fields, 0 actions)", "Contact us", "is not a form in JSON"},
	}
	idRe := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f-]{27}`)
	for _, g := range groups {
		t.Run(g.group, func(t *testing.T) {
			code, out, errOut := magpie(t, dir, g.group, "save", g.file)
			if code != 0 || !strings.Contains(out, g.saved) {
				t.Fatalf("save: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			id := idRe.FindString(out)
			if id == "" {
				t.Fatalf("save printed no id: %q", out)
			}
			steps := []struct {
				name string
				args []string
				code int
				out  string
				err  string
			}{
				{"list", []string{"list"}, 0, g.listed, ""},
				{"list json", []string{"list", "--json"}, 0, `"` + id + `"`, ""},
				{"save json", []string{"save", write(g.group+"2.json", strings.NewReplacer("landing", "landing2", `"hero"`, `"hero2"`).Replace(mustRead(t, g.file))), "--json"}, 0, `"id":`, ""},
				{"save bad json", []string{"save", bad}, 1, "", g.badJSON},
				{"save missing file", []string{"save", filepath.Join(dir, "nope.json")}, 1, "", "nope.json"},
				{"save no file", []string{"save"}, 2, "", ""},
				{"list bad flag", []string{"list", "--shoe"}, 1, "", "flag provided but not defined: -shoe"},
				{"delete", []string{"delete", id}, 0, "", ""},
				{"gone from list", []string{"list", "--json"}, 0, "", ""},
				{"in the trash", []string{"list", "--trash", "--json"}, 0, `"` + id + `"`, ""},
				{"restore", []string{"restore", id}, 0, "", ""},
				{"back in list", []string{"list", "--json"}, 0, `"` + id + `"`, ""},
				{"delete no id", []string{"delete"}, 2, "", ""},
				{"help", []string{"list", "--help"}, 0, "", "--trash"},
			}
			for _, s := range steps {
				code, out, errOut := magpie(t, dir, append([]string{g.group}, s.args...)...)
				if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errOut, s.err) {
					t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", s.name, code, s.code, out, errOut)
				}
				if s.name == "gone from list" && strings.Contains(out, id) {
					t.Fatalf("deleted %s still listed: %s", id, out)
				}
			}
		})
	}
}

// Assets share list and delete/restore (they are uploaded, not saved from JSON).
func TestAssetsListTrash(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "guide.txt")
	if err := os.WriteFile(file, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := magpie(t, dir, "assets", "upload", file, "--title", "Guide")
	id := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f-]{27}`).FindString(out)
	if code != 0 || id == "" {
		t.Fatalf("upload: exit %d %q %q", code, out, errOut)
	}
	steps := []struct {
		args    []string
		code    int
		has     bool // whether stdout lists the asset
		errPart string
	}{
		{[]string{"list"}, 0, true, ""},
		{[]string{"delete", id}, 0, false, ""},
		{[]string{"list", "--json"}, 0, false, ""},
		{[]string{"list", "--trash", "--json"}, 0, true, ""},
		{[]string{"restore", id}, 0, false, ""},
		{[]string{"list"}, 0, true, ""},
		{[]string{"delete"}, 2, false, "delete needs one ID"},
	}
	for _, s := range steps {
		code, out, errOut := magpie(t, dir, append([]string{"assets"}, s.args...)...)
		if code != s.code || strings.Contains(out, id) != s.has || !strings.Contains(errOut, s.errPart) {
			t.Fatalf("assets %v: exit %d (want %d), stdout %q, stderr %q", s.args, code, s.code, out, errOut)
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
