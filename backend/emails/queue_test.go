package emails

import (
	"strings"
	"testing"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/smtptest"
)

func TestQueueAndDrain_SegmentEmailOncePerContact(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	ids := f.contacts(40, "s1", func(i int, v db.Cols) {
		switch i {
		case 0:
			v["email"] = nil // no address: not queued, counted
		case 1:
			v["email"] = "not-an-address" // invalid: skipped at send time
		}
	})
	f.member("s2", ids[5], false) // in two segments: one message
	f.member("x", ids[6], true)   // excluded segment, even manually removed: not queued
	f.member("s2", ids[7], true)  // removed from s2 but still in s1: queued
	if _, err := f.cs.SetDNC(f.ctx, []string{ids[8]}, "email", contacts.ReasonUnsubscribed, "", "test"); err != nil {
		t.Fatal(err)
	}
	e := f.segmentEmail(sampleHTML, "s1", "s2")
	e.ExcludedSegments = []string{"x"}
	if _, err := f.s.Save(f.ctx, e); err != nil {
		t.Fatal(err)
	}
	res, err := f.s.QueueSegment(f.ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != 38 || res.NoAddress != 1 || res.Pending != 38 {
		t.Fatalf("queue result %+v, want 38 queued, 1 without address", res)
	}
	st, err := f.s.Drain(f.ctx, DrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 36 || st.Skipped != 2 {
		t.Fatalf("drain %+v, want 36 sent, 2 skipped (dnc, invalid)", st)
	}
	got := f.states(e.ID)
	if got["sent"] != 36 || got["skipped:dnc"] != 1 || got["skipped:invalid"] != 1 {
		t.Fatalf("states %v", got)
	}
	msgs := srv.Messages()
	byID, byTo := distinct(msgs)
	if len(msgs) != 36 || len(byID) != 36 || len(byTo) != 36 {
		t.Fatalf("%d messages, %d ids, %d recipients", len(msgs), len(byID), len(byTo))
	}
	for _, m := range msgs {
		if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(m.Header.Get("Subject"), "Hello Name") {
			t.Fatalf("headers %v", m.Header)
		}
		text, html := parts(t, m)
		if !strings.Contains(html, "https://t.example/r/") || !strings.Contains(html, "https://t.example/e/o/") ||
			!strings.Contains(text, "Hi Name") {
			t.Fatalf("body lacks tracked links or pixel:\n%s\n%s", text, html)
		}
	}
	// Again: nothing new to queue or send; the counters agree.
	if res, _ = f.s.QueueSegment(f.ctx, e.ID); res.Queued != 0 || res.Pending != 0 {
		t.Fatalf("second queue %+v", res)
	}
	if st, _ = f.s.Drain(f.ctx, DrainOptions{}); st.Sent != 0 {
		t.Fatalf("second drain %+v", st)
	}
	// New member: queued and sent alone.
	f.contacts(1, "s2", func(_ int, v db.Cols) { v["email"] = "late@example.com" })
	if res, _ = f.s.QueueSegment(f.ctx, e.ID); res.Queued != 1 {
		t.Fatalf("late member %+v", res)
	}
	if st, _ = f.s.Drain(f.ctx, DrainOptions{}); st.Sent != 1 {
		t.Fatalf("late drain %+v", st)
	}
	// The timeline has the send.
	evs, _, _ := events.List(f.ctx, f.db.R, events.Query{ContactID: ids[10], Types: []events.Type{events.EmailSent}})
	if len(evs) != 1 || evs[0].ObjectID != e.ID || evs[0].ObjectName != "Newsletter" {
		t.Fatalf("timeline %+v", evs)
	}
}

func TestQueue_BadInput(t *testing.T) {
	f := newFixture(t)
	tpl, _ := f.s.Save(f.ctx, Email{Name: "T", Subject: "s", HTML: "<p>x</p>", Published: true})
	noSeg, _ := f.s.Save(f.ctx, Email{Name: "L", Kind: List, Subject: "s", HTML: "<p>x</p>", Published: true})
	noFrom, _ := f.s.Save(f.ctx, Email{Name: "L", Kind: List, Subject: "s", HTML: "<p>x</p>", Published: true, Segments: []string{"s"}})
	cases := []struct {
		name, id, want, field string
	}{
		{"template", tpl.ID, "template email", ""},
		{"missing", "nope", "not found", ""},
		{"no segments", noSeg.ID, "", "segments"},
		{"no from", noFrom.ID, "", "fromAddress"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.s.QueueSegment(f.ctx, c.id)
			ae, ok := apperr.As(err)
			if !ok || !strings.Contains(err.Error(), c.want) || (c.field != "" && ae.Fields[c.field] == "") {
				t.Fatalf("err = %v, want %q / field %s", err, c.want, c.field)
			}
		})
	}
}

func TestDrain_BounceRetryAndFailure(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	ids := f.contacts(5, "s", nil)
	srv.Reject("user1@example.com", 550, "no such user")
	srv.Reject("user2@example.com", 452, "mailbox full")
	e := f.segmentEmail("<p>Hi {contactfield=firstname}</p>", "s")
	if _, err := f.s.QueueSegment(f.ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	st, err := f.s.Drain(f.ctx, DrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 3 || st.Bounced != 1 || st.Retrying != 1 {
		t.Fatalf("drain %+v", st)
	}
	d, _ := f.cs.Get(f.ctx, ids[1])
	if len(d.DNC) != 1 || d.DNC[0].Reason != contacts.ReasonBounced || d.DNC[0].ChannelID != e.ID {
		t.Fatalf("bounce must set DNC bounced: %+v", d.DNC)
	}
	// The soft bounce waits for its backoff, then retries until MaxAttempts.
	if st, _ = f.s.Drain(f.ctx, DrainOptions{}); st.Retrying != 0 {
		t.Fatalf("retried before backoff: %+v", st)
	}
	for i := 0; i < 6; i++ {
		f.clk.Advance(7 * time.Hour)
		st, _ = f.s.Drain(f.ctx, DrainOptions{})
	}
	got := f.states(e.ID)
	if got["failed:bounced"] != 1 || got["failed:temporary"] != 1 || got["sent"] != 3 {
		t.Fatalf("states %v", got)
	}
	var attempts int
	f.db.R.QueryRow(`SELECT attempts FROM email_sends WHERE contact_id = ?`, ids[2]).Scan(&attempts)
	if attempts != 5 {
		t.Fatalf("attempts %d, want 5", attempts)
	}
	// Server back up for everyone: the failed soft bounce is not resent.
	if p, _ := f.s.Pending(f.ctx, e.ID); p != 0 {
		t.Fatalf("pending %d", p)
	}
}

func TestDrain_ServerDownKeepsEverything(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	f.contacts(3, "s", nil)
	e := f.segmentEmail("<p>x</p>", "s")
	f.s.QueueSegment(f.ctx, e.ID)
	st, _ := f.s.Settings(f.ctx)
	st.SMTP.Port = 1 // nothing listens
	st.SMTP.Timeout = time.Second
	f.s.SaveSettings(f.ctx, st)
	_, err := f.s.Drain(f.ctx, DrainOptions{})
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("err = %v", err)
	}
	if got := f.states(e.ID); got["pending:temporary"] != 3 {
		t.Fatalf("states %v", got)
	}
	f.smtp(srv)
	f.clk.Advance(2 * time.Minute)
	if st, err := f.s.Drain(f.ctx, DrainOptions{}); err != nil || st.Sent != 3 {
		t.Fatalf("after recovery %+v %v", st, err)
	}
	if _, byTo := distinct(srv.Messages()); len(byTo) != 3 || len(srv.Messages()) != 3 {
		t.Fatal("duplicates after recovery")
	}
}

func TestDrain_FrequencyRuleDefers(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	st, _ := f.s.Settings(f.ctx)
	st.FrequencyNumber, st.FrequencyTime = 1, "DAY"
	f.s.SaveSettings(f.ctx, st)
	f.contacts(2, "s", nil)
	a := f.segmentEmail("<p>a</p>", "s")
	b := f.segmentEmail("<p>b</p>", "s")
	f.s.QueueSegment(f.ctx, a.ID)
	if st, _ := f.s.Drain(f.ctx, DrainOptions{}); st.Sent != 2 {
		t.Fatalf("first %+v", st)
	}
	f.s.QueueSegment(f.ctx, b.ID)
	if st, _ := f.s.Drain(f.ctx, DrainOptions{}); st.Deferred != 2 || st.Sent != 0 {
		t.Fatalf("second %+v, want 2 deferred", st)
	}
	f.clk.Advance(25 * time.Hour)
	if st, _ := f.s.Drain(f.ctx, DrainOptions{}); st.Sent != 2 {
		t.Fatalf("after a day %+v", st)
	}
}

func TestDrain_VariantsAndTranslations(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	f.contacts(200, "s", func(i int, v db.Cols) {
		if i%2 == 0 {
			v["preferred_locale"] = "fr_FR"
		}
	})
	e := f.segmentEmail("<p>A</p>", "s")
	if _, err := f.s.Save(f.ctx, Email{Name: "B", Subject: "B", HTML: "<p>B</p>", VariantParentID: e.ID, VariantWeight: 50, Published: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Save(f.ctx, Email{Name: "A fr", Subject: "Bonjour", HTML: "<p>A-fr</p>", TranslationParentID: e.ID, Language: "fr", Published: true}); err != nil {
		t.Fatal(err)
	}
	f.s.QueueSegment(f.ctx, e.ID)
	if st, _ := f.s.Drain(f.ctx, DrainOptions{}); st.Sent != 200 {
		t.Fatalf("sent %+v", st)
	}
	bodies := map[string]int{}
	for _, m := range srv.Messages() {
		for _, k := range []string{"A-fr", "B", "A"} {
			if _, html := parts(t, m); strings.Contains(html, "<p>"+k+"</p>") {
				bodies[k]++
				break
			}
		}
	}
	if bodies["A"]+bodies["A-fr"]+bodies["B"] != 200 || bodies["B"] < 60 || bodies["A-fr"] < 25 || bodies["A"] < 25 {
		t.Fatalf("split %v", bodies)
	}
}
