package contacts_test

import (
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/internal/testenv"
	"magpie/backend/listing"
)

// Every grid sort, both directions, from the top and from an anchor, walks a covering
// index in (key, rowid) order: a deep page or a name search never looks rows up in the
// table (migrations 0008, 0093).
func TestSortPlansCovering(t *testing.T) {
	d, _ := testenv.NewDB(t)
	for name, key := range contacts.Sorts {
		for _, desc := range []bool{false, true} {
			dir := map[bool]string{false: "ASC", true: "DESC"}[desc]
			spec := listing.Spec{Table: "contacts", Key: key, Desc: desc, Offset: 1000, Limit: 50}
			top, _ := listing.QuerySQL(spec, false)
			anchored, _ := listing.QuerySQL(spec, true)
			seek := " AND " + listing.Seek(false) // expression keys (migration 0093)
			if !strings.Contains(key, "(") {
				seek = ""
			}
			queries := map[string]string{
				"from the top":   top,
				"from an anchor": anchored,
				"search range":   "SELECT rowid FROM contacts WHERE deleted = 0" + seek + " AND " + key + " >= 'mu' AND " + key + " < 'mv'",
			}
			for what, q := range queries {
				n := strings.Count(q, "?")
				args := make([]any, n)
				for i := range args {
					args[i] = 1
				}
				p := bounded(testenv.QueryPlan(t, d.R.Query, q, args...))
				seek := what == "from the top" || (strings.Contains(p, "SEARCH") && !strings.Contains(p, "SCAN"))
				if !strings.Contains(p, "COVERING INDEX") || strings.Contains(p, "TEMP B-TREE") || !seek {
					t.Errorf("sort %s %s, %s: plan %q is not a covering index walk", name, dir, what, p)
				}
			}
		}
	}
}

// Queries that do not write listing.Seek never seek an expression sort index on its
// leading deleted column alone (migration 0093: without ANALYZE statistics SQLite would
// take `deleted=?` for ~10 rows and walk a whole sort index with a table read per contact):
// an export's date_added keyset, a look-up ordered by date_added, a filter on a column
// without an index, a count.
func TestPlainQueriesDoNotSeekDeleted(t *testing.T) {
	d, _ := testenv.NewDB(t)
	for _, q := range []string{
		"SELECT id FROM contacts WHERE deleted = 0 AND date_added >= ? AND (date_added, rowid) > (?, ?) ORDER BY date_added, rowid LIMIT 2000",
		"SELECT id FROM contacts WHERE deleted = 0 ORDER BY date_added DESC LIMIT 5",
		"SELECT id FROM contacts WHERE deleted = 0 AND firstname = ?",
		"SELECT id FROM contacts WHERE deleted = 1 AND position = ?",
		"SELECT count(*) FROM contacts WHERE deleted = 0",
		"SELECT id FROM contacts WHERE deleted = 0 AND points > ? ORDER BY points LIMIT 10",
	} {
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = 1
		}
		p := testenv.QueryPlan(t, d.R.Query, q, args...)
		if strings.Contains(p, "(deleted=?") {
			t.Errorf("%s: plan %q seeks a sort index on deleted alone", q, p)
		}
	}
}

// bounded drops from a page's plan the one sort listing asks for: after an anchor on an
// expression key, the rest of the anchor's run, at most skip + limit rows of a subquery.
func bounded(plan string) string {
	return strings.Replace(plan, "SCAN (subquery-1); USE TEMP B-TREE FOR ORDER BY", "", 1)
}
