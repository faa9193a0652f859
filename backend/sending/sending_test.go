package sending

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"magpie/backend/internal/smtptest"
)

func msg(i int, to string) *Message {
	return &Message{ID: fmt.Sprintf("send-%d", i), From: Address{"Magpie Team", "news@magpie.test"},
		To: Address{"Élodie Dupont", to}, Subject: "Bonjour Élodie", HTML: "<p>Hi <b>there</b></p>", Text: "Hi there",
		Headers:     map[string]string{"List-Unsubscribe": "<https://t.example/u/x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
		Attachments: []Attachment{{Name: "guide.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 test")}}}
}

func mailer(t *testing.T, s *smtptest.Server, conns int) *SMTP {
	t.Helper()
	m, err := NewSMTP(SMTPConfig{Host: s.Host, Port: s.Port, TLS: "none", Connections: conns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestSMTP_SendsWithHeadersAndReusesConnections(t *testing.T) {
	srv := smtptest.Start(t)
	m := mailer(t, srv, 2)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- m.Send(ctx, msg(i, fmt.Sprintf("user%d@example.com", i)))
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := srv.Messages()
	if len(got) != 50 {
		t.Fatalf("%d messages, want 50", len(got))
	}
	ids := map[string]bool{}
	for _, g := range got {
		ids[g.Header.Get("Message-Id")] = true
		if g.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Fatalf("missing one-click header: %v", g.Header)
		}
		if !strings.Contains(string(g.Raw), "multipart/alternative") || !strings.Contains(string(g.Raw), "guide.pdf") {
			t.Fatal("want an html+text alternative and the attachment")
		}
	}
	if len(ids) != 50 || !ids["<send-7@magpie.test>"] {
		t.Fatalf("message ids: %d distinct, %v", len(ids), ids["<send-7@magpie.test>"])
	}
}

func TestSMTP_ClassifiesFailures(t *testing.T) {
	srv := smtptest.Start(t)
	srv.Reject("gone@example.com", 550, "no such user")
	srv.Reject("full@example.com", 452, "mailbox full")
	m := mailer(t, srv, 1)
	ctx := context.Background()
	scenarios := []struct {
		name      string
		m         *Message
		kind      error
		recipient bool
	}{
		{"hard bounce", msg(1, "gone@example.com"), ErrPermanent, true},
		{"soft bounce", msg(2, "full@example.com"), ErrTemporary, true},
		{"bad address", msg(3, "not an address"), ErrPermanent, false},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			err := m.Send(ctx, s.m)
			var se *SendError
			if !errors.As(err, &se) || !errors.Is(err, s.kind) || se.Recipient != s.recipient {
				t.Fatalf("err = %v, want %v recipient=%v", err, s.kind, s.recipient)
			}
		})
	}
	// The connection recovers after failures.
	srv.FailNext(1)
	if err := m.Send(ctx, msg(4, "ok@example.com")); !errors.Is(err, ErrTemporary) {
		t.Fatalf("451 on DATA: %v", err)
	}
	if err := m.Send(ctx, msg(5, "ok@example.com")); err != nil {
		t.Fatal(err)
	}
	// Server down: temporary.
	dead, _ := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: "none", Timeout: time.Second})
	if err := dead.Send(ctx, msg(6, "ok@example.com")); !errors.Is(err, ErrTemporary) {
		t.Fatalf("down server: %v", err)
	}
}

func TestSMTP_MandatoryTLSRefusedByPlainServer(t *testing.T) {
	srv := smtptest.Start(t)
	m, err := NewSMTP(SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "starttls"})
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), msg(1, "a@example.com"))
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "tls") {
		t.Fatalf("err = %v, want a TLS error", err)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLimiter(10, 25)
	l.now = func() time.Time { return now }
	var slept time.Duration
	l.sleep = func(_ context.Context, d time.Duration) error { slept += d; now = now.Add(d); return nil }
	for i := 0; i < 30; i++ {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// 25 sends at 10/s take 2.4 s; the 26th waits for the hour window to open.
	if slept < time.Hour || slept > time.Hour+time.Minute {
		t.Fatalf("slept %v, want about one hour", slept)
	}
}
