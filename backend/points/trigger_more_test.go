package points_test

import (
	"strings"
	"testing"

	"magpie/backend/campaigns"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/emails"
	"magpie/backend/fields"
	"magpie/backend/points"
	"magpie/backend/segments"
)

func init() {
	points.SetCampaigns(func(tx *db.Tx, id, cid string) error {
		_, err := campaigns.AddContactsTx(tx, id, []string{cid})
		return err
	}, func(tx *db.Tx, id, cid string) error {
		_, err := campaigns.RemoveContactsTx(tx, id, []string{cid})
		return err
	})
}

// campaign publishes a one-step campaign (a segment source, a tag action) and returns it.
func (f *fx) campaign(name string) string {
	f.t.Helper()
	fs, err := fields.New(f.ctx, f.d)
	if err != nil {
		f.t.Fatal(err)
	}
	cs := contacts.New(f.d, fs)
	seg := segments.New(f.d, fs)
	svc := campaigns.New(f.d, campaigns.Deps{Contacts: cs, Segments: seg, Emails: emails.New(f.d, cs, f.t.(*testing.T).TempDir())})
	g, err := seg.Save(f.ctx, segments.Input{Name: name + " nobody", Filters: []byte(`[{"glue":"and","field":"email","object":"lead","type":"email","operator":"=","properties":{"filter":"nobody@nowhere"}}]`)})
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := svc.Save(f.ctx, campaigns.Input{Name: name, Graph: campaigns.Graph{Sources: []campaigns.Source{{ID: "s1", Type: "segment", IDs: []string{g.ID}}},
		Events: []campaigns.Event{{ID: "t", Name: "Tag", Kind: campaigns.KindAction, Type: "contact.tags", Props: map[string]any{"add": []any{"x"}}}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := svc.Publish(f.ctx, c.ID); err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

func (f *fx) email(name string) string {
	f.t.Helper()
	fs, _ := fields.New(f.ctx, f.d)
	e, err := emails.New(f.d, contacts.New(f.d, fs), f.t.(*testing.T).TempDir()).Save(f.ctx,
		emails.Email{Name: name, Subject: "Hot lead", HTML: "<p>Call them</p>", FromAddress: "shop@example.com"})
	if err != nil {
		f.t.Fatal(err)
	}
	return e.ID
}

// TestTriggerChangesCampaigns: at the threshold the contact enters one campaign by hand
// and leaves another (manual membership: it does not re-enter automatically); once.
func TestTriggerChangesCampaigns(t *testing.T) {
	f := newFx(t)
	in, out := f.campaign("Nurture"), f.campaign("Cold")
	cid := f.contact("c@x.com")
	if err := f.d.Write(f.ctx, func(tx *db.Tx) error { _, err := campaigns.AddContactsTx(tx, out, []string{cid}); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "Warm", Points: 10, Published: true, Events: []points.TriggerEvent{
		{Type: points.ChangeCampaigns, AddCampaigns: []string{in}, RemoveCampaigns: []string{out}}}}); err != nil {
		t.Fatal(err)
	}
	member := func(camp string) int {
		return f.count("SELECT count(*) FROM campaign_members_ids WHERE campaign_id = ? AND contact_id = ? AND manually_removed = 0", camp, cid)
	}
	if member(in) != 0 || member(out) != 1 {
		t.Fatalf("before: in %d, out %d", member(in), member(out))
	}
	if err := f.ps.Adjust(f.ctx, cid, 12, "", "test", "test"); err != nil {
		t.Fatal(err)
	}
	if member(in) != 1 || member(out) != 0 {
		t.Fatalf("after the trigger: in %d (want 1), out %d (want 0)", member(in), member(out))
	}
	if n := f.count("SELECT count(*) FROM campaign_members_ids WHERE campaign_id = ? AND contact_id = ? AND manually_removed = 1", out, cid); n != 1 {
		t.Errorf("removed by hand rows = %d, want 1 (so the segment source does not bring it back)", n)
	}
}

// TestTriggerSendsToOwnerAndUsers: the email is queued once per distinct address (owner,
// users, extra addresses) in the durable outbox; a contact without an owner only gets
// the others; firing twice queues nothing more.
func TestTriggerSendsToOwnerAndUsers(t *testing.T) {
	f := newFx(t)
	mail := f.email("Hot lead alert")
	if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`INSERT INTO users(id, name, email, date_added) VALUES('u1', 'Owner', 'owner@shop.io', 0), ('u2', 'Sales', 'sales@shop.io', 0),
			('u3', 'No mail', NULL, 0)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	owned, orphan := f.contact("o@x.com"), f.contact("p@x.com")
	if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
		_, err := tx.Exec("UPDATE contacts SET owner_id = 'u1' WHERE id = ?", owned)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "Alert", Points: 5, Published: true, Events: []points.TriggerEvent{
		{Type: points.SendToUser, Email: mail, UseOwner: true, Users: []string{"u2", "u3"}, To: []string{"boss@shop.io", "SALES@shop.io"}}}}); err != nil {
		t.Fatal(err)
	}
	for _, cid := range []string{owned, orphan, owned} {
		if err := f.ps.Adjust(f.ctx, cid, 6, "", "test", "test"); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := f.d.R.Query("SELECT target FROM form_outbox WHERE kind = 'user_email' AND ref = ? ORDER BY target", mail)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	rows.Close()
	want := "boss@shop.io,boss@shop.io,owner@shop.io,sales@shop.io,sales@shop.io"
	if strings.Join(got, ",") != want {
		t.Errorf("queued %v, want %s (owned: owner, sales, boss; orphan: sales, boss)", got, want)
	}
}

func TestTriggerNewEventsValidation(t *testing.T) {
	f := newFx(t)
	mail := f.email("X")
	for _, c := range []struct {
		ev    points.TriggerEvent
		field string
	}{
		{points.TriggerEvent{Type: points.ChangeCampaigns}, "events.0.addCampaigns"},
		{points.TriggerEvent{Type: points.ChangeCampaigns, AddCampaigns: []string{"nope"}}, "events.0.addCampaigns"},
		{points.TriggerEvent{Type: points.SendToUser, UseOwner: true}, "events.0.email"},
		{points.TriggerEvent{Type: points.SendToUser, Email: mail}, "events.0.to"},
		{points.TriggerEvent{Type: points.SendToUser, Email: mail, To: []string{"not an address"}}, "events.0.to"},
		{points.TriggerEvent{Type: points.SendToUser, Email: mail, Users: []string{"ghost"}}, "events.0.users"},
	} {
		_, err := f.ps.SaveTrigger(f.ctx, points.Trigger{Name: "T", Points: 1, Events: []points.TriggerEvent{c.ev}})
		if err == nil || !strings.Contains(fieldsOf(err), c.field) {
			t.Errorf("%+v: err %v, want field %s", c.ev, err, c.field)
		}
	}
}

func fieldsOf(err error) string {
	e, ok := errAs(err)
	if !ok {
		return ""
	}
	var b strings.Builder
	for k := range e.Fields {
		b.WriteString(k + " ")
	}
	return b.String()
}
