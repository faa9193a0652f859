package emails

import (
	"strings"
	"testing"
	"time"

	"magpie/backend/apperr"
)

func TestValidate(t *testing.T) {
	up := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	down := up.Add(-time.Hour)
	cases := []struct {
		name  string
		e     Email
		field string // "" = valid
	}{
		{"minimal", Email{Name: "A"}, ""},
		{"no name", Email{Name: "  "}, "name"},
		{"bad kind", Email{Name: "A", Kind: "sms"}, "kind"},
		{"bad from", Email{Name: "A", FromAddress: "not an address"}, "fromAddress"},
		{"from with name", Email{Name: "A", FromAddress: "Bob <bob@example.com>"}, "fromAddress"},
		{"bad reply-to", Email{Name: "A", ReplyTo: "@@"}, "replyTo"},
		{"bad bcc", Email{Name: "A", BCC: "a@example.com, nope"}, "bcc"},
		{"good bcc", Email{Name: "A", BCC: "a@example.com, b@example.com"}, ""},
		{"utm unknown", Email{Name: "A", UTMTags: map[string]string{"utm_foo": "x"}}, "utmTags"},
		{"header injection", Email{Name: "A", Headers: map[string]string{"X-A": "b\r\nBcc: evil@example.com"}}, "headers"},
		{"header name colon", Email{Name: "A", Headers: map[string]string{"X:A": "b"}}, "headers"},
		{"subject newline", Email{Name: "A", Subject: "a\nb"}, "subject"},
		{"weight", Email{Name: "A", VariantWeight: 120}, "variantWeight"},
		{"winner", Email{Name: "A", WinnerCriteria: "luck"}, "winnerCriteria"},
		{"window", Email{Name: "A", PublishUp: &up, PublishDown: &down}, "publishDown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.e.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Fields[c.field] == "" {
				t.Fatalf("err = %v, want an error on %s", err, c.field)
			}
		})
	}
}

func TestSave_VersionsTrashAndFamily(t *testing.T) {
	f := newFixture(t)
	e, err := f.s.Save(f.ctx, Email{Name: "Welcome", Subject: "v1", HTML: "<p>1</p>", Published: true})
	if err != nil {
		t.Fatal(err)
	}
	e.Subject = "v2"
	if e, err = f.s.Save(f.ctx, e); err != nil {
		t.Fatal(err)
	}
	if e.Revision != 2 {
		t.Fatalf("revision %d, want 2", e.Revision)
	}
	vs, err := f.s.Versions(f.ctx, e.ID)
	if err != nil || len(vs) != 2 || vs[1].Email.Subject != "v1" || vs[0].Email.Subject != "v2" {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	v, err := f.s.Save(f.ctx, Email{Name: "Welcome B", VariantParentID: e.ID, VariantWeight: 50})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Save(f.ctx, Email{Name: "Nested", VariantParentID: v.ID}); err == nil ||
		!strings.Contains(err.Error(), "itself a variant") {
		t.Fatalf("nested variant: %v", err)
	}
	if _, err := f.s.Save(f.ctx, Email{Name: "Orphan", TranslationParentID: "nope"}); err == nil {
		t.Fatal("want an error for a missing parent")
	}
	fam, err := f.s.Family(f.ctx, e.ID)
	if err != nil || len(fam) != 2 || fam[0].ID != e.ID {
		t.Fatalf("family = %v, %v", fam, err)
	}
	if err := f.s.Delete(f.ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	live, _ := f.s.List(f.ctx, Query{})
	trash, _ := f.s.List(f.ctx, Query{Deleted: true})
	if len(live) != 0 || len(trash) != 2 {
		t.Fatalf("after delete: %d live, %d in trash", len(live), len(trash))
	}
	if err := f.s.Restore(f.ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if live, _ = f.s.List(f.ctx, Query{Search: "welc", TopLevel: true}); len(live) != 1 {
		t.Fatalf("search after restore: %d", len(live))
	}
}
