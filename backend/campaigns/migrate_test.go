package campaigns

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
)

// layout0089 turns the campaign tables of a store back into their shape before migration
// 0090 (0050–0054: the campaign's and the event's ids in every log row and its unique key,
// counts per campaign, event and status kept by per-row triggers, the bulk flag).
const layout0089 = `
CREATE TABLE campaign_log_old(
  id INTEGER PRIMARY KEY, campaign_id TEXT NOT NULL, event_id TEXT NOT NULL, contact_id TEXT NOT NULL,
  rotation INTEGER NOT NULL, status TEXT NOT NULL, path TEXT NOT NULL DEFAULT '', trigger_at INTEGER NOT NULL,
  ref_at INTEGER NOT NULL, done_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0, reason TEXT,
  UNIQUE(contact_id, campaign_id, event_id, rotation));
INSERT INTO campaign_log_old SELECT id, campaign_id, event_id, contact_id, rotation, status, path, trigger_at, ref_at,
  done_at, attempts, reason FROM campaign_log_ids;
DROP VIEW campaign_events;
DROP VIEW campaign_log_ids;
DROP TABLE campaign_log;
DROP TABLE campaign_counts;
DROP TABLE campaign_step_keys;
ALTER TABLE campaign_log_old RENAME TO campaign_log;
CREATE INDEX campaign_log_due ON campaign_log(trigger_at, id) WHERE status IN ('scheduled', 'waiting');
CREATE INDEX campaign_log_waiting ON campaign_log(contact_id) WHERE status = 'waiting';
CREATE INDEX campaign_log_adjust ON campaign_log(campaign_id, event_id) WHERE status = 'adjust';
CREATE TABLE campaign_counts(campaign_id TEXT NOT NULL, event_id TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY(campaign_id, event_id, status)) WITHOUT ROWID;
INSERT INTO campaign_counts SELECT campaign_id, event_id, status, count(*) FROM campaign_log GROUP BY 1, 2, 3;
CREATE TABLE campaign_counts_bulk(k INTEGER PRIMARY KEY);
CREATE TRIGGER campaign_log_count_ins AFTER INSERT ON campaign_log
  WHEN NOT EXISTS (SELECT 1 FROM campaign_counts_bulk) BEGIN
  INSERT INTO campaign_counts(campaign_id, event_id, status, n) VALUES(new.campaign_id, new.event_id, new.status, 1)
    ON CONFLICT(campaign_id, event_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER campaign_log_count_upd AFTER UPDATE OF status, campaign_id, event_id ON campaign_log
  WHEN (old.status IS NOT new.status OR old.campaign_id IS NOT new.campaign_id OR old.event_id IS NOT new.event_id)
    AND NOT EXISTS (SELECT 1 FROM campaign_counts_bulk) BEGIN
  UPDATE campaign_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND event_id = old.event_id AND status = old.status;
  INSERT INTO campaign_counts(campaign_id, event_id, status, n) VALUES(new.campaign_id, new.event_id, new.status, 1)
    ON CONFLICT(campaign_id, event_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER campaign_log_count_del AFTER DELETE ON campaign_log BEGIN
  UPDATE campaign_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND event_id = old.event_id AND status = old.status;
END;
CREATE VIEW campaign_events AS
  SELECT l.id AS log_id, 'campaign:' || l.id AS id, l.contact_id AS contact_id, 'campaign.event' AS type,
    l.done_at AS at, l.campaign_id AS object_id, c.name || ' › ' || coalesce(s.name, l.event_id) AS object_name,
    'campaign' AS source,
    json_object('event', l.event_id, 'type', coalesce(s.type, ''), 'path', l.path, 'status', l.status, 'reason', l.reason) AS data
  FROM campaign_log l
  JOIN campaigns c ON c.id = l.campaign_id
  LEFT JOIN campaign_steps s ON s.campaign_id = l.campaign_id AND s.event_id = l.event_id
  WHERE l.status IN ('done', 'skipped', 'failed') AND l.done_at IS NOT NULL;
DELETE FROM schema_migrations WHERE version = 90;`

// Migration 0090 converts a store with a running campaign: the live counts, every contact's
// timeline, the waiting and the scheduled rows read the same after it, and the campaign runs
// on (the decision's no path a day later) with exact counts.
func TestStepKeysMigration(t *testing.T) {
	f := newFixture(t)
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	bob := f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	cid := f.contact(map[string]string{"firstname": "Cid"})
	dan := f.contact(map[string]string{"firstname": "Dan", "email": "dan@x.io"})
	all := f.segment("All", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"!empty"}]`)
	mail := f.email("Hello")
	id := f.publish("Running", false, Graph{Sources: segSource(all), Events: []Event{
		root("valid", KindCondition, "email.valid", nil),
		child("send", "valid", "yes", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		child("yes", "open", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"opened"}}),
		wait(child("no", "open", "no", KindAction, "points.adjust", map[string]any{"points": -1.0}), 1, "d"),
		wait(root("later", KindAction, "contact.tags", map[string]any{"add": []any{"later"}}), 2, "d"),
	}})
	f.run()
	f.appendEvent(events.Event{ContactID: ann, Type: events.EmailRead, ObjectID: mail})
	f.run()
	if _, err := f.s.RemoveContacts(f.ctx, id, []string{dan}); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		t.Helper()
		var b strings.Builder
		st, err := f.s.countStats(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "stats %v\n", st)
		for _, c := range []string{ann, bob, cid, dan} {
			steps, err := Steps(f.ctx, f.d.R, c, 0, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range steps {
				fmt.Fprintf(&b, "timeline %s %s %d %s %s %s\n", c, e.ID, e.At.UnixMilli(), e.ObjectID, e.ObjectName, e.Data)
			}
		}
		var byStatus string
		if err := f.d.R.QueryRow(`SELECT group_concat(s, ' ') FROM (SELECT event_id || ':' || status || '=' || count(*) AS s
			FROM campaign_log_ids GROUP BY event_id, status ORDER BY 1)`).Scan(&byStatus); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "log %s\n", byStatus)
		rows, err := f.d.R.Query(`SELECT id, campaign_id, event_id, contact_id, status, trigger_at FROM campaign_log_ids
			WHERE status IN ('scheduled', 'waiting') ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var lid, at int64
			var c, e, ct, st string
			if err := rows.Scan(&lid, &c, &e, &ct, &st, &at); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "pending %d %s %s %s %s %d\n", lid, c, e, ct, st, at)
		}
		return b.String()
	}
	before := snapshot()
	if !strings.Contains(before, " waiting ") || !strings.Contains(before, " scheduled ") || !strings.Contains(before, ":canceled=") {
		t.Fatalf("want a running campaign (waiting, scheduled and canceled rows), got:\n%s", before)
	}
	m0090 := migrationSQL(t, 90)
	// On the writer's connection, outside the store's write path, as the migration runner does.
	for _, q := range []string{
		layout0089,
		m0090,
	} {
		if _, err := f.d.W.ExecContext(f.ctx, q); err != nil {
			t.Fatalf("%.60s…: %v", q, err)
		}
	}
	after := snapshot()
	if after != before {
		t.Errorf("after the migration:\n%s\nbefore:\n%s", after, before)
	}
	if d := f.countsDiff(); d != "" {
		t.Error(d)
	}
	f.advance(25 * time.Hour) // bob's decision takes its no path: −1 point
	if got := f.logOf(id, bob); !equal(got, []string{"later:scheduled", "no:done", "open:done:no", "send:done", "valid:done:yes"}) {
		t.Errorf("bob after the migration = %v", got)
	}
	if got := f.points(bob); got != -1 {
		t.Errorf("bob's points = %d, want -1", got)
	}
}

// migrationSQL is the text of the store's migration number version.
func migrationSQL(t *testing.T, version int) string {
	t.Helper()
	ms, err := db.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version == version {
			return m.SQL
		}
	}
	t.Fatalf("no migration %d", version)
	return ""
}
