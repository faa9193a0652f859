package campaigns

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"magpie/backend/emails"
	"magpie/backend/internal/smtptest"
	"magpie/backend/sending"
	"magpie/backend/signing"
	"magpie/backend/tracking"
)

// End to end: a contact enters through a segment, the campaign's email goes to the SMTP
// test server, the recipient's mail client loads the open pixel from the tracker, the hit is
// spooled, stored and ingested, and the decision's yes path fires.
func TestEndToEndSegmentEmailOpenYesPath(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	srv := smtptest.Start(t)
	if err := f.em.SaveSettings(ctx, emails.Settings{SMTP: sending.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", Connections: 1},
		DefaultFrom: "news@magpie.test", DefaultFromName: "Magpie"}); err != nil {
		t.Fatal(err)
	}
	signer, _ := signing.New([]byte(strings.Repeat("s", 32)))
	// The tracker (its HTTP handler, spool, pump into the store, ingester).
	spool, err := tracking.OpenSpool(t.TempDir(), tracking.SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tsrv, err := tracking.NewServer(tracking.Config{PublicURL: "https://t.example", Signer: signer, Log: quiet}, spool, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.em.SetLinks(emails.SignedLinks{BaseURL: "https://t.example", Signer: signer})
	pctx, stop := context.WithCancel(ctx)
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		(&tracking.Pump{Spool: spool, Store: &tracking.SQLiteStore{DB: f.d}, Log: quiet}).Run(pctx)
	}()
	defer func() { stop(); <-pumped }() // the pump stops (its last sync commits to the spool) before the spool closes
	ing := &tracking.Ingester{Contacts: f.cs, Log: quiet}

	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	bob := f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	seg := f.segment("Subscribers", `[{"glue":"and","field":"email","object":"lead","type":"email","operator":"!empty"}]`)
	mail := f.email("Welcome")
	id := f.publish("Welcome series", false, Graph{Sources: segSource(seg), Events: []Event{
		root("send", KindAction, "email.send", map[string]any{"email": mail}),
		child("open", "send", "", KindDecision, "email.open", nil),
		child("thanks", "open", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"opened"}}),
		wait(child("nudge", "open", "no", KindAction, "contact.tags", map[string]any{"add": []any{"nudge"}}), 3, "d"),
	}})
	f.run()
	st, err := f.em.Drain(ctx, emails.DrainOptions{})
	if err != nil || st.Sent != 2 {
		t.Fatalf("drain: %+v, %v", st, err)
	}
	var pixel string
	for _, m := range srv.Messages() {
		if m.To[0] == "ann@x.io" {
			raw := strings.ReplaceAll(strings.ReplaceAll(string(m.Raw), "=\r\n", ""), "=3D", "=")
			pixel = regexp.MustCompile(`https://t\.example(/e/o/[^"' ]+\.gif)`).FindStringSubmatch(raw)[1]
		}
	}
	if pixel == "" {
		t.Fatal("no open pixel in Ann's message")
	}
	// Ann's mail client loads the pixel.
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", pixel, nil)
	r.RemoteAddr = "203.0.113.7:5555"
	tsrv.Handler().ServeHTTP(w, r)
	if w.Code != 200 {
		t.Fatalf("pixel: %d", w.Code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		is, err := ing.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.logOf(id, ann); contains(got, "open:done:yes") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("open not ingested (last batch %+v): ann = %v", is, f.logOf(id, ann))
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.run()
	if got := f.tagged("opened"); !equal(got, []string{"Ann"}) {
		t.Errorf("opened = %v", got)
	}
	f.advance(72 * time.Hour)
	if got := f.tagged("nudge"); !equal(got, []string{"Bob"}) {
		t.Errorf("nudge = %v", got)
	}
	_ = bob
}
