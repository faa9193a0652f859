package emails

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/internal/smtptest"
)

type noLease struct{}

func (noLease) Held(context.Context) bool { return false }

func TestDrain_OnlyTheLeaseHolderSends(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	f.contacts(3, "s", nil)
	e := f.segmentEmail("<p>x</p>", "s")
	f.s.QueueSegment(f.ctx, e.ID)
	f.s.SetLease(noLease{})
	if _, err := f.s.Drain(f.ctx, DrainOptions{}); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if len(srv.Messages()) != 0 || f.states(e.ID)["pending"] != 3 {
		t.Fatalf("a device without the lease sent: %v", f.states(e.ID))
	}
}

func TestScheduled_QueuedOnceWhenDue(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	f.contacts(4, "s", nil)
	e := f.segmentEmail("<p>x</p>", "s")
	up := f.clk.Now().Add(time.Hour)
	e.Scheduled, e.PublishUp = true, &up
	if _, err := f.s.Save(f.ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := f.s.tick(f.ctx); err != nil || len(srv.Messages()) != 0 {
		t.Fatalf("sent before its time: %v, %d", err, len(srv.Messages()))
	}
	f.clk.Advance(2 * time.Hour)
	if err := f.s.tick(f.ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 4 {
		t.Fatalf("%d sent, want 4", n)
	}
	f.contacts(1, "s", func(_ int, v db.Cols) { v["email"] = "new@example.com" })
	if err := f.s.tick(f.ctx); err != nil || len(srv.Messages()) != 4 {
		t.Fatalf("a scheduled email is queued once per revision: %d", len(srv.Messages()))
	}
}

func TestCheckAndImport(t *testing.T) {
	f := newFixture(t)
	issues, err := f.s.Check(f.ctx, Email{Kind: List, Subject: "", HTML: `<mjml></mjml><a href="javascript:alert(1)">x</a>` +
		`<a href="https://">y</a><a href="">z</a><a href="mailto:not an address">m</a> {contactfield=nosuchfield} {contactfield=} {bogus} <img src="data:image/png;base64,` +
		strings.Repeat("A", 150_000) + `">`})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]int{}
	for _, i := range issues {
		codes[i.Code]++
	}
	for _, want := range []string{"no_from", "no_subject", "missing_unsubscribe", "mjml_source", "broken_link", "unknown_field", "unknown_token", "oversized_image"} {
		if codes[want] == 0 {
			t.Errorf("missing %s in %v", want, codes)
		}
	}
	if codes["broken_link"] != 4 {
		t.Errorf("broken links %d, want 4", codes["broken_link"])
	}
	// The UI shows each issue through its key: an English string whose every {param} is given.
	if dict, err := os.ReadFile("../../frontend/src/i18n/emails.ts"); err == nil {
		for _, i := range issues {
			m := regexp.MustCompile(`"` + regexp.QuoteMeta(i.Key) + `":\s*"([^"]*)"`).FindSubmatch(dict)
			if m == nil {
				t.Errorf("%s (%s): no UI string for key %q", i.Code, i.Detail, i.Key)
				continue
			}
			for _, p := range regexp.MustCompile(`\{(part|token|url)\}`).FindAllSubmatch(m[1], -1) {
				if i.Params[string(p[1])] == "" {
					t.Errorf("%s: %q needs param %s, got %v", i.Key, m[1], p[1], i.Params)
				}
			}
		}
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "n.html")
	os.WriteFile(good, []byte("<html><head><title> Spring\n sale </title></head><body>Hi</body></html>"), 0o600)
	e, err := f.s.ImportHTML(f.ctx, good, "Spring")
	if err != nil || e.Subject != "Spring sale" || e.Kind != Template {
		t.Fatalf("import: %+v %v", e, err)
	}
	bad := filepath.Join(dir, "b.html")
	os.WriteFile(bad, []byte{0xff, 0xfe, 0x00}, 0o600)
	for _, p := range []string{bad, filepath.Join(dir, "missing.html")} {
		if _, err := f.s.ImportHTML(f.ctx, p, "x"); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("import %s: %v", p, err)
		}
	}
}

func TestDrain_TLSMismatchStopsAndKeepsTheQueue(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	st, _ := f.s.Settings(f.ctx)
	st.SMTP.TLS = "starttls" // the server offers no STARTTLS
	f.s.SaveSettings(f.ctx, st)
	f.contacts(3, "s", nil)
	e := f.segmentEmail("<p>x</p>", "s")
	f.s.QueueSegment(f.ctx, e.ID)
	_, err := f.s.Drain(f.ctx, DrainOptions{})
	if err == nil || !strings.Contains(err.Error(), "SMTP settings") || !strings.Contains(strings.ToLower(err.Error()), "tls") {
		t.Fatalf("err = %v, want an SMTP settings error naming TLS", err)
	}
	got := f.states(e.ID)
	if got["pending"] != 3 {
		t.Fatalf("states %v: every message must stay queued", got)
	}
	var attempts int
	f.db.R.QueryRow(`SELECT max(attempts) FROM email_sends`).Scan(&attempts)
	if attempts != 0 {
		t.Fatalf("a settings error must not use up attempts (%d)", attempts)
	}
}
