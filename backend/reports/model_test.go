package reports_test

import (
	"context"
	"strings"
	"testing"

	"magpie/backend/reports"
)

func TestSaveTrashRestoreAndJSON(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, err := f.r.Save(ctx, reports.Report{Name: " Hits ", Definition: reports.Definition{Source: "page.hits", Columns: []string{"url"}, GroupBy: []string{"url"}, Graph: "pie"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "Hits" || r.ID == "" {
		t.Fatalf("saved %+v", r)
	}
	if _, err := f.r.Save(ctx, reports.Report{Name: "", Definition: r.Definition}); err == nil {
		t.Error("a report without a name was saved")
	}
	if err := f.r.Delete(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if l, _ := f.r.List(ctx, false); len(l) != 0 {
		t.Errorf("deleted report still listed: %v", l)
	}
	if l, _ := f.r.List(ctx, true); len(l) != 1 {
		t.Errorf("trash = %v", l)
	}
	if err := f.r.Restore(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	b, err := f.r.ExportJSON(ctx, r.ID)
	if err != nil || !strings.Contains(string(b), `"magpie": "report"`) {
		t.Fatalf("json %s, %v", b, err)
	}
	imp, err := f.r.ImportJSON(ctx, "", b)
	if err != nil || imp.ID == r.ID || imp.Definition.Graph != "pie" || imp.Name != "Hits" {
		t.Fatalf("imported %+v, %v", imp, err)
	}
	for _, bad := range []string{`{}`, `{"magpie":"report","name":"x","definition":{"source":"nope","columns":["a"]}}`, `{"magpie":"report","extra":1}`, `not json`} {
		if _, err := f.r.ImportJSON(ctx, "", []byte(bad)); err == nil {
			t.Errorf("import of %s succeeded", bad)
		}
	}
	if l, _ := f.r.List(ctx, false); len(l) != 2 {
		t.Errorf("list = %d reports", len(l))
	}
}
