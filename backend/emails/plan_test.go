package emails

import (
	"strings"
	"testing"

	"magpie/backend/internal/testenv"
)

// The frequency rules' count reads the partial contact index (sent rows only), not the
// whole queue.
func TestRecentSendsPlan(t *testing.T) {
	f := newFixture(t)
	if got := testenv.QueryPlan(t, f.db.R.Query, recentSendsSQL, "c1", int64(0)); !strings.Contains(got, "INDEX email_sends_contact (contact_id=? AND sent_at>?)") {
		t.Fatalf("plan %q, want a search of email_sends_contact by contact and time", got)
	}
}
