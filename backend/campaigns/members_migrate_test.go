package campaigns

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/events"
)

// layout0091 turns campaign_members back into its shape before migration 0092 (0050: the
// campaign's id in every row's key and in the contact index).
const layout0091 = `
CREATE TABLE campaign_members_old(
  campaign_id TEXT NOT NULL, contact_id TEXT NOT NULL, date_added INTEGER NOT NULL,
  manually_added INTEGER NOT NULL DEFAULT 0, manually_removed INTEGER NOT NULL DEFAULT 0, date_last_exited INTEGER,
  rotation INTEGER NOT NULL DEFAULT 1, started INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(campaign_id, contact_id)) WITHOUT ROWID;
INSERT INTO campaign_members_old SELECT campaign_id, contact_id, date_added, manually_added, manually_removed,
  date_last_exited, rotation, started FROM campaign_members_ids;
DROP VIEW campaign_members_ids;
DROP TABLE campaign_members;
DROP TABLE campaign_keys;
ALTER TABLE campaign_members_old RENAME TO campaign_members;
CREATE INDEX campaign_members_contact ON campaign_members(contact_id, campaign_id);
DELETE FROM schema_migrations WHERE version = 92;`

// Migration 0092 converts a store with two running campaigns: every membership row, the
// campaigns' member counts and the segment filter "campaign membership" read the same after
// it, and the restart rules still apply (a removed member of a restartable campaign comes
// back with a new rotation, one removed from the other stays out), the campaign running on.
func TestMembersKeysMigration(t *testing.T) {
	f := newFixture(t)
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	bob := f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	cid := f.contact(map[string]string{"firstname": "Cid", "email": "cid@x.io"})
	all := f.segment("All", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"!empty"}]`)
	mail := f.email("Hello")
	g := Graph{Sources: segSource(all), Events: []Event{
		root("send", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		wait(child("no", "open", "no", KindAction, "points.adjust", map[string]any{"points": -1.0}), 1, "d"),
	}}
	first := f.publish("First", true, g)
	second := f.publish("Second", false, g)
	f.run()
	for _, id := range []string{first, second} {
		if _, err := f.s.RemoveContacts(f.ctx, id, []string{bob}); err != nil {
			t.Fatal(err)
		}
	}
	filter := func(op string, ids ...string) string {
		q := make([]string, len(ids))
		for i, id := range ids {
			q[i] = fmt.Sprintf("%q", id)
		}
		return fmt.Sprintf(`[{"glue":"and","object":"lead","field":"campaign","operator":%q,"properties":{"filter":[%s]}}]`,
			op, strings.Join(q, ","))
	}
	snapshot := func() string {
		t.Helper()
		var b strings.Builder
		rows, err := f.d.R.Query(`SELECT campaign_id, contact_id, date_added, manually_added, manually_removed,
			coalesce(date_last_exited, -1), rotation, started FROM campaign_members_ids ORDER BY campaign_id, contact_id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c, ct string
			var added, man, rem, exited, rot, started int64
			if err := rows.Scan(&c, &ct, &added, &man, &rem, &exited, &rot, &started); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "member %s %s %d %d %d %d %d %d\n", c, ct, added, man, rem, exited, rot, started)
		}
		rows.Close()
		for _, id := range []string{first, second} {
			c, err := f.s.Get(f.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "campaign %s members %d\n", id, c.Members)
		}
		for _, fl := range []string{filter("in", first), filter("in", first, second), filter("!in", second), filter("!empty"), filter("empty")} {
			n, _, err := f.seg.Preview(f.ctx, []byte(fl), "", f.clk.Now(), 0)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "filter %s %d\n", fl, n)
		}
		return b.String()
	}
	before := snapshot()
	if !strings.Contains(before, fmt.Sprintf("member %s %s", first, bob)) || !strings.Contains(before, "members 2") {
		t.Fatalf("want two running campaigns with a removed member, got:\n%s", before)
	}
	m0092 := migrationSQL(t, 92)
	// On the writer's connection, outside the store's write path, as the migration runner does.
	for _, q := range []string{layout0091, m0092} {
		if _, err := f.d.W.ExecContext(f.ctx, q); err != nil {
			t.Fatalf("%.60s…: %v", q, err)
		}
	}
	if after := snapshot(); after != before {
		t.Errorf("after the migration:\n%s\nbefore:\n%s", after, before)
	}
	// Mautic's entry rules (§4.5) on the new rows: a user's removal blocks the automatic
	// re-entry; a manual add restarts a removed member, and an active one only in a
	// restartable campaign.
	if _, err := f.s.SyncMembers(f.ctx, first); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddContacts(f.ctx, second, []string{bob}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddContacts(f.ctx, first, []string{ann}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddContacts(f.ctx, second, []string{cid}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range []struct{ campaign, contact string }{{first, bob}, {second, bob}, {first, ann}, {second, cid}} {
		var rot, removed int
		f.d.R.QueryRow("SELECT rotation, manually_removed FROM campaign_members_ids WHERE campaign_id = ? AND contact_id = ?",
			m.campaign, m.contact).Scan(&rot, &removed)
		got = append(got, fmt.Sprintf("%d/%d", rot, removed))
	}
	if want := []string{"1/1", "2/0", "2/0", "1/0"}; !equal(got, want) {
		t.Errorf("rotation/removed of bob (first, second), ann (first), cid (second) = %v, want %v", got, want)
	}
	f.appendEvent(events.Event{ContactID: ann, Type: events.EmailRead, ObjectID: mail})
	f.advance(25 * time.Hour) // cid's decisions take their no path: −1 point each
	if got := f.logOf(first, cid); !equal(got, []string{"no:done", "open:done:no", "send:done"}) {
		t.Errorf("cid after the migration = %v", got)
	}
	if got := f.points(cid); got != -2 {
		t.Errorf("cid's points = %d, want -2", got)
	}
}
