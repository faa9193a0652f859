package campaigns

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/segments"
)

func tagGraph(src []Source, tag string) Graph {
	return Graph{Sources: src, Events: []Event{root("t", KindAction, "contact.tags", map[string]any{"add": []any{tag}})}}
}

// §4.5: segment entry and exit, manual add/remove, restart rules.
func TestMembershipAndRestart(t *testing.T) {
	for _, restart := range []bool{false, true} {
		name := map[bool]string{false: "no restart", true: "restart"}[restart]
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io", "city": "Paris"})
			bob := f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
			paris := f.segment("Paris", `[{"glue":"and","field":"city","object":"lead","type":"text","operator":"=","properties":{"filter":"Paris"}}]`)
			id := f.publish("C", restart, tagGraph(segSource(paris), "in"))
			f.run()
			if got := f.logOf(id, ann); !equal(got, []string{"t:done"}) {
				t.Fatalf("ann = %v", got)
			}
			// Ann leaves the segment: she exits (rebuild exit, date_last_exited set).
			f.cs.Update(f.ctx, ann, map[string]string{"city": "Lyon"}, "test")
			f.seg.Rebuild(f.ctx, paris, time.Time{})
			f.s.SyncMembers(f.ctx, id)
			var removed int
			f.d.R.QueryRow("SELECT manually_removed FROM campaign_members_ids WHERE campaign_id = ? AND contact_id = ?", id, ann).Scan(&removed)
			if removed != 1 {
				t.Fatalf("ann not removed after leaving the segment")
			}
			// She comes back: only a restartable campaign takes her again (rotation 2).
			f.cs.Update(f.ctx, ann, map[string]string{"city": "Paris"}, "test")
			f.seg.Rebuild(f.ctx, paris, time.Time{})
			f.s.SyncMembers(f.ctx, id)
			f.run()
			want := []string{"t:done"}
			if restart {
				want = []string{"t:done", "t:done@2"}
			}
			if got := f.logOf(id, ann); !equal(got, want) {
				t.Errorf("ann after re-entry = %v, want %v", got, want)
			}
			// Manual add of a non-member: always allowed.
			if n, err := f.s.AddContacts(f.ctx, id, []string{bob}); err != nil || n != 1 {
				t.Fatalf("add bob = %d, %v", n, err)
			}
			f.run()
			// A manual member is never removed by a sync although in no source segment.
			f.s.SyncMembers(f.ctx, id)
			var active int
			f.d.R.QueryRow("SELECT count(*) FROM campaign_members_ids WHERE campaign_id = ? AND manually_removed = 0", id).Scan(&active)
			if wantActive := map[bool]int{false: 1, true: 2}[restart]; active != wantActive {
				t.Errorf("active members = %d, want %d (Bob, and Ann when she could re-enter)", active, wantActive)
			}
			// Removed by a user: an automatic sync never brings her back.
			f.s.RemoveContacts(f.ctx, id, []string{ann})
			f.s.SyncMembers(f.ctx, id)
			f.d.R.QueryRow("SELECT manually_removed FROM campaign_members_ids WHERE campaign_id = ? AND contact_id = ?", id, ann).Scan(&removed)
			if removed != 1 {
				t.Errorf("a user removal was undone by a sync")
			}
		})
	}
}

// Removing a contact cancels its pending steps; a contact deleted mid-campaign is skipped
// and the others go on.
func TestRemovalCancelsAndDeletedContactSkips(t *testing.T) {
	f := newFixture(t)
	all := people(f)
	id := f.publish("C", false, Graph{Sources: segSource(all), Events: []Event{
		wait(root("t", KindAction, "contact.tags", map[string]any{"add": []any{"later"}}), 1, "h")}})
	f.s.RemoveContacts(f.ctx, id, []string{f.ids["Ann"]})
	f.cs.Delete(f.ctx, []string{f.ids["Bob"]}, "test")
	f.advance(2 * time.Hour)
	if got := f.logOf(id, f.ids["Ann"]); !equal(got, []string{"t:canceled"}) {
		t.Errorf("ann = %v", got)
	}
	if got := f.logOf(id, f.ids["Bob"]); !equal(got, []string{"t:skipped"}) {
		t.Errorf("bob = %v", got)
	}
	if got := f.tagged("later"); !equal(got, []string{"Cid"}) {
		t.Errorf("later = %v", got)
	}
}

// Q15 fixed: two no-path children (1 and 3 days) fire 1 and 3 days after the parent.
func TestNoPathOffsetsFromParentQ15(t *testing.T) {
	f := newFixture(t)
	all := people(f)
	mail := f.email("M")
	id := f.publish("C", false, Graph{Sources: segSource(all), Events: []Event{
		root("send", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		wait(child("n1", "open", "no", KindAction, "contact.tags", map[string]any{"add": []any{"one"}}), 1, "d"),
		wait(child("n3", "open", "no", KindAction, "contact.tags", map[string]any{"add": []any{"three"}}), 3, "d"),
	}})
	f.run()
	f.advance(24*time.Hour - time.Minute)
	if len(f.tagged("one")) != 0 {
		t.Fatal("no path before a day")
	}
	f.advance(time.Minute)
	if got := f.tagged("one"); !equal(got, []string{"Ann", "Bob"}) {
		t.Errorf("one = %v", got)
	}
	f.advance(48*time.Hour - time.Minute)
	if len(f.tagged("three")) != 0 {
		t.Error("3-day child fired early")
	}
	f.advance(time.Minute) // exactly 3 days after the send (Mautic: 1 + 3 = 4 days)
	if got := f.tagged("three"); !equal(got, []string{"Ann", "Bob"}) {
		t.Errorf("three = %v at 3 days", got)
	}
	_ = id
}

func TestWebhookRetriesAndTimeout(t *testing.T) {
	var calls atomic.Int32
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.Header.Get("Idempotency-Key") == "" {
			t.Error("no idempotency key")
		}
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		body.Store(m)
		if n == 1 {
			w.WriteHeader(500)
			return
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(1500 * time.Millisecond) }))
	defer slow.Close()
	f := newFixture(t)
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	seg := f.segment("A", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"=","properties":{"filter":"Ann"}}]`)
	id := f.publish("W", false, Graph{Sources: segSource(seg), Events: []Event{
		root("w", KindAction, "webhook", map[string]any{"url": srv.URL + "/hook", "data": map[string]any{"plan": "pro"}}),
		root("s", KindAction, "webhook", map[string]any{"url": slow.URL, "timeout": 1.0}),
	}})
	f.run()
	if got := f.logOf(id, ann); !equal(got, []string{"s:scheduled", "w:scheduled"}) {
		t.Fatalf("after a 500 and a timeout: %v (both retried)", got)
	}
	var reason string
	f.d.R.QueryRow("SELECT reason FROM campaign_log_ids WHERE event_id = 's'").Scan(&reason)
	if !strings.Contains(reason, "no answer within 1s") {
		t.Errorf("timeout reason = %q", reason)
	}
	f.advance(time.Minute)
	if got := f.logOf(id, ann); !contains(got, "w:done") {
		t.Errorf("after the retry: %v", got)
	}
	m, _ := body.Load().(map[string]any)
	if c, _ := m["contact"].(map[string]any); c["email"] != "ann@x.io" || m["data"].(map[string]any)["plan"] != "pro" {
		t.Errorf("payload = %v", m)
	}
	f.advance(5 * time.Minute)
	f.advance(25 * time.Minute)
	if got := f.logOf(id, ann); !contains(got, "s:failed") {
		t.Errorf("after 3 timeouts: %v", got)
	}
}

func TestPublishRefusedVersionsImportExport(t *testing.T) {
	f := newFixture(t)
	all := people(f)
	c, err := f.s.Save(f.ctx, Input{Name: "Broken", Graph: Graph{Sources: segSource(all), Events: []Event{
		root("send", KindAction, "email.send", map[string]any{"email": "gone"})}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Publish(f.ctx, c.ID)
	ae, ok := apperr.As(err)
	if !ok || ae.Key != "campaigns.errors.problems" {
		t.Fatalf("publish of a broken graph: %v", err)
	}
	if ps := ae.Params["problems"].([]Problem); len(ps) != 1 || ps[0].Key != "campaigns.problems.emailMissing" {
		t.Errorf("problems = %+v", ps)
	}
	// Fix, publish twice, restore v1 as the draft.
	c.Graph.Events[0] = root("t", KindAction, "contact.tags", map[string]any{"add": []any{"v1"}})
	f.s.Save(f.ctx, Input{ID: c.ID, Name: c.Name, Graph: c.Graph})
	f.s.Publish(f.ctx, c.ID)
	c.Graph.Events[0].Props = map[string]any{"add": []any{"v2"}}
	f.s.Save(f.ctx, Input{ID: c.ID, Name: c.Name, Graph: c.Graph})
	f.s.Publish(f.ctx, c.ID)
	vs, _ := f.s.Versions(f.ctx, c.ID)
	if len(vs) != 2 || vs[0].Version != 2 {
		t.Fatalf("versions = %+v", vs)
	}
	back, err := f.s.RestoreVersion(f.ctx, c.ID, 1)
	if err != nil || back.Graph.Events[0].PropList("add")[0] != "v1" || !back.Published || back.Version != 2 {
		t.Errorf("restore v1: %+v, %v", back.Graph.Events, err)
	}
	text, err := f.s.Export(f.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := f.s.Import(f.ctx, text)
	if err != nil || imp.ID == c.ID || imp.Published || len(imp.Graph.Events) != 1 {
		t.Errorf("import = %+v, %v", imp, err)
	}
	if _, err := f.s.Import(f.ctx, `{"name": 3}`); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("bad import: %v", err)
	}
	// Trash and restore.
	if err := f.s.Delete(f.ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.s.List(f.ctx, Query{Trash: true}); len(list) != 1 {
		t.Errorf("trash = %d", len(list))
	}
	f.s.Restore(f.ctx, c.ID)
	if got, _ := f.s.Get(f.ctx, c.ID); got.Deleted || got.Published {
		t.Errorf("restored = %+v", got)
	}
}

func TestSimulateLeavesTheStoreAlone(t *testing.T) {
	f := newFixture(t)
	all := people(f)
	c, _ := f.s.Save(f.ctx, Input{Name: "Draft", Graph: Graph{Sources: segSource(all), Events: []Event{
		root("v", KindCondition, "email.valid", nil),
		child("t", "v", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"sim"}}),
		wait(child("p", "t", "", KindAction, "points.adjust", map[string]any{"points": 1.0}), 10, "d"),
	}}})
	res, err := f.s.Simulate(f.ctx, c.ID, "2026-03-02T09:30:00Z", "2026-03-05T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if res.Contacts != 3 || res.PerEvent["v"].Yes != 2 || res.PerEvent["v"].No != 1 || res.PerEvent["t"].Done != 2 || res.PerEvent["p"].Done != 0 {
		t.Errorf("simulation = %+v", res)
	}
	res, _ = f.s.Simulate(f.ctx, c.ID, "2026-03-02T09:30:00Z", "2026-04-01T00:00:00Z")
	if res.PerEvent["p"].Done != 2 {
		t.Errorf("a month later p = %+v", res.PerEvent["p"])
	}
	if len(f.tagged("sim")) != 0 {
		t.Error("the simulation wrote to the real store")
	}
	var n int
	f.d.R.QueryRow("SELECT count(*) FROM campaign_log").Scan(&n)
	if n != 0 {
		t.Errorf("real log rows = %d", n)
	}
}

// A form source adds the submitting contact at once (manual member).
func TestFormSource(t *testing.T) {
	f := newFixture(t)
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	if _, err := f.d.W.Exec("INSERT INTO forms(id, date_added, date_modified) VALUES('form1', 0, 0)"); err != nil {
		t.Fatal(err)
	}
	id := f.publish("F", false, tagGraph([]Source{{ID: "s", Type: "form", IDs: []string{"form1"}}}, "formed"))
	f.appendEvent(events.Event{ContactID: ann, Type: events.FormSubmitted, ObjectID: "form1"})
	f.run()
	if got := f.logOf(id, ann); !equal(got, []string{"t:done"}) {
		t.Errorf("ann = %v", got)
	}
	_ = contacts.TagID
	_ = segments.Topic
}

// A source segment moved to the trash does not make its members exit (their pending steps
// stay); restored, nothing was lost.
func TestTrashedSourceSegmentKeepsMembers(t *testing.T) {
	f := newFixture(t)
	all := people(f)
	id := f.publish("C", false, Graph{Sources: segSource(all), Events: []Event{
		wait(root("t", KindAction, "contact.tags", map[string]any{"add": []any{"later"}}), 1, "d")}})
	if err := f.seg.Delete(f.ctx, all); err != nil {
		t.Fatal(err)
	}
	f.s.SyncMembers(f.ctx, id)
	if ps, _ := f.s.Validate(f.ctx, mustGet(t, f, id).Graph); len(ps) != 1 || ps[0].Key != "campaigns.problems.sourceMissing" {
		t.Errorf("problems = %+v", ps)
	}
	f.advance(25 * time.Hour)
	if got := f.tagged("later"); len(got) != 3 {
		t.Errorf("later = %v: members exited when their segment went to the trash", got)
	}
}

func mustGet(t *testing.T, f *fixture, id string) Campaign {
	c, err := f.s.Get(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A contact merge moves the loser's membership and pending steps to the survivor.
func TestMergeMovesMembership(t *testing.T) {
	f := newFixture(t)
	all := people(f)
	id := f.publish("C", false, Graph{Sources: segSource(all), Events: []Event{
		wait(root("t", KindAction, "contact.tags", map[string]any{"add": []any{"later"}}), 1, "h")}})
	ann, cid := f.ids["Ann"], f.ids["Cid"]
	if err := f.d.Write(f.ctx, func(tx *db.Tx) error { return contacts.NewOps(tx, "test").Merge(ann, cid, "test") }); err != nil {
		t.Fatal(err)
	}
	f.advance(2 * time.Hour)
	if got := f.logOf(id, ann); !equal(got, []string{"t:done"}) {
		t.Errorf("survivor = %v", got)
	}
	if got := f.logOf(id, cid); !equal(got, []string{"t:canceled"}) {
		t.Errorf("merged-away = %v", got)
	}
}

// Issue 3: a segment filtering on campaign membership follows joins and leaves live (the
// campaign's membership writes queue the contacts), without a rebuild.
func TestCampaignJoinsAndLeavesUpdateSegmentsLive(t *testing.T) {
	f := newFixture(t)
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io", "city": "Paris"})
	bob := f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	paris := f.segment("Paris", `[{"glue":"and","field":"city","object":"lead","type":"text","operator":"=","properties":{"filter":"Paris"}}]`)
	id := f.publish("C", false, tagGraph(segSource(paris), "in"))
	in := f.segment("In C", `[{"glue":"and","field":"campaign","object":"lead","operator":"in","properties":{"filter":["`+id+`"]}}]`)
	members := func() []string {
		t.Helper()
		if err := f.seg.Flush(f.ctx); err != nil {
			t.Fatal(err)
		}
		ms, _, err := f.seg.Members(f.ctx, in, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.Email)
		}
		sort.Strings(out)
		return out
	}
	f.seg.Start()
	defer f.seg.Stop()
	if got := members(); !equal(got, []string{"ann@x.io"}) {
		t.Fatalf("after publish: %v", got)
	}
	if _, err := f.s.AddContacts(f.ctx, id, []string{bob}); err != nil {
		t.Fatal(err)
	}
	if got := members(); !equal(got, []string{"ann@x.io", "bob@x.io"}) {
		t.Fatalf("after bob joins: %v", got)
	}
	if _, err := f.s.RemoveContacts(f.ctx, id, []string{ann}); err != nil {
		t.Fatal(err)
	}
	if got := members(); !equal(got, []string{"bob@x.io"}) {
		t.Fatalf("after ann leaves: %v", got)
	}
}
