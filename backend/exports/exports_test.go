package exports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"magpie/backend/bus"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/exports"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/jobs"
)

type env struct {
	cs  *contacts.Service
	svc *exports.Service
	dir string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d, clk := testenv.NewDB(t)
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	dir := t.TempDir()
	ctx := context.Background()
	people := []struct{ email, first, last, city, tag string }{
		{"zoe@x.io", "Zoé", "Müller", "Köln", "vip"},
		{"jose@x.io", "José", "García", "Sevilla", ""},
		{"ann@x.io", "Ann", "Smith", "London", "vip"},
		{"quote@x.io", `Say "hi"`, "O'Brien, Jr", "Line1\nLine2", ""},
	}
	for _, p := range people {
		clk.Advance(time.Second)
		in := contacts.Input{Values: map[string]string{"email": p.email, "firstname": p.first, "lastname": p.last, "city": p.city}}
		if p.tag != "" {
			in.Tags = []string{p.tag}
		}
		if _, err := cs.Create(ctx, in, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return &env{cs: cs, svc: exports.New(cs, jobs.New(d, bus.New()), dir), dir: dir}
}

func readCSV(t *testing.T, p string) [][]string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func readXLSX(t *testing.T, p string) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestExport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids, _ := e.cs.IDs(ctx, "", 10)
	cases := []struct {
		name   string
		req    exports.Request
		header string
		emails string
	}{
		{"all csv", exports.Request{Format: "csv", Fields: []string{"email", "firstname", "city"}}, "email,firstname,city", "zoe@x.io,jose@x.io,ann@x.io,quote@x.io"},
		{"search xlsx", exports.Request{Format: "xlsx", Fields: []string{"email", "lastname", "tags"}, Search: "tag:vip"}, "email,lastname,tags", "zoe@x.io,ann@x.io"},
		{"accent search", exports.Request{Format: "csv", Fields: []string{"email"}, Search: "garcia"}, "email", "jose@x.io"},
		{"ids", exports.Request{Format: "xlsx", Fields: []string{"email"}, IDs: ids[1:3]}, "email", "jose@x.io,ann@x.io"},
		{"none", exports.Request{Format: "csv", Fields: []string{"email"}, Search: "nobody"}, "email", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.Path = filepath.Join(e.dir, strings.ReplaceAll(c.name, " ", "_")+"."+c.req.Format)
			res, err := e.svc.Write(ctx, c.req, nil)
			if err != nil {
				t.Fatal(err)
			}
			var rows [][]string
			if c.req.Format == "xlsx" {
				rows = readXLSX(t, res.Path)
			} else {
				rows = readCSV(t, res.Path)
			}
			if strings.Join(rows[0], ",") != c.header {
				t.Fatalf("header %q", rows[0])
			}
			var emails []string
			for _, r := range rows[1:] {
				emails = append(emails, r[0])
			}
			if strings.Join(emails, ",") != c.emails || res.Rows != int64(len(rows)-1) {
				t.Fatalf("emails %q (rows %d)", emails, res.Rows)
			}
			if _, err := os.Stat(c.req.Path + ".part"); !os.IsNotExist(err) {
				t.Fatal("temporary file left behind")
			}
		})
	}
	// Tricky values survive a CSV round trip.
	p := filepath.Join(e.dir, "tricky.csv")
	if _, err := e.svc.Write(ctx, exports.Request{Format: "csv", Fields: []string{"firstname", "lastname", "city", "tags"}, Search: "email:quote", Path: p}, nil); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, p)
	if rows[1][0] != `Say "hi"` || rows[1][1] != "O'Brien, Jr" || rows[1][2] != "Line1\nLine2" {
		t.Fatalf("round trip %q", rows[1])
	}
	p = filepath.Join(e.dir, "tags.xlsx")
	if _, err := e.svc.Write(ctx, exports.Request{Format: "xlsx", Fields: []string{"firstname", "tags"}, Search: "zo", Path: p}, nil); err != nil {
		t.Fatal(err)
	}
	if rows := readXLSX(t, p); rows[1][0] != "Zoé" || rows[1][1] != "vip" {
		t.Fatalf("xlsx row %q", rows[1])
	}
}

func TestExportBadInput(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name string
		req  exports.Request
		want string
	}{
		{"format", exports.Request{Format: "pdf"}, `unknown export format "pdf"`},
		{"field", exports.Request{Format: "csv", Fields: []string{"email", "shoe_size"}}, `unknown contact field "shoe_size"`},
		{"search", exports.Request{Format: "csv", Search: "is:nothing"}, "unknown is:nothing"},
		{"folder", exports.Request{Format: "csv", Path: filepath.Join(e.dir, "missing", "x.csv")}, "folder does not exist"},
	}
	for _, c := range cases {
		_, err := e.svc.Write(context.Background(), c.req, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}

// The XLSX opens in LibreOffice (skipped when soffice is not installed).
func TestXLSXOpensInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed")
	}
	if testing.Short() {
		t.Skip("slow")
	}
	e := newEnv(t)
	p := filepath.Join(e.dir, "lo.xlsx")
	if _, err := e.svc.Write(context.Background(), exports.Request{Format: "xlsx", Fields: []string{"email", "firstname", "points"}, Path: p}, nil); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+t.TempDir(), "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", out, p)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	b, err := os.ReadFile(filepath.Join(out, "lo.csv"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, "email,firstname,points") || !strings.Contains(s, "zoe@x.io,Zoé,0") {
		t.Fatalf("LibreOffice read:\n%s", s)
	}
}

// TestExportRunsOfEqualDates: an export pages through runs of equal date_added longer than
// a page (an import gives its rows one or two dates) and writes every contact once, in
// (date_added, creation) order.
func TestExportRunsOfEqualDates(t *testing.T) {
	d, _ := testenv.NewDB(t)
	ctx := context.Background()
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	// Three runs, each one date older than the one before: the export reads them last run
	// first, each in creation (rowid) order.
	var runs [][]string
	for run, n := range []int{2500, 4001, 3} {
		var emails []string
		var rows []contacts.NewContact
		for i := range n {
			emails = append(emails, fmt.Sprintf("r%d-%04d@x.io", run, i))
			rows = append(rows, contacts.NewContact{Vals: db.Cols{"email": emails[i]}, At: time.UnixMilli(int64(1_700_000_000_000 - run))})
		}
		runs = append(runs, emails)
		if err := d.Write(ctx, func(tx *db.Tx) error {
			return contacts.NewOps(tx, "test").CreateMany([]string{"email"}, rows, contacts.BulkOpts{})
		}); err != nil {
			t.Fatal(err)
		}
	}
	slices.Reverse(runs)
	want := slices.Concat(runs...)
	svc := exports.New(cs, jobs.New(d, bus.New()), t.TempDir())
	res, err := svc.Write(ctx, exports.Request{Format: "csv", Fields: []string{"email"}, Path: filepath.Join(t.TempDir(), "runs.csv")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range readCSV(t, res.Path)[1:] {
		got = append(got, r[0])
	}
	if len(got) != len(want) || res.Rows != int64(len(want)) {
		t.Fatalf("%d rows (result %d), want %d", len(got), res.Rows, len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("row %d: %s, want %s", i, got[i], want[i])
		}
	}
}
