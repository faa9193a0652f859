package exports

import (
	"strings"
	"testing"

	"magpie/backend/internal/testenv"
)

// TestPagePlans: both reads of an export page seek contacts_date_added — the rest of a run
// by (date_added, rowid), the dates after it by date_added — instead of walking a run of
// equal dates from its start.
func TestPagePlans(t *testing.T) {
	d, _ := testenv.NewDB(t)
	base := "SELECT id, date_added, rowid FROM contacts WHERE deleted = 0"
	for _, c := range []struct {
		part, want string
		args       []any
	}{
		{restOfRun, "SEARCH contacts USING INDEX contacts_date_added (date_added=? AND rowid>?)", []any{int64(5), int64(7), 10}},
		{afterRun, "SEARCH contacts USING INDEX contacts_date_added (date_added>?)", []any{int64(5), 10}},
	} {
		p := testenv.QueryPlan(t, d.R.Query, base+c.part, c.args...)
		if !strings.Contains(p, c.want) || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: plan %q, want %q without a sort", c.part, p, c.want)
		}
	}
}
