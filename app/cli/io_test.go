package cli

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// magpie runs the command line in-process and returns exit code, stdout and stderr.
func magpie(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"--data-dir", dir}, args...), Shells{}, &out, &errb)
	return code, out.String(), errb.String()
}

func TestIOCommands(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "in.csv")
	os.WriteFile(csvPath, []byte("Courriel;Prénom;Ville;Âge\nzoe@x.io;Zoé;Köln;31\nbad;X;;\nann@x.io;Ann;Paris;40\n"), 0o600)
	steps := []struct {
		name string
		args []string
		code int
		out  string // substring of stdout
		err  string // substring of stderr
	}{
		{"seed", []string{"seed", "--contacts", "30", "--seed", "3"}, 0, "", "created 30 contacts"},
		{"fields add", []string{"fields", "add", "--alias", "age", "--label", "Âge", "--type", "number"}, 0, "added contact field age", ""},
		{"fields add select", []string{"fields", "add", "--alias", "tier", "--label", "Tier", "--type", "select", "--options", "gold|silver"}, 0, "added", ""},
		{"fields add bad type", []string{"fields", "add", "--label", "X", "--type", "shoe"}, 2, "", "not a field type"},
		{"fields list", []string{"fields", "list"}, 0, "tier", ""},
		{"import", []string{"import", "contacts", csvPath, "--tag", "fromcsv"}, 0, "", "2 created, 0 updated, 0 ignored, 1 rejected"},
		{"import bad map", []string{"import", "contacts", csvPath, "--map", "Nope=email"}, 2, "", `no column "Nope"`},
		{"import missing", []string{"import", "contacts", filepath.Join(dir, "missing.csv")}, 1, "", "no file"},
		{"import unknown kind", []string{"import", "shoes", csvPath}, 2, "", "unknown import kind"},
		{"import list", []string{"import", "list"}, 0, "in.csv", ""},
		{"get", []string{"contacts", "get", "--email", "zoe@x.io", "--json"}, 0, `"age": 31`, ""},
		{"get missing", []string{"contacts", "get", "--email", "nobody@x.io"}, 1, "", "no contact with email nobody@x.io"},
		{"update", []string{"contacts", "update", "--email", "zoe@x.io", "--set", "city=Berlin", "--set", "tier=gold"}, 0, "updated", ""},
		{"update bad value", []string{"contacts", "update", "--email", "zoe@x.io", "--set", "tier=bronze"}, 1, "", "tier"},
		{"update two bad values", []string{"contacts", "update", "--email", "zoe@x.io", "--set", "tier=bronze", "--set", "age=old"}, 1, "",
			`magpie: age: "old" is not a number; tier: "bronze" is not one of the choices`},
		{"update bad field", []string{"contacts", "update", "--email", "zoe@x.io", "--set", "shoe=1"}, 1, "", "shoe"},
		{"dnc", []string{"contacts", "dnc", "--email", "zoe@x.io", "--channel", "email", "--reason", "bounced"}, 0, "do-not-contact on email (bounced)", ""},
		{"dnc bad reason", []string{"contacts", "dnc", "--email", "zoe@x.io", "--reason", "angry"}, 2, "", "--reason"},
		{"dnc remove", []string{"contacts", "dnc", "--email", "zoe@x.io", "--remove"}, 0, "contactable again", ""},
		{"list search", []string{"contacts", "list", "--search", "tag:fromcsv", "--json"}, 0, `"total": 2`, ""},
		{"export csv", []string{"export", "contacts", "-o", filepath.Join(dir, "out.csv"), "--search", "tag:fromcsv", "--fields", "email,city,tier"}, 0, "", "exported 2 contacts"},
		{"export xlsx", []string{"export", "contacts", "--format", "xlsx", "-o", filepath.Join(dir, "out.xlsx")}, 0, "", "exported 32 contacts"},
		{"export bad folder", []string{"export", "contacts", "-o", filepath.Join(dir, "no", "out.csv")}, 1, "", "folder does not exist"},
		{"delete", []string{"contacts", "delete", "--email", "ann@x.io"}, 0, "trash", ""},
		{"list after delete", []string{"contacts", "list", "--search", "tag:fromcsv", "--json"}, 0, `"total": 1`, ""},
		{"contacts usage", []string{"contacts"}, 2, "", "missing subcommand"},
		{"help", []string{"contacts", "list", "--help"}, 0, "", "--search"},
	}
	for _, s := range steps {
		code, out, errOut := magpie(t, dir, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errOut, s.err) {
			t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", s.name, code, s.code, out, errOut)
		}
		if code == 1 && strings.Count(strings.TrimSpace(errOut), "\n") > 0 && !strings.Contains(errOut, "importing") {
			t.Errorf("%s: error is not one line: %q", s.name, errOut)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "out.csv"))
	if err != nil || !strings.Contains(string(b), "zoe@x.io,Berlin,gold") {
		t.Fatalf("export: %q %v", b, err)
	}
	_, out, _ := magpie(t, dir, "import", "list", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 {
		t.Fatalf("import list --json: %v %q", err, out)
	}
	_, out, _ = magpie(t, dir, "import", "rejected", list[0]["id"].(string))
	if !strings.Contains(out, "line,reason,Courriel") || !strings.Contains(out, "3,") || !strings.Contains(out, "bad") {
		t.Fatalf("rejected rows:\n%s", out)
	}
}

func TestBadDataDir(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "magpie.db")
	os.WriteFile(notDB, bytes.Repeat([]byte("not a database\n"), 100), 0o600)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o600)
	cases := []struct {
		name, dir, want string
	}{
		{"not sqlite", dir, "not a Magpie database"},
		{"data dir is a file", file, "cannot create data directory"},
	}
	for _, c := range cases {
		code, _, errOut := magpie(t, c.dir, "contacts", "list")
		if code != 1 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q (want %q on one line)", c.name, code, errOut, c.want)
		}
	}
	// A missing data dir is created, and said so (a mistyped path is not silently empty);
	// the next run says nothing.
	newDir := filepath.Join(t.TempDir(), "new", "dir")
	code, _, errOut := magpie(t, newDir, "contacts", "list")
	if code != 0 || !strings.Contains(errOut, newDir+" did not exist: created a new, empty data directory") {
		t.Fatalf("new data dir: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut = magpie(t, newDir, "contacts", "list"); code != 0 || strings.Contains(errOut, "did not exist") {
		t.Fatalf("existing data dir: exit %d, stderr %q", code, errOut)
	}
}

// A database another program holds locked gets a clear one-line error after the busy
// timeout, and nothing is written.
func TestLockedDB(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the busy timeout")
	}
	dir := t.TempDir()
	if code, _, errOut := magpie(t, dir, "seed", "--contacts", "5"); code != 0 {
		t.Fatal(errOut)
	}
	csvPath := filepath.Join(dir, "in.csv")
	os.WriteFile(csvPath, []byte("email\nlocked@x.io\n"), 0o600)
	lock, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "magpie.db")+"?_txlock=exclusive")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	tx, err := lock.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("UPDATE meta SET v = v"); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := magpie(t, dir, "import", "contacts", csvPath)
	tx.Rollback()
	if code != 1 || !strings.Contains(errOut, "locked by another program") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	code, out, _ := magpie(t, dir, "contacts", "list", "--search", "locked", "--json")
	if code != 0 || !strings.Contains(out, `"total": 0`) {
		t.Fatalf("after the failed import: %s", out)
	}
}
