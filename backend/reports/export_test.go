package reports_test

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"magpie/backend/charts"
	"magpie/backend/reports"
)

// emailReport: every email event of February with its contact, summarised by day and type.
func emailReport() reports.Definition {
	return reports.Definition{Source: "email.events", Columns: []string{"at", "type", "email", "contact.email", "contact.score_n"},
		GroupBy: []string{"at:day", "type"}, Graph: charts.Bar, DateFrom: "2026-02-01", DateTo: "2026-02-28",
		OrderBy: []reports.Order{{Column: "at"}, {Column: "type", Desc: true}, {Column: "contact.email"}}}
}

func zipHas(t *testing.T, path, prefix string) bool {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, prefix) {
			return true
		}
	}
	return false
}

// TestXLSXReadBack reads the workbook back with excelize: typed cells, bold frozen header,
// auto-filter, the Summary sheet and its native chart.
func TestXLSXReadBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	def := emailReport()
	path := filepath.Join(f.dir, "emails.xlsx")
	res, err := f.r.Export(ctx, reports.ExportRequest{Definition: &def, Name: "Email events", Format: "xlsx", Path: path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3 || res.Sheets != 2 {
		t.Fatalf("result = %+v, want 3 rows on 2 sheets", res)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ","); got != "Report,Summary" {
		t.Fatalf("sheets = %s", got)
	}
	rows, _ := x.GetRows("Report")
	want := [][]string{
		{"Date", "Event", "Email", "Contact Email", "Contact Score"},
		{"2026-02-03 09:00:00", "email.sent", "Welcome", "ann@x.io", "5.00"},
		{"2026-02-03 09:00:00", "email.sent", "Welcome", "bob@y.io", "2.50"},
		{"2026-02-03 10:00:00", "email.read", "Welcome", "ann@x.io", "5.00"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows = %q", rows)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i+1, rows[i], want[i])
		}
	}
	// typed cells: the date is a number with a date format, the score a number
	raw, _ := x.GetCellValue("Report", "A2", excelize.Options{RawCellValue: true})
	if !strings.HasPrefix(raw, "46056.375") { // 2026-02-03 09:00 as an Excel serial
		t.Errorf("A2 raw = %q, want an Excel date serial", raw)
	}
	if typ, _ := x.GetCellType("Report", "E2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("E2 type = %v, want a number", typ)
	}
	if raw, _ := x.GetCellValue("Report", "E3", excelize.Options{RawCellValue: true}); raw != "2.5" {
		t.Errorf("E3 raw = %q, want 2.5", raw)
	}
	st, _ := x.GetCellStyle("Report", "A1")
	if s, err := x.GetStyle(st); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("header style %d is not bold", st)
	}
	if p, err := x.GetPanes("Report"); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("panes = %+v, %v: want the header row frozen", p, err)
	}
	if w, _ := x.GetColWidth("Report", "A"); w < 19 {
		t.Errorf("date column width = %v", w)
	}
	dn := x.GetDefinedName()
	if len(dn) == 0 || !strings.Contains(dn[0].RefersTo, "Report'!$A$1:$E$4") {
		t.Errorf("auto-filter defined names = %+v", dn)
	}
	sum, _ := x.GetRows("Summary")
	// the summary, and the pivot the chart reads (two group columns) to its right
	if got := rowsJoin(sum); got != "Date (day)|Event|Count||Date (day)|email.read|email.sent\n2026-02-03|email.read|1||2026-02-03|1|2\n2026-02-03|email.sent|2\n" {
		t.Errorf("summary sheet:\n%s", got)
	}
	if !zipHas(t, path, "xl/charts/chart") {
		t.Error("no chart part in the workbook")
	}
	if !zipHas(t, path, "xl/drawings/drawing") {
		t.Error("no drawing part in the workbook")
	}
}

func rowsJoin(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|") + "\n")
	}
	return b.String()
}

// TestXLSXSplitsSheets: past SheetRows the rows continue on "Report 2" with its own header.
func TestXLSXSplitsSheets(t *testing.T) {
	f := newFixture(t)
	old := reports.SheetRows
	reports.SheetRows = 3 // header + 2 rows per sheet
	t.Cleanup(func() { reports.SheetRows = old })
	def := reports.Definition{Source: "page.hits", Columns: []string{"at", "url"}}
	path := filepath.Join(f.dir, "hits.xlsx")
	res, err := f.r.Export(context.Background(), reports.ExportRequest{Definition: &def, Format: "xlsx", Path: path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 {
		t.Fatalf("rows = %d", res.Rows)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ","); got != "Report,Report 2" {
		t.Fatalf("sheets = %s", got)
	}
	for _, sh := range []string{"Report", "Report 2"} {
		rows, _ := x.GetRows(sh)
		if len(rows) != 3 || rows[0][0] != "Date" {
			t.Errorf("%s rows = %q", sh, rows)
		}
	}
}

// TestLibreOfficeReadsXLSX converts the workbook with LibreOffice headless and compares
// the values with the CSV export of the same report.
func TestLibreOfficeReadsXLSX(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed (Debian libreoffice-calc-nogui): LibreOffice read-back skipped")
	}
	f := newFixture(t)
	ctx := context.Background()
	def := emailReport()
	xlsx := filepath.Join(f.dir, "emails.xlsx")
	if _, err := f.r.Export(ctx, reports.ExportRequest{Definition: &def, Format: "xlsx", Path: xlsx}, nil); err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(f.dir, "emails.csv")
	if _, err := f.r.Export(ctx, reports.ExportRequest{Definition: &def, Format: "csv", Path: csvPath}, nil); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Minute) // LibreOffice starts slowly on a busy machine
	defer cancel()
	cmd := exec.CommandContext(cctx, soffice, "--headless", "-env:UserInstallation=file://"+t.TempDir(),
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", out, xlsx)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	// sheet -1 = every sheet: emails-Report.csv and emails-Summary.csv
	lo := readCSV(t, filepath.Join(out, "emails-Report.csv"))
	ours := readCSV(t, csvPath)
	if len(lo) != len(ours) {
		t.Fatalf("LibreOffice read %d rows, CSV has %d", len(lo), len(ours))
	}
	for i := range ours {
		if strings.Join(lo[i], "|") != strings.Join(ours[i], "|") {
			t.Errorf("row %d: LibreOffice %q, CSV %q", i, lo[i], ours[i])
		}
	}
	sum := readCSV(t, filepath.Join(out, "emails-Summary.csv"))
	if len(sum) != 3 || sum[2][2] != "2" {
		t.Errorf("summary via LibreOffice = %q", sum)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		entries, _ := os.ReadDir(filepath.Dir(path))
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("%v (dir has %v)", err, names)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\uFEFF")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCSVAndHTML(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	def := emailReport()
	csvPath := filepath.Join(f.dir, "e.csv")
	if _, err := f.r.Export(ctx, reports.ExportRequest{Definition: &def, Format: "csv", Path: csvPath}, nil); err != nil {
		t.Fatal(err)
	}
	got := rowsJoin(readCSV(t, csvPath))
	want := "Date|Event|Email|Contact Email|Contact Score\n2026-02-03 09:00:00|email.sent|Welcome|ann@x.io|5\n2026-02-03 09:00:00|email.sent|Welcome|bob@y.io|2.5\n2026-02-03 10:00:00|email.read|Welcome|ann@x.io|5\n"
	if got != want {
		t.Errorf("csv:\n%s\nwant:\n%s", got, want)
	}
	htmlPath := filepath.Join(f.dir, "e.html")
	if _, err := f.r.Export(ctx, reports.ExportRequest{Definition: &def, Name: "Emails <Feb>", Format: "html", Path: htmlPath}, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(htmlPath)
	page := string(b)
	for _, w := range []string{"<title>Emails &lt;Feb&gt;</title>", "<style>", `<h2 id="summary">Summary</h2>`, "<td>bob@y.io</td>", `<td class="n">2</td>`} {
		if !strings.Contains(page, w) {
			t.Errorf("html lacks %s", w)
		}
	}
	for _, bad := range []string{"<script", "<link", "src=", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("html is not self-contained: it has %q", bad)
		}
	}
}

type fullDisk struct {
	*os.File
	left int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) > d.left {
		n, _ := d.File.Write(p[:d.left])
		d.left = 0
		return n, &os.PathError{Op: "write", Path: d.Name(), Err: syscall.ENOSPC}
	}
	d.left -= len(p)
	return d.File.Write(p)
}

// TestExportFailuresLeaveNoFile: a full disk, a missing folder and a cancel each end with a
// clear error and no file (partial or final) left behind.
func TestExportFailuresLeaveNoFile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	def := emailReport()
	for _, format := range []string{"xlsx", "csv", "html"} {
		t.Run("full disk "+format, func(t *testing.T) {
			f.r.SetFileWrap(func(file *os.File) interface {
				Write([]byte) (int, error)
				Sync() error
				Close() error
			} {
				return &fullDisk{File: file, left: 100}
			})
			t.Cleanup(func() {
				f.r.SetFileWrap(func(file *os.File) interface {
					Write([]byte) (int, error)
					Sync() error
					Close() error
				} {
					return file
				})
			})
			path := filepath.Join(f.dir, "full."+format)
			_, err := f.r.Export(ctx, reports.ExportRequest{Definition: &def, Format: format, Path: path}, nil)
			if err == nil || !strings.Contains(err.Error(), "cannot write "+path+": no space left on device") {
				t.Fatalf("err = %v", err)
			}
			assertNoFiles(t, path)
		})
	}
	t.Run("missing folder", func(t *testing.T) {
		path := filepath.Join(f.dir, "nope", "r.csv")
		_, err := f.r.Export(ctx, reports.ExportRequest{Definition: &def, Format: "csv", Path: path}, nil)
		if err == nil || !strings.Contains(err.Error(), "its folder does not exist") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		path := filepath.Join(f.dir, "c.xlsx")
		_, err := f.r.Export(cctx, reports.ExportRequest{Definition: &def, Format: "xlsx", Path: path}, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		assertNoFiles(t, path)
	})
}

func assertNoFiles(t *testing.T, path string) {
	t.Helper()
	for _, p := range []string{path, path + ".part"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was left behind", p)
		}
	}
}

// TestExportJob runs an export as a background job and reads its result.
func TestExportJob(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	def := emailReport()
	saved, err := f.r.Save(ctx, reports.Report{Name: "Emails", Definition: def})
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.r.StartExport(ctx, reports.ExportRequest{ReportID: saved.ID, Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	f.jobs.Wait()
	st, err := f.jobs.Get(ctx, id)
	if err != nil || st.State != "done" || !strings.Contains(st.Result, `"rows":3`) {
		t.Fatalf("job = %+v, %v", st, err)
	}
	if !strings.Contains(st.Result, filepath.Join(f.dir, "reports", "Emails-")) {
		t.Errorf("default path not under the data dir: %s", st.Result)
	}
}

// A report exported in French names its columns, its summary's columns and its date buckets
// in French (a custom field by its French label when it has one, else its label); in
// English as before. Every source and column has a French name.
func TestExportInFrench(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	def := emailReport()
	def.Aggregates = []reports.Agg{{Fn: "count"}, {Fn: "sum", Column: "contact.score_n"}}
	path := filepath.Join(f.dir, "fr.xlsx")
	if _, err := f.r.Export(ctx, reports.ExportRequest{Definition: &def, Name: "E-mails", Format: "xlsx", Path: path, Lang: "fr"}, nil); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	head := func(sheet string) string {
		rows, _ := x.GetRows(sheet)
		if len(rows) == 0 {
			t.Fatalf("sheet %s is empty", sheet)
		}
		return strings.Join(rows[0], "|")
	}
	if got, want := head("Report"), "Date|Événement|E-mail|Contact : E-mail|Contact : Score"; got != want {
		t.Errorf("report header %q, want %q", got, want)
	}
	if got, want := head("Summary"), "Date (jour)|Événement|Nombre|Somme de Contact : Score|"; !strings.HasPrefix(got, want) {
		t.Errorf("summary header %q, want it to start with %q", got, want)
	}
	p, err := f.r.Preview(ctx, def, "en", 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Summary.Columns[3].Label; got != "Sum of Contact Score" {
		t.Errorf("English summary column %q", got)
	}
	srcs, err := f.r.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.LabelFR == "" {
			t.Errorf("source %s has no French name", s.ID)
		}
		for _, c := range s.Columns {
			if c.LabelFR == "" {
				t.Errorf("column %s of %s (%q) has no French name", c.ID, s.ID, c.Label)
			}
		}
	}
}
