package campaigns

import (
	"fmt"
	"testing"
	"time"

	"magpie/backend/dwc"
	"magpie/backend/events"
	"magpie/backend/stages"
)

// people: Ann (vip, 10 points, Paris, company Acme), Bob (0 points), Cid (no email).
func people(f *fixture) (all string) {
	f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io", "city": "Paris", "company": "Acme"}, "vip")
	f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	f.contact(map[string]string{"firstname": "Cid"})
	f.d.W.Exec("UPDATE contacts SET points = 10 WHERE id = ?", f.ids["Ann"])
	return f.segment("All", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"!empty"}]`)
}

func (f *fixture) col(contact, col string) string {
	var v *string
	f.d.R.QueryRow("SELECT "+col+" FROM contacts WHERE id = ?", contact).Scan(&v)
	if v == nil {
		return ""
	}
	return *v
}

func TestActions(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fixture) map[string]any // extra props
		ev    func(f *fixture) Event
		check func(t *testing.T, f *fixture, id string)
	}{
		{name: "tags add and remove", ev: func(f *fixture) Event {
			return root("a", KindAction, "contact.tags", map[string]any{"add": []any{"new", "-vip"}})
		}, check: func(t *testing.T, f *fixture, id string) {
			if got := f.tagged("new"); !equal(got, []string{"Ann", "Bob", "Cid"}) {
				t.Errorf("new = %v", got)
			}
			if got := f.tagged("vip"); len(got) != 0 {
				t.Errorf("vip = %v", got)
			}
			// No behaviour event: the step's log row is the record, shown in the timeline
			// with its tags.
			var n int
			f.d.R.QueryRow("SELECT count(*) FROM events WHERE type IN ('tag.added', 'tag.removed') AND source = 'campaign'").Scan(&n)
			if n != 0 {
				t.Errorf("%d tag events written by the campaign, want none", n)
			}
			steps, err := Steps(f.ctx, f.d.R, f.ids["Ann"], 0, 0, 10)
			if err != nil || len(steps) != 1 {
				t.Fatalf("steps = %+v, %v", steps, err)
			}
			d := steps[0].Data
			if d["type"] != "contact.tags" || fmt.Sprint(d["tagsAdded"]) != "[new]" || fmt.Sprint(d["tagsRemoved"]) != "[vip]" {
				t.Errorf("timeline entry data = %v", d)
			}
		}},
		{name: "points", ev: func(f *fixture) Event { return root("a", KindAction, "points.adjust", map[string]any{"points": -3.0}) },
			check: func(t *testing.T, f *fixture, id string) {
				if f.points(f.ids["Ann"]) != 7 || f.points(f.ids["Cid"]) != -3 {
					t.Errorf("points = %d, %d", f.points(f.ids["Ann"]), f.points(f.ids["Cid"]))
				}
			}},
		{name: "segments", ev: func(f *fixture) Event {
			seg := f.segment("Manual", `[]`)
			return root("a", KindAction, "segment.change", map[string]any{"add": []any{seg}})
		}, check: func(t *testing.T, f *fixture, id string) {
			var n int
			f.d.R.QueryRow("SELECT count(*) FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE s.name = 'Manual' AND m.manually_added = 1").Scan(&n)
			if n != 3 {
				t.Errorf("manual members = %d", n)
			}
		}},
		{name: "update contact (blanks ignored)", ev: func(f *fixture) Event {
			return root("a", KindAction, "contact.update", map[string]any{"values": map[string]any{"city": "Lyon", "lastname": ""}})
		}, check: func(t *testing.T, f *fixture, id string) {
			if f.col(f.ids["Ann"], "city") != "Lyon" || f.col(f.ids["Bob"], "city") != "Lyon" {
				t.Errorf("city = %q", f.col(f.ids["Ann"], "city"))
			}
		}},
		{name: "owner", ev: func(f *fixture) Event { return root("a", KindAction, "owner.change", map[string]any{"owner": "u1"}) },
			check: func(t *testing.T, f *fixture, id string) {
				if f.col(f.ids["Bob"], "owner_id") != "u1" {
					t.Errorf("owner = %q", f.col(f.ids["Bob"], "owner_id"))
				}
			}},
		{name: "company (contacts without one fail)", ev: func(f *fixture) Event {
			return root("a", KindAction, "company.update", map[string]any{"values": map[string]any{"companycity": "Nantes"}})
		}, check: func(t *testing.T, f *fixture, id string) {
			var city string
			f.d.R.QueryRow("SELECT coalesce(companycity, '') FROM companies WHERE companyname = 'Acme'").Scan(&city)
			if city != "Nantes" {
				t.Errorf("company city = %q", city)
			}
			if st, _ := f.s.Stats(f.ctx, id); st["a"].Done != 1 || st["a"].Failed != 2 {
				t.Errorf("stats = %+v", st["a"])
			}
		}},
		{name: "dnc add then remove", ev: func(f *fixture) Event {
			e := root("a", KindAction, "dnc.add", map[string]any{"reason": "campaign"})
			return e
		}, check: func(t *testing.T, f *fixture, id string) {
			var n int
			f.d.R.QueryRow("SELECT count(*) FROM dnc WHERE deleted = 0 AND channel = 'email' AND reason = 3").Scan(&n)
			if n != 3 {
				t.Errorf("dnc = %d", n)
			}
		}},
		{name: "stage forward only", ev: func(f *fixture) Event {
			st := stages.New(f.d)
			hi, _ := st.Save(f.ctx, stages.Input{Name: "Customer", Weight: 50, Published: true})
			lo, _ := st.Save(f.ctx, stages.Input{Name: "Lead", Weight: 10, Published: true})
			stages.New(f.d).SetContact(f.ctx, f.ids["Ann"], hi.ID, "test", true)
			return root("a", KindAction, "stage.change", map[string]any{"stage": lo.ID})
		}, check: func(t *testing.T, f *fixture, id string) {
			if f.col(f.ids["Bob"], "stage_id") == "" || f.col(f.ids["Ann"], "stage_id") == f.col(f.ids["Bob"], "stage_id") {
				t.Errorf("stages: ann %q bob %q", f.col(f.ids["Ann"], "stage_id"), f.col(f.ids["Bob"], "stage_id"))
			}
		}},
		{name: "push dynamic content: the slot shows the pushed item to these contacts", ev: func(f *fixture) Event {
			item, err := dwc.New(f.d, f.seg, f.cs).Save(f.ctx, dwc.Slot{Name: "Offer", Slot: "offer", Published: true, DefaultContent: "<p>Offer</p>"})
			if err != nil {
				f.t.Fatal(err)
			}
			return root("a", KindAction, "dwc.push", map[string]any{"slot": "hero", "dwc": item.ID})
		}, check: func(t *testing.T, f *fixture, id string) {
			for _, who := range []string{"Ann", "Bob", "Cid"} {
				if got, found, err := dwc.New(f.d, f.seg, f.cs).Resolve(f.ctx, f.ids[who], "hero"); err != nil || !found || got != "<p>Offer</p>" {
					t.Errorf("%s sees %q, %v, %v", who, got, found, err)
				}
			}
		}},
		{name: "push dynamic content of a deleted item fails", ev: func(f *fixture) Event {
			return root("a", KindAction, "dwc.push", map[string]any{"slot": "hero", "dwc": "gone"})
		}, check: func(t *testing.T, f *fixture, id string) {
			if got := f.logOf(id, f.ids["Ann"]); !equal(got, []string{"a:failed"}) {
				t.Errorf("ann = %v", got)
			}
		}},
		{name: "delete contact (trash)", ev: func(f *fixture) Event { return root("a", KindAction, "contact.delete", nil) },
			check: func(t *testing.T, f *fixture, id string) {
				var n int
				f.d.R.QueryRow("SELECT count(*) FROM contacts WHERE deleted = 1").Scan(&n)
				if n != 3 {
					t.Errorf("trashed = %d", n)
				}
			}},
		{name: "email marketing: no address fails, DNC fails, already received skips", ev: func(f *fixture) Event {
			mail := f.email("M")
			f.d.W.Exec("INSERT INTO email_sends(email_id, contact_id, dedupe, source, state, queued_at) VALUES(?, ?, '', 'test', 'sent', 0)", mail, f.ids["Ann"])
			f.cs.SetDNC(f.ctx, []string{f.ids["Bob"]}, "email", 3, "", "test")
			return root("a", KindAction, "email.send", map[string]any{"email": mail})
		}, check: func(t *testing.T, f *fixture, id string) {
			if got := f.logOf(id, f.ids["Ann"]); !equal(got, []string{"a:skipped"}) {
				t.Errorf("ann = %v", got)
			}
			if got := f.logOf(id, f.ids["Bob"]); !equal(got, []string{"a:failed"}) {
				t.Errorf("bob = %v", got)
			}
			if got := f.logOf(id, f.ids["Cid"]); !equal(got, []string{"a:failed"}) {
				t.Errorf("cid = %v", got)
			}
		}},
		{name: "email transactional ignores DNC and history", ev: func(f *fixture) Event {
			mail := f.email("T")
			f.cs.SetDNC(f.ctx, []string{f.ids["Bob"]}, "email", 3, "", "test")
			return root("a", KindAction, "email.send", map[string]any{"email": mail, "emailType": "transactional"})
		}, check: func(t *testing.T, f *fixture, id string) {
			var n int
			f.d.R.QueryRow("SELECT count(*) FROM email_sends WHERE source = 'transactional'").Scan(&n)
			if n != 2 {
				t.Errorf("transactional sends = %d", n)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			all := people(f)
			id := f.publish("C", false, Graph{Sources: segSource(all), Events: []Event{c.ev(f)}})
			f.run()
			c.check(t, f, id)
		})
	}
}

func TestConditions(t *testing.T) {
	cases := []struct {
		typ   string
		props map[string]any
		yes   []string
	}{
		{"email.valid", nil, []string{"Ann", "Bob"}},
		{"tags.has", map[string]any{"tags": []any{"vip", "other"}}, []string{"Ann"}},
		{"points.value", map[string]any{"operator": "gt", "points": 5.0}, []string{"Ann"}},
		{"points.value", map[string]any{"operator": "lte", "points": 0.0}, []string{"Bob", "Cid"}},
		{"segment.member", map[string]any{"segments": []any{"all"}}, []string{"Ann", "Bob", "Cid"}},
		{"campaign.member", map[string]any{"campaigns": []any{"this"}}, []string{"Ann", "Bob", "Cid"}},
		{"field.value", map[string]any{"field": "city", "operator": "=", "value": "paris"}, []string{"Ann"}},
		{"field.value", map[string]any{"field": "city", "operator": "empty"}, []string{"Bob", "Cid"}},
		{"field.value", map[string]any{"field": "email", "operator": "endsWith", "value": "x.io"}, []string{"Ann", "Bob"}},
		{"date", map[string]any{"field": "date_added", "operator": "lt", "value": "2030-01-01"}, []string{"Ann", "Bob", "Cid"}},
		{"form.field", map[string]any{"form": "f1", "field": "plan", "operator": "=", "value": "PRO"}, []string{"Bob"}},
		{"stage.is", map[string]any{"stages": []any{"st1"}}, []string{"Bob"}},
		{"owner.is", map[string]any{"owners": []any{"u7", "u8"}}, []string{"Ann"}},
		{"dnc.has", nil, []string{"Cid"}},
		{"page.visited", map[string]any{"urls": "https://x.io/pricing*"}, []string{"Bob"}},
		{"page.visited", map[string]any{"urls": "https://x.io/PRICING*"}, []string{}},
		{"device.has", map[string]any{"types": []any{"mobile"}}, []string{"Bob"}},
		{"form.field", map[string]any{"form": "f1", "field": "plan", "operator": "startsWith", "value": "p"}, []string{"Ann", "Bob"}},
		{"form.field", map[string]any{"form": "f1", "field": "seats", "operator": "gt", "value": "9"}, []string{"Ann"}}, // 12 > 9 as numbers
		{"form.field", map[string]any{"form": "f1", "field": "seats", "operator": "lte", "value": "5"}, []string{"Bob"}},
		{"form.field", map[string]any{"form": "f1", "field": "plan", "operator": "lt", "value": "PRO"}, []string{"Ann"}}, // text: plus < pro
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			f := newFixture(t)
			all := people(f)
			f.d.W.Exec("UPDATE contacts SET stage_id = 'st1' WHERE id = ?", f.ids["Bob"])
			f.d.W.Exec("UPDATE contacts SET owner_id = 'u7' WHERE id = ?", f.ids["Ann"])
			f.cs.SetDNC(f.ctx, []string{f.ids["Cid"]}, "email", 3, "", "test")
			f.appendEvent(events.Event{ContactID: f.ids["Bob"], Type: events.PageHit, URL: "https://x.io/pricing?a=1",
				UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"})
			for who, a := range map[string][2]string{"Ann": {"plus", "12"}, "Bob": {"pro", "5"}} {
				f.d.W.Exec(`INSERT INTO form_results(id, form_id, contact_id, at, vals) VALUES(?, 'f1', ?, 0, json_object('plan', ?, 'seats', ?))`,
					who, f.ids[who], a[0], a[1])
			}
			f.publish("C", false, Graph{Sources: segSource(all), Events: []Event{root("c", KindCondition, c.typ, c.props),
				child("y", "c", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"yes"}}),
				child("n", "c", "no", KindAction, "contact.tags", map[string]any{"add": []any{"no"}})}})
			f.run()
			if got := f.tagged("yes"); !equal(got, c.yes) {
				t.Errorf("yes = %v, want %v (no = %v)", got, c.yes, f.tagged("no"))
			}
			if n := len(f.tagged("yes")) + len(f.tagged("no")); n != 3 {
				t.Errorf("%d contacts took a path, want 3", n)
			}
		})
	}
}

func TestDecisions(t *testing.T) {
	cases := []struct {
		name  string
		typ   string
		props map[string]any
		event func(f *fixture, mail string) events.Event
		fires bool
	}{
		{"open of the sent email", "email.open", nil, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.EmailRead, ObjectID: m}
		}, true},
		{"open of another email", "email.open", nil, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.EmailRead, ObjectID: f.email("Other")}
		}, false},
		{"click on a matching link", "email.click", map[string]any{"urls": "https://shop.io/*"}, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.EmailClicked, ObjectID: m, URL: "https://shop.io/a/b"}
		}, true},
		{"click elsewhere", "email.click", map[string]any{"urls": "https://shop.io/*"}, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.EmailClicked, ObjectID: m, URL: "https://blog.io/"}
		}, false},
		{"page visit (fnmatch)", "page.visit", map[string]any{"urls": "*/pricing*, */plans"}, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.PageHit, URL: "https://x.io/pricing?y=1"}
		}, true},
		{"page visit is case-sensitive (Q16)", "page.visit", map[string]any{"urls": "*/pricing*"}, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.PageHit, URL: "https://x.io/PRICING"}
		}, false},
		{"form submit (listed)", "form.submit", map[string]any{"forms": []any{"f1"}}, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.FormSubmitted, ObjectID: "f1"}
		}, true},
		{"form submit (other form)", "form.submit", map[string]any{"forms": []any{"f1"}}, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.FormSubmitted, ObjectID: "f2"}
		}, false},
		{"asset download (any)", "asset.download", nil, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.AssetDownloaded, ObjectID: "a9"}
		}, true},
		{"device type", "device.type", map[string]any{"types": []any{"mobile"}}, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.PageHit, URL: "https://x.io/", UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"}
		}, true},
		{"device type (desktop hit)", "device.type", map[string]any{"types": []any{"mobile"}}, func(f *fixture, m string) events.Event {
			return events.Event{Type: events.PageHit, URL: "https://x.io/", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			all := people(f)
			mail := f.email("Welcome")
			var evs []Event
			parent := ""
			if c.typ == "email.open" || c.typ == "email.click" {
				evs = append(evs, root("send", KindAction, "email.send", map[string]any{"email": mail}))
				parent = "send"
			}
			d := root("d", KindDecision, c.typ, c.props)
			if parent != "" {
				d = child("d", parent, "", KindDecision, c.typ, c.props)
			}
			evs = append(evs, d, child("y", "d", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"yes"}}))
			id := f.publish("C", false, Graph{Sources: segSource(all), Events: evs})
			f.run()
			e := c.event(f, mail)
			e.ContactID = f.ids["Ann"]
			f.clk.Advance(time.Minute)
			f.appendEvent(e)
			f.run()
			got := f.tagged("yes")
			if c.fires != equal(got, []string{"Ann"}) || (!c.fires && len(got) > 0) {
				t.Errorf("yes = %v, fires = %v (log %v)", got, c.fires, f.logOf(id, f.ids["Ann"]))
			}
			// A second event never fires it again.
			f.appendEvent(e)
			f.run()
			var n int
			f.d.R.QueryRow("SELECT count(*) FROM campaign_log_ids WHERE campaign_id = ? AND event_id = 'y'", id).Scan(&n)
			if c.fires && n != 1 {
				t.Errorf("yes child rows = %d", n)
			}
		})
	}
}
