package forms

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"magpie/backend/internal/testenv"
)

func TestExportResults(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	s := New(d)
	f, err := s.Save(ctx, Form{Name: "Export", Fields: []Field{{Alias: "email", Label: "Email", Type: Email},
		{Alias: "note", Label: "Note", Type: Textarea}, {Alias: "hp", Type: Honeypot}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []string{`{"email":"a@example.com","note":"line1\nline2, \"quoted\""}`, `{"email":"b@example.com"}`} {
		if _, err := d.W.Exec("INSERT INTO form_results(id, form_id, contact_id, at, vals) VALUES(?, ?, 'c', ?, ?)", string(rune('a'+i)), f.ID, 1700000000000+int64(i), v); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	for _, format := range []string{"csv", "xlsx"} {
		res, err := s.ExportResults(ctx, f.ID, format, filepath.Join(dir, "r."+format), dir)
		if err != nil || res.Rows != 2 {
			t.Fatalf("%s: %+v %v", format, res, err)
		}
		if format == "csv" {
			b, _ := os.ReadFile(res.Path)
			if !strings.HasPrefix(strings.TrimPrefix(string(b), "\ufeff"), "date,contact_id,contact,Email,Note,url,ip\n") || !strings.Contains(string(b), `"line1`+"\n"+`line2, ""quoted"""`) {
				t.Fatalf("csv:\n%s", b)
			}
			continue
		}
		x, err := excelize.OpenFile(res.Path)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetName(0))
		x.Close()
		if len(rows) != 3 || rows[2][3] != "b@example.com" {
			t.Fatalf("xlsx rows %v", rows)
		}
	}
}
