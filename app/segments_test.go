package app

import (
	"strings"
	"testing"
)

// The filter editor offers a value list for every field whose values are ids or a fixed set:
// stages, owners and assets by name, and fields typed country or timezone say so (the editor
// lists those in the UI language).
func TestSegmentCatalogueValueChoices(t *testing.T) {
	sh := newShell(t, "")
	exec(t, sh,
		`INSERT INTO stages(id, name, weight, date_added, date_modified) VALUES('st2', 'Customer', 50, 0, 0), ('st1', 'Lead', 10, 0, 0)`,
		`INSERT INTO stages(id, name, weight, date_added, date_modified, deleted) VALUES('st3', 'Gone', 1, 0, 0, 1)`,
		`INSERT INTO users(id, name, email, date_added) VALUES('u1', 'Ann', 'ann@x.io', 0), ('u2', '', 'bob@x.io', 0)`,
		`INSERT INTO assets(id, title, date_added, date_modified) VALUES('a1', 'Pricing guide', 0, 0)`,
	)
	cat, err := (&Segments{sh}).Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	byAlias := map[string]SegmentField{}
	for _, f := range cat.Fields {
		byAlias[f.Alias] = f
	}
	labels := func(alias string) (out []string) {
		for _, o := range byAlias[alias].Options {
			out = append(out, o["value"]+"="+o["label"])
		}
		return out
	}
	for alias, want := range map[string][]string{
		"stage":               {"st1=Lead", "st2=Customer"},
		"owner_id":            {"u1=Ann", "u2=bob@x.io"},
		"lead_asset_download": {"a1=Pricing guide"},
	} {
		if got := labels(alias); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s options: got %v, want %v", alias, got, want)
		}
	}
	for alias, want := range map[string]string{"country": "country", "timezone": "timezone", "companycountry": "country", "email": "email"} {
		if got := byAlias[alias].FieldType; got != want {
			t.Errorf("%s fieldType %q, want %q", alias, got, want)
		}
	}
}
