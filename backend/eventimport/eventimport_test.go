package eventimport_test

import (
	"context"
	"strings"
	"testing"

	"magpie/backend/eventimport"
	"magpie/backend/internal/testenv"
)

func TestLoad(t *testing.T) {
	jsonl := `{"type":"page_hit","email":"a@x.io","url":"https://s/p","at":"2026-01-02T10:00:00Z","user_agent":"Mozilla/5.0 (Windows NT 10.0) Chrome/120.0","utm_source":"nl"}
{"type":"email_read","email":"A@x.io","email_name":"Welcome","at":"2026-01-02 11:00:00"}
not json
{"type":"teleport","email":"a@x.io","at":"2026-01-02"}
{"type":"page_hit","email":"b@x.io","at":"yesterday","url":"u"}

{"type":"asset_download","email":"b@x.io","asset":"guide.pdf","at":1767350000000}
`
	csvIn := "type,email,url,at\npage_hit,c@x.io,https://s/q,2026-01-03\npage_hit,,https://s/q,2026-01-03\n"
	tests := []struct {
		name, in, format         string
		stored, created, badLine int
		bad                      []int
	}{
		{"jsonl", jsonl, "", 3, 2, 0, []int{3, 4, 5}},
		{"csv", csvIn, "csv", 1, 1, 0, []int{2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := testenv.NewDB(t)
			res, err := eventimport.Load(context.Background(), d, strings.NewReader(tc.in), tc.format)
			if err != nil {
				t.Fatal(err)
			}
			if res.Stored != tc.stored || res.ContactsCreated != tc.created {
				t.Fatalf("result = %+v", res)
			}
			var lines []int
			for _, e := range res.Errors {
				lines = append(lines, e.Line)
			}
			if len(lines) != len(tc.bad) {
				t.Fatalf("bad lines = %v (%+v), want %v", lines, res.Errors, tc.bad)
			}
			for i := range lines {
				if lines[i] != tc.bad[i] {
					t.Fatalf("bad lines = %v, want %v", lines, tc.bad)
				}
			}
			// Importing again stores nothing new.
			again, err := eventimport.Load(context.Background(), d, strings.NewReader(tc.in), tc.format)
			if err != nil || again.Stored != 0 || again.Duplicates != tc.stored || again.ContactsCreated != 0 {
				t.Fatalf("re-import = %+v, %v", again, err)
			}
		})
	}
}
