package fields_test

import (
	"context"
	"reflect"
	"testing"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
)

func TestParseValues(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Add(ctx, fields.Input{Object: fields.Company, Alias: "tier", Label: "Tier", Type: fields.Select,
		Options: []fields.Option{{Value: "gold", Label: "Gold"}, {Value: "silver", Label: "Silver"}}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		obj  fields.Object
		raw  map[string]string
		want db.Cols
		errs map[string]string // field alias -> error key
	}{
		{"contact values", fields.Contact, map[string]string{"firstname": "Zoé", "city": ""},
			db.Cols{"firstname": "Zoé", "city": nil}, nil},
		{"company custom select", fields.Company, map[string]string{"companyname": "Acme", "tier": "gold"},
			db.Cols{"companyname": "Acme", "tier": "gold"}, nil},
		{"every bad field named", fields.Contact,
			map[string]string{"shoe_size": "42", "points": "10", "email": "not an email", "firstname": "ok"},
			nil, map[string]string{"shoe_size": "fields.errors.unknown", "points": "fields.errors.unknown", "email": ""}},
		{"option not in the list", fields.Company, map[string]string{"tier": "bronze"},
			nil, map[string]string{"tier": ""}},
		{"contact field on a company", fields.Company, map[string]string{"firstname": "Zoé"},
			nil, map[string]string{"firstname": "fields.errors.unknown"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := fs.ParseValues(ctx, c.obj, c.raw, fields.ParseOptions{})
			if c.errs == nil {
				if err != nil || !reflect.DeepEqual(got, c.want) {
					t.Fatalf("got %v, %v; want %v", got, err, c.want)
				}
				return
			}
			ae, ok := apperr.As(err)
			if !ok || len(ae.Fields) != len(c.errs) {
				t.Fatalf("err = %v; want errors on %v", err, c.errs)
			}
			for alias, key := range c.errs {
				if got, ok := ae.Fields[alias]; !ok || (key != "" && got != key) {
					t.Errorf("%s: error key %q, want %q", alias, got, key)
				}
			}
		})
	}
}

// A custom field keeps its French label (set, edited, cleared); core fields keep theirs.
func TestCustomFieldFrenchLabel(t *testing.T) {
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	in := fields.Input{Object: fields.Contact, Alias: "shoe_size", Label: "Shoe size", LabelFR: " Pointure ", Type: fields.Number, Group: "personal"}
	if _, err := fs.Add(ctx, in); err != nil {
		t.Fatal(err)
	}
	label := func(alias string) string {
		f, err := fs.Get(ctx, fields.Contact, alias)
		if err != nil {
			t.Fatal(err)
		}
		return f.LabelFR
	}
	if got := label("shoe_size"); got != "Pointure" {
		t.Errorf("added: %q", got)
	}
	in.LabelFR = ""
	if _, err := fs.Update(ctx, in); err != nil {
		t.Fatal(err)
	}
	if got := label("shoe_size"); got != "" {
		t.Errorf("cleared: %q", got)
	}
	if got := label("city"); got != "Ville" {
		t.Errorf("core field: %q", got)
	}
}
