package emails

import (
	"fmt"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/smtptest"
)

func TestStats_OpensClicksUnsubscribes(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	ids := f.contacts(10, "s", nil)
	e := f.segmentEmail(sampleHTML, "s")
	f.s.QueueSegment(f.ctx, e.ID)
	if st, err := f.s.Drain(f.ctx, DrainOptions{}); err != nil || st.Sent != 10 {
		t.Fatalf("%+v %v", st, err)
	}
	msg := map[string]string{}
	rows, _ := f.db.R.Query(`SELECT contact_id, msg_id FROM email_sends WHERE email_id = ?`, e.ID)
	for rows.Next() {
		var c, m string
		rows.Scan(&c, &m)
		msg[c] = m
	}
	rows.Close()
	in := func(i int) Interaction { return Interaction{MsgID: msg[ids[i]], EmailID: e.ID, ContactID: ids[i]} }
	iphone := "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile"
	steps := []struct {
		kind string
		in   Interaction
	}{
		{"open", in(0)},
		{"open", in(0)}, // second open: total only
		{"open", withUA(in(1), iphone)},
		{"click", withURL(in(1), "https://shop.example/sale")},
		{"click", withURL(in(1), "https://shop.example/sale")}, // same link again: not unique
		{"click", withURL(in(2), "https://shop.example/sale")}, // unread: the click counts as a read
		{"click", withURL(in(2), "https://shop.example/other")},
		{"unsubscribe", in(3)},
		{"unsubscribe", in(3)},                                                    // twice: counted once
		{"open", Interaction{MsgID: "unknown", EmailID: e.ID, ContactID: ids[4]}}, // sent elsewhere: counted on the token's email
	}
	for _, s := range steps {
		if err := f.s.Track(f.ctx, s.kind, s.in); err != nil {
			t.Fatalf("%s: %v", s.kind, err)
		}
	}
	st, err := f.s.Stats(f.ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := st.Totals
	want := Counts{Queued: 10, Sent: 10, Read: 4, ReadTotal: 4, Clicked: 2, ClickedTotal: 4, Unsubscribed: 1}
	if c.Queued != want.Queued || c.Sent != want.Sent || c.Read != want.Read || c.ReadTotal != want.ReadTotal ||
		c.Clicked != want.Clicked || c.ClickedTotal != want.ClickedTotal || c.Unsubscribed != want.Unsubscribed || c.Pending != 0 {
		t.Fatalf("totals %+v\nwant   %+v", c, want)
	}
	if c.ReadRate != 0.4 || c.ClickRate != 0.2 {
		t.Errorf("rates %v %v", c.ReadRate, c.ClickRate)
	}
	if len(st.Links) != 2 || st.Links[0].URL != "https://shop.example/sale" || st.Links[0].Clicks != 3 || st.Links[0].Unique != 2 {
		t.Errorf("links %+v", st.Links)
	}
	devs := map[string]DeviceStats{}
	for _, d := range st.ByDevice {
		devs[d.Device] = d
	}
	if devs["mobile"].Read != 1 || devs["unknown"].Clicked != 2 || devs["unknown"].Read != 3 {
		t.Errorf("devices %+v", st.ByDevice)
	}
	if len(st.ByDay) != 1 || st.ByDay[0].Sent != 10 || st.ByDay[0].Read != 4 {
		t.Errorf("days %+v", st.ByDay)
	}
	d, _ := f.cs.Get(f.ctx, ids[3])
	if len(d.DNC) != 1 || d.DNC[0].Reason != contacts.ReasonUnsubscribed || d.DNC[0].ChannelID != e.ID {
		t.Errorf("dnc %+v", d.DNC)
	}
	evs, _, _ := events.List(f.ctx, f.db.R, events.Query{ContactID: ids[1]})
	types := map[events.Type]int{}
	for _, e := range evs {
		types[e.Type]++
	}
	if types[events.EmailSent] != 1 || types[events.EmailRead] != 1 || types[events.EmailClicked] != 2 {
		t.Errorf("timeline %v", types)
	}
	html, err := f.s.Webview(f.ctx, msg[ids[0]])
	if err != nil || len(html) == 0 {
		t.Fatalf("webview: %v", err)
	}
}

func withUA(i Interaction, ua string) Interaction { i.UserAgent = ua; return i }
func withURL(i Interaction, u string) Interaction { i.URL = u; return i }

func TestCountHit_CountersWithoutEvents(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	ids := f.contacts(2, "s", nil)
	e := f.segmentEmail(sampleHTML, "s")
	f.s.QueueSegment(f.ctx, e.ID)
	f.s.Drain(f.ctx, DrainOptions{})
	var msg string
	f.db.R.QueryRow(`SELECT msg_id FROM email_sends WHERE contact_id = ?`, ids[0]).Scan(&msg)
	at := f.clk.Now()
	err := f.db.Write(f.ctx, func(tx *db.Tx) error {
		for i, k := range []string{"click", "open", "unsub", "page", "open"} {
			hit := fmt.Sprintf("hit-%d", i)
			if i == 4 {
				hit = "hit-1" // the open again: an ingest replay counts nothing
			}
			if err := CountHit(tx, hit, k, msg, e.ID, ids[0], at, "Mozilla/5.0 (Windows NT 10.0)", "https://shop.example/sale"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.s.Stats(f.ctx, e.ID)
	if st.Totals.Read != 1 || st.Totals.ReadTotal != 1 || st.Totals.Clicked != 1 || st.Totals.Unsubscribed != 1 {
		t.Fatalf("totals %+v", st.Totals)
	}
	evs, _, _ := events.List(f.ctx, f.db.R, events.Query{ContactID: ids[0], Types: []events.Type{events.EmailRead, events.EmailClicked}})
	if len(evs) != 0 {
		t.Fatalf("the ingester writes the events, not CountHit: %v", evs)
	}
}
