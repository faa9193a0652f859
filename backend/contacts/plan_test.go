package contacts_test

import (
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/internal/testenv"
	"magpie/backend/listing"
)

// Every grid sort, both directions, from the top and from an anchor, walks a covering
// index: a deep page or a name search never looks rows up in the table (migration 0008).
func TestSortPlansCovering(t *testing.T) {
	d, _ := testenv.NewDB(t)
	for name, key := range contacts.Sorts {
		for _, desc := range []bool{false, true} {
			dir := map[bool]string{false: "ASC", true: "DESC"}[desc]
			spec := listing.Spec{Table: "contacts", Key: key, Desc: desc, Offset: 1000, Limit: 50}
			top, _ := listing.QuerySQL(spec, false)
			anchored, _ := listing.QuerySQL(spec, true)
			queries := map[string]string{
				"from the top":   top,
				"from an anchor": anchored,
				"search range":   "SELECT id FROM contacts WHERE deleted = 0 AND " + key + " >= 'mu' AND " + key + " < 'mv'",
			}
			for what, q := range queries {
				n := strings.Count(q, "?")
				args := make([]any, n)
				for i := range args {
					args[i] = 1
				}
				p := testenv.QueryPlan(t, d.R.Query, q, args...)
				seek := what == "from the top" || strings.HasPrefix(p, "SEARCH")
				if !strings.Contains(p, "COVERING INDEX") || strings.Contains(p, "TEMP B-TREE") || !seek {
					t.Errorf("sort %s %s, %s: plan %q is not a covering index walk", name, dir, what, p)
				}
			}
		}
	}
}
