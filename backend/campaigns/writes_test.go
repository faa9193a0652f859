package campaigns

import (
	"fmt"
	"testing"
	"time"
)

// fiveSteps is BenchmarkFiveSteps' campaign: condition (valid email) → add tag → +5 points
// → send email → decision "opens email", whose no path (−1 point) fires a day later.
func fiveSteps(mail string) []Event {
	return []Event{
		root("valid", KindCondition, "email.valid", nil),
		child("tag", "valid", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"entered"}}),
		child("pts", "tag", "", KindAction, "points.adjust", map[string]any{"points": 5.0}),
		child("send", "pts", "", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		wait(child("late", "open", "no", KindAction, "points.adjust", map[string]any{"points": -1.0}), 1, "d"),
	}
}

// The rows one contact writes going through the five steps (entry, run, the no path a day
// later), counted by temporary triggers on the writer's connection: the budget
// docs/BENCHMARKS.md § Campaigns ("what one contact writes") explains, table by table. A
// change that writes a row twice (a scheduled-then-updated step, a member row inserted then
// updated) or per row where it was per batch fails here.
func TestFiveStepsWritesPerContact(t *testing.T) {
	const n = 300
	f := newFixture(t)
	all := f.benchSegment(n)
	c, err := f.s.Save(f.ctx, Input{Name: "Writes", Graph: Graph{Sources: segSource(all), Events: fiveSteps(f.email("Welcome"))}})
	if err != nil {
		t.Fatal(err)
	}
	tables := []string{"campaign_members", "campaign_log", "campaign_counts", "contacts", "events", "contact_tags", "email_sends"}
	stmts := []string{"CREATE TEMP TABLE IF NOT EXISTS zz_writes(tbl TEXT NOT NULL, op TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(tbl, op)) WITHOUT ROWID"}
	for _, tb := range tables {
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			stmts = append(stmts, fmt.Sprintf(`CREATE TEMP TRIGGER IF NOT EXISTS zz_%s_%s AFTER %s ON main.%s BEGIN
				INSERT INTO zz_writes VALUES('%s', '%s', 1) ON CONFLICT(tbl, op) DO UPDATE SET n = n + 1; END`, tb, op, op, tb, tb, op))
		}
	}
	for _, q := range stmts {
		if _, err := f.d.W.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for _, tb := range tables {
			for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
				f.d.W.Exec(fmt.Sprintf("DROP TRIGGER IF EXISTS temp.zz_%s_%s", tb, op))
			}
		}
	}()
	if _, err := f.s.Publish(f.ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	// Batches of 100 due rows: three batches a run, so per-batch writes show as such.
	run := func() {
		if _, err := f.s.Run(f.ctx, RunOptions{Batch: 100}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	f.clk.Advance(25 * time.Hour)
	run()
	got := map[string]int{}
	rows, err := f.d.W.Query("SELECT tbl || ' ' || op, n FROM zz_writes")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		got[k] = v
	}
	rows.Close()
	// Per contact, exactly (rows written once each, except the two steps that wait: the
	// root, scheduled at entry and run by the next batch, and the decision, waiting until
	// its no path fires).
	for _, c := range []struct {
		key string
		per int
	}{
		{"campaign_members INSERT", 1}, {"campaign_members UPDATE", 0},
		{"contacts UPDATE", 2},     // the two point steps (points, date_modified)
		{"events INSERT", 2},       // points.changed × 2 (a campaign's tag writes no tag.added)
		{"contact_tags INSERT", 1}, //
		{"email_sends INSERT", 1},  //
		{"campaign_log UPDATE", 2}, // valid: scheduled → done; open: waiting → done (no)
		{"contacts DELETE", 0},     //
		{"email_sends UPDATE", 0},  // (no sender runs here)
		{"campaign_members DELETE", 0},
	} {
		if got[c.key] != c.per*n {
			t.Errorf("%s: %d rows for %d contacts, want %d per contact", c.key, got[c.key], n, c.per)
		}
	}
	// campaign_log: six rows per contact; the only other writes are the per-batch id
	// placeholders of pipelined steps (pipeline.go), inserted and deleted.
	if ins, del := got["campaign_log INSERT"], got["campaign_log DELETE"]; ins-del != 6*n || del > n/10 {
		t.Errorf("campaign_log: %d inserts, %d deletes for %d contacts, want 6 rows per contact and a few placeholders", ins, del, n)
	}
	// Live counts: per batch and step (grouped upserts), never per row.
	if w := got["campaign_counts INSERT"] + got["campaign_counts UPDATE"] + got["campaign_counts DELETE"]; w > n/4 {
		t.Errorf("campaign_counts: %d writes for %d contacts, want a few per batch", w, n)
	}
	t.Logf("writes: %v", got)
}
