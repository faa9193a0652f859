package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"magpie/backend/core"
)

func TestReportsCommands(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "def.json")
	os.WriteFile(def, []byte(`{"magpie":"report","name":"Contacts by city","definition":{"source":"contacts",
		"columns":["contact.email","contact.city","contact.date_added"],"groupBy":["contact.city"],"graph":"bar"}}`), 0o600)
	if code, _, errs := magpie(t, dir, "seed", "--contacts", "20", "--seed", "4"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	code, out, errs := magpie(t, dir, "reports", "import", def)
	if code != 0 {
		t.Fatalf("import: %d %s", code, errs)
	}
	id := regexp.MustCompile(`^\S+`).FindString(out)
	xlsx := filepath.Join(dir, "r.xlsx")
	steps := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"list json", []string{"reports", "list", "--json"}, 0, `"name": "Contacts by city"`, ""},
		{"run xlsx", []string{"reports", "run", id, "--format", "xlsx", "-o", xlsx}, 0, "20 rows", ""},
		{"run csv by extension", []string{"reports", "run", id, "-o", filepath.Join(dir, "r.csv"), "--from", "2000-01-01", "--to", "2100-01-01"}, 0, "20 rows", ""},
		{"run html", []string{"reports", "run", id, "--format", "html", "-o", filepath.Join(dir, "r.html")}, 0, "r.html", ""},
		{"from after to", []string{"reports", "run", id, "-o", filepath.Join(dir, "x.csv"), "--from", "2026-03-02", "--to", "2026-03-01"}, 1, "", "before it starts"},
		{"unwritable", []string{"reports", "run", id, "-o", filepath.Join(dir, "no", "x.csv")}, 1, "", "its folder does not exist"},
		{"no -o", []string{"reports", "run", id}, 2, "", "-o FILE is required"},
		{"unknown", []string{"reports", "run", "nope", "-o", xlsx}, 1, "", "no report nope"},
		{"export", []string{"reports", "export", id, filepath.Join(dir, "out.json")}, 0, "wrote", ""},
		{"import over id", []string{"reports", "import", id, filepath.Join(dir, "out.json")}, 0, id, ""},
		{"import bad", []string{"reports", "import", xlsx}, 1, "", "not a report file"},
		{"delete", []string{"reports", "delete", id}, 0, "", ""},
		{"list trash", []string{"reports", "list", "--trash"}, 0, "Contacts by city", ""},
		{"run-due", []string{"reports", "run-due"}, 0, "0 scheduled reports ran", ""},
	}
	for _, s := range steps {
		code, out, errs := magpie(t, dir, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errs, s.err) {
			t.Errorf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", s.name, code, s.code, out, errs)
		}
	}
}

// TestWorkerRunsScheduledReports: without a team cluster, `magpie worker` runs the due
// scheduled reports alone (--once: one pass).
func TestWorkerRunsScheduledReports(t *testing.T) {
	dir := t.TempDir()
	out := t.TempDir()
	def := filepath.Join(dir, "def.json")
	os.WriteFile(def, []byte(`{"magpie":"report","name":"Daily","definition":{"source":"contacts","columns":["contact.email"]},
		"schedule":{"every":"daily","hour":0,"format":"csv","folder":`+strconv.Quote(out)+`}}`), 0o600)
	if code, _, errs := magpie(t, dir, "reports", "import", def); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	// Saved now: the first slot is tomorrow 00:00, so nothing is due yet.
	if code, o, errs := magpie(t, dir, "worker", "--once"); code != 0 || !strings.Contains(o, "running alone") || !strings.Contains(o, "0 scheduled reports ran") {
		t.Fatalf("worker: %d %s %s", code, o, errs)
	}
	// Added two days ago: a slot has passed, the worker runs it once and writes the file.
	c, err := core.Open(context.Background(), dir, core.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DB.W.Exec("UPDATE reports SET date_added = date_added - 2*86400000"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	for i, want := range []string{"1 scheduled reports ran", "0 scheduled reports ran"} {
		if code, o, errs := magpie(t, dir, "worker", "--once"); code != 0 || !strings.Contains(o, want) {
			t.Fatalf("run %d: %d %s %s", i, code, o, errs)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(out, "Daily-*.csv")); len(files) != 1 {
		t.Errorf("files written: %v", files)
	}
}
