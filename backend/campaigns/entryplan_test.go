package campaigns

import (
	"strings"
	"testing"

	"magpie/backend/db"
	"magpie/backend/internal/testenv"
)

// The statements that enter one chunk of candidates (membersync.go, kickoff) must look each
// candidate up, never walk the campaign's whole membership: chunked entry would then cost
// O(members) per chunk (quadratic over a big segment).
func TestEntryPlansPerCandidate(t *testing.T) {
	f := newFixture(t)
	kick := kickoffSrc
	for _, q := range []string{
		`UPDATE campaign_members SET started = rotation WHERE campaign_key = ? AND manually_removed = 0 AND started < rotation
			AND contact_id IN (SELECT contact_id FROM camp_cand)`,
		kick,
		`INSERT OR IGNORE INTO campaign_log(step, contact_id, rotation, status, trigger_at, ref_at)
			SELECT ?, s.contact_id, s.rotation, 'scheduled', s.ref_at, s.ref_at FROM (` + kick + `) s`,
		`INSERT OR IGNORE INTO campaign_log(step, contact_id, rotation, status, trigger_at, ref_at)
			SELECT ?, s.contact_id, s.rotation, 'scheduled', s.ref_at, s.ref_at FROM (` + freshSrc + `) s`,
		`INSERT INTO campaign_members(campaign_key, contact_id, date_added, manually_added, rotation, started)
			SELECT ?, x.contact_id, 1, 0, 1, 1 FROM camp_cand x
			WHERE NOT EXISTS (SELECT 1 FROM campaign_members m WHERE m.campaign_key = ? AND m.contact_id = x.contact_id)`,
		`INSERT INTO camp_cand SELECT sm.contact_id FROM segment_members sm
			JOIN contacts ct ON ct.id = sm.contact_id AND ct.deleted = 0
			WHERE sm.segment_id = ? AND sm.contact_id > ? AND sm.manually_removed = 0
			AND NOT EXISTS (SELECT 1 FROM campaign_members m WHERE m.campaign_key = ? AND m.contact_id = sm.contact_id AND m.manually_removed = 0)
			ORDER BY sm.contact_id LIMIT ?`,
	} {
		var plan []string
		if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
			if err := prepTemp(tx); err != nil {
				return err
			}
			args := make([]any, strings.Count(q, "?"))
			for i := range args {
				args[i] = "x"
			}
			rows, err := tx.Query("EXPLAIN QUERY PLAN "+q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var a, b, c int
				var d string
				if err := rows.Scan(&a, &b, &c, &d); err != nil {
					return err
				}
				plan = append(plan, d)
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		p := strings.Join(plan, " | ")
		if strings.Contains(p, "SCAN m") || strings.Contains(p, "SCAN campaign_members") ||
			strings.Contains(p, "(campaign_key=?)") || strings.Contains(p, "SCAN sm") {
			t.Errorf("plan walks the membership:\n%s\n%s", q, p)
		}
	}
}

// The runner's due rows and a contact's waiting steps are found through their partial
// indexes, the step keys by their integer key (migration 0090).
func TestDueAndWaitingPlans(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name, q string
		want    []string
	}{
		{"due", dueSQL, []string{"SEARCH l USING INDEX campaign_log_due (trigger_at<?)"}},
		{"waiting", waitingSQL, []string{"SEARCH l USING INDEX campaign_log_waiting (contact_id=?)", "SEARCH k USING INTEGER PRIMARY KEY (rowid=?)"}},
	} {
		args := make([]any, strings.Count(c.q, "?"))
		for i := range args {
			args[i] = 1
		}
		p := testenv.QueryPlan(t, f.d.R.Query, c.q, args...)
		for _, w := range c.want {
			if !strings.Contains(p, w) {
				t.Errorf("%s: plan %q, want %q", c.name, p, w)
			}
		}
		if strings.Contains(p, "SCAN l") {
			t.Errorf("%s: plan %q scans the log", c.name, p)
		}
	}
}
