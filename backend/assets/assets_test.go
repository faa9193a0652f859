package assets

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"magpie/backend/apperr"
	"magpie/backend/internal/testenv"
)

func TestSniff(t *testing.T) {
	cases := map[string]string{
		"%PDF-1.4 ...":                    "application/pdf",
		"\x89PNG\r\n\x1a\n....":           "image/png",
		"\xff\xd8\xff\xe0JFIF":            "image/jpeg",
		"GIF89a..":                        "image/gif",
		"RIFF\x00\x00\x00\x00WEBPVP8 ":    "image/webp",
		"PK\x03\x04zip":                   "application/zip",
		"\x1f\x8b\x08gz":                  "application/gzip",
		"<svg xmlns='x'></svg>":           "image/svg+xml",
		"name,email\nann,a@example.com\n": "text/plain",
		"MZ\x90\x00\x03\x00\x00\x00":      "", // a Windows executable
		"\x7fELF\x02\x01\x01":             "", // a Linux executable
	}
	for in, want := range cases {
		if got := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %q, want %q", in, got, want)
		}
	}
	if refine("application/zip", "Report.XLSX") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Error("xlsx not recognised")
	}
}

func TestUploadChunksDedupeAndLimits(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	s := New(d)
	data := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{'x'}, 2*ChunkSize+100)...)
	a, err := s.Upload(ctx, Input{Title: "Guide Été 2026", Published: true}, "guide.pdf", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if a.Slug != "guide-ete-2026" || a.Size != int64(len(data)) || a.Mime != "application/pdf" || len(a.Chunks) != 3 {
		t.Fatalf("asset %+v", a)
	}
	var buf bytes.Buffer
	if err := WriteTo(ctx, LocalReader{DB: d}, &a, &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("read back: %v (%d bytes)", err, buf.Len())
	}
	// The two middle chunks of 'x' are identical in a second file: stored once.
	count := func() (n int) {
		d.R.QueryRow("SELECT count(*) FROM asset_chunks").Scan(&n)
		return n
	}
	before := count()
	if _, err := s.Upload(ctx, Input{Title: "Copy", Published: true}, "copy.pdf", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if count() != before {
		t.Fatalf("identical content stored twice: %d chunks, was %d", count(), before)
	}
	// A corrupted chunk is detected when streamed.
	if _, err := d.W.Exec("UPDATE asset_chunks SET data = x'00' WHERE id = ?", a.Chunks[0]); err != nil {
		t.Fatal(err)
	}
	if err := WriteTo(ctx, LocalReader{DB: d}, &a, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("corrupt chunk: %v", err)
	}
	refusals := []struct {
		name, file string
		data       []byte
		in         Input
		field      string
	}{
		{"too large", "big.pdf", append([]byte("%PDF-"), make([]byte, MaxSize)...), Input{Title: "Big"}, "file"},
		{"executable", "setup.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), Input{Title: "Exe"}, "file"},
		{"empty", "e.pdf", nil, Input{Title: "Empty"}, "file"},
		{"slug taken", "x.pdf", []byte("%PDF-1"), Input{Title: "Other", Slug: "guide-ete-2026"}, "slug"},
		{"bad slug", "x.pdf", []byte("%PDF-1"), Input{Title: "Other", Slug: "a b"}, "slug"},
		{"no title", "x.pdf", []byte("%PDF-1"), Input{}, "title"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Upload(ctx, c.in, c.file, bytes.NewReader(c.data))
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Fields[c.field] == "" {
				t.Fatalf("err %v, want a problem on %s", err, c.field)
			}
		})
	}
	// Remote assets; trash and restore.
	r, err := s.Save(ctx, Input{Title: "Docs", RemoteURL: "https://docs.example.com/a.pdf", Published: true})
	if err != nil || r.Kind != "remote" {
		t.Fatalf("remote: %+v %v", r, err)
	}
	if _, err := s.Save(ctx, Input{Title: "Bad", RemoteURL: "file:///etc/passwd"}); err == nil {
		t.Fatal("a file: URL was accepted")
	}
	if err := s.Delete(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := (LocalReader{DB: d}).BySlug(ctx, "docs"); got != nil {
		t.Fatal("a trashed asset is still served")
	}
	if err := s.Restore(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := (LocalReader{DB: d}).BySlug(ctx, "docs"); got == nil {
		t.Fatal("a restored asset is not served")
	}
}
