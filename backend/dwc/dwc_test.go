package dwc

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
	"magpie/backend/segments"
)

func leaf(field, op string, v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf(`{"glue":"and","field":%q,"object":"lead","operator":%q,"properties":{"filter":%s}}`, field, op, b)
}

func TestResolveChoosesByFilters(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	segs := segments.New(d, fs)
	mk := func(vals map[string]string, tags ...string) string {
		c, err := cs.Create(ctx, contacts.Input{Values: vals, Tags: tags}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	ann := mk(map[string]string{"firstname": "Ann", "email": "ann@x.io", "city": "Paris"}, "vip")
	bob := mk(map[string]string{"firstname": "Bob", "email": "bob@x.io", "city": "Lyon"})
	eve := mk(map[string]string{"firstname": "Eve", "city": "Lyon"})
	seg, err := segs.Save(ctx, segments.Input{Name: "Lyon", Filters: json.RawMessage("[" + leaf("city", "=", "lyon") + "]")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := segs.Rebuild(ctx, seg.ID, d.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	s := New(d, segs, cs)
	_, err = s.Save(ctx, Slot{Name: "Hero", Slot: "hero", Published: true, DefaultContent: "<p>Welcome</p><script>x</script>",
		Variants: []Variant{
			{Name: "VIP", Filters: json.RawMessage("[" + leaf("tags", "in", []string{"vip"}) + "]"), Content: "<p>Hello VIP {contactfield=firstname}</p>"},
			{Name: "Lyon with email", Filters: json.RawMessage(`{"op":"and","children":[` + leaf("leadlist", "in", []string{seg.ID}) +
				`,` + leaf("email", "!empty", nil) + `]}`), Content: "<p>Bonjour Lyon</p>"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, contact, slot, want string }{
		{"tag variant with token", ann, "hero", "<p>Hello VIP Ann</p>"},
		{"segment + field variant", bob, "hero", "<p>Bonjour Lyon</p>"},
		{"no variant matches", eve, "hero", "<p>Welcome</p>"},
		{"unknown visitor gets the default", "", "hero", "<p>Welcome</p>"},
		{"nonexistent contact", "0190b8a0-0000-7000-8000-000000000000", "hero", "<p>Welcome</p>"},
		{"slot names are case-insensitive", ann, "HERO", "<p>Hello VIP Ann</p>"},
	}
	for _, c := range cases {
		got, found, err := s.Resolve(ctx, c.contact, c.slot)
		if err != nil || !found || got != c.want {
			t.Errorf("%s: Resolve = %q, %v, %v; want %q", c.name, got, found, err, c.want)
		}
	}
	if _, found, _ := s.Resolve(ctx, ann, "footer"); found {
		t.Error("an unknown slot must not be found")
	}
	// A change of the contact is seen at once (no stale cache), and the plan follows edits.
	if _, err := cs.Tag(ctx, []string{ann}, nil, []string{"vip"}, "test"); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.Resolve(ctx, ann, "hero"); got != "<p>Welcome</p>" {
		t.Errorf("after untagging Ann: %q", got)
	}
}

func TestSaveValidates(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	fs, _ := fields.New(ctx, d)
	s := New(d, segments.New(d, fs), contacts.New(d, fs))
	if _, err := s.Save(ctx, Slot{Name: "A", Slot: "hero"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		in    Slot
		field string
	}{
		{"no name", Slot{Slot: "x"}, "name"},
		{"bad slot", Slot{Name: "x", Slot: "a b"}, "slot"},
		{"slot taken", Slot{Name: "x", Slot: "hero"}, "slot"},
		{"unknown field", Slot{Name: "x", Slot: "y", Variants: []Variant{{Filters: json.RawMessage("[" + leaf("nope", "=", "1") + "]")}}}, "variants.0.filters"},
		{"no filters", Slot{Name: "x", Slot: "y", Variants: []Variant{{Filters: json.RawMessage("[]")}}}, "variants.0.filters"},
		{"bad json", Slot{Name: "x", Slot: "y", Variants: []Variant{{Filters: json.RawMessage("[{")}}}, "variants.0.filters"},
	}
	for _, c := range cases {
		_, err := s.Save(ctx, c.in)
		e, ok := apperr.As(err)
		if !ok || e.Fields[c.field] == "" {
			t.Errorf("%s: err = %v, want a %s field error", c.name, err, c.field)
		} else if !strings.Contains(e.Error()+fmt.Sprint(e.Fields), c.field) {
			t.Errorf("%s: error %v does not name %s", c.name, e, c.field)
		}
	}
}
