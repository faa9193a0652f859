package tracking

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"os"
	"strings"
	"testing"

	"magpie/backend/forms"
)

// File fields: the file is size-, extension- and magic-byte-checked by the tracker, travels in
// the spooled hit, and is stored by ingest as chunks linked from the result, downloadable.
func TestFormFileUpload(t *testing.T) {
	ctx := context.Background()
	p := newFormPipeline(t, func(c *Config) { c.FormRatePerIP = -1 })
	f := p.saveForm(t, forms.Form{Name: "CV", Fields: []forms.Field{
		{Alias: "email", Label: "Email", Type: forms.Email, MapTo: "contact.email", Required: true},
		{Alias: "cv", Label: "CV", Type: forms.File, Accept: "pdf, png", MaxSizeKB: 64},
		{Alias: "photo", Label: "Photo", Type: forms.File},
	}})
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 3000)...)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
	send := func(files map[string][2]string) (int, map[string]any) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("mauticform[formId]", f.ID)
		mw.WriteField("mauticform[email]", "cv@example.com")
		for field, nf := range files {
			fw, _ := mw.CreateFormFile("mauticform["+field+"]", nf[0])
			fw.Write([]byte(nf[1]))
		}
		mw.Close()
		w := p.do(post("/form/submit/ajax", &body, mw.FormDataContentType()))
		var out map[string]any
		json.Unmarshal(w.Body.Bytes(), &out)
		return w.Code, out
	}
	cases := []struct {
		name  string
		files map[string][2]string
		code  int
		err   string // field with an error
	}{
		{"renamed executable", map[string][2]string{"cv": {"cv.pdf", "MZ\x90\x00binary"}}, 422, "cv"},
		{"extension not accepted", map[string][2]string{"cv": {"cv.exe", string(pdf)}}, 422, "cv"},
		{"svg never accepted", map[string][2]string{"photo": {"a.svg", "<svg onload=alert(1)></svg>"}}, 422, "photo"},
		{"over the field's limit", map[string][2]string{"cv": {"big.pdf", "%PDF-" + strings.Repeat("x", 70<<10)}}, 422, "cv"},
		{"empty file", map[string][2]string{"cv": {"e.pdf", ""}}, 422, "cv"},
		{"good", map[string][2]string{"cv": {"my cv.pdf", string(pdf)}, "photo": {"me.png", string(png)}}, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := send(c.files)
			if code != c.code {
				t.Fatalf("code %d (%v), want %d", code, out, c.code)
			}
			if c.err != "" {
				errs, _ := out["errors"].(map[string]any)
				if errs[c.err] == nil {
					t.Fatalf("errors %v, want one on %s", out["errors"], c.err)
				}
			}
		})
	}
	p.flush(t)
	res, err := p.forms.Results(ctx, f.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Rows[0].Files) != 2 || res.Rows[0].Values["cv"] != "my cv.pdf" {
		t.Fatalf("results %+v", res)
	}
	var cv forms.StoredFile
	for _, fl := range res.Rows[0].Files {
		if fl.Field == "cv" {
			cv = fl
		}
	}
	if cv.Name != "my cv.pdf" || cv.Mime != "application/pdf" || cv.Size != int64(len(pdf)) {
		t.Fatalf("stored file %+v", cv)
	}
	// The bytes are in no event: the form.submitted event carries the name only.
	var n int
	p.d.R.QueryRow("SELECT count(*) FROM events WHERE data LIKE '%JVBERi0%'").Scan(&n)
	if n != 0 {
		t.Fatal("the file's bytes leaked into the event log")
	}
	out, err := p.forms.ExportFile(ctx, cv.ID, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out.Path)
	if !bytes.Equal(got, pdf) || !strings.HasSuffix(out.Path, "my cv.pdf") {
		t.Fatalf("exported %s: %d bytes", out.Path, len(got))
	}
	if _, err := p.forms.ExportFile(ctx, "nope", t.TempDir()); err == nil {
		t.Fatal("exported an unknown file")
	}
}
