package campaigns

import (
	"os"
	"strings"
	"testing"
)

// Every event of the catalogue and every property it asks for has a label in both of the
// builder's languages (frontend/src/i18n/campaigns.ts holds the English and the French
// dictionary; labels.ts falls back to the raw type name, which the palette would show).
func TestCatalogueLabelled(t *testing.T) {
	b, err := os.ReadFile("../../frontend/src/i18n/campaigns.ts")
	if err != nil {
		t.Fatal(err)
	}
	dicts := string(b)
	check := func(key string) {
		if n := strings.Count(dicts, `"`+key+`":`); n != 2 {
			t.Errorf("%s: %d labels, want one English and one French", key, n)
		}
	}
	for _, e := range catalogue {
		check("campaigns.type." + e.Type)
		for _, p := range e.Props {
			check("campaigns.prop." + p.Name)
		}
	}
}
