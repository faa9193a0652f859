package emails

import (
	"strings"
	"testing"
)

// The frequency rules' count reads the partial contact index (sent rows only), not the
// whole queue.
func TestRecentSendsPlan(t *testing.T) {
	f := newFixture(t)
	rows, err := f.db.R.Query("EXPLAIN QUERY PLAN "+recentSendsSQL, "c1", int64(0))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if got := strings.Join(plan, "; "); !strings.Contains(got, "INDEX email_sends_contact (contact_id=? AND sent_at>?)") {
		t.Fatalf("plan %q, want a search of email_sends_contact by contact and time", got)
	}
}
