package emails

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/internal/smtptest"
	"magpie/backend/signing"
)

// TestKillChild is the sender process the kill test starts and kills; it does nothing in a
// normal run.
func TestKillChild(t *testing.T) {
	dir := os.Getenv("EMAILS_KILL_DIR")
	if dir == "" {
		t.Skip("helper process of TestKill")
	}
	ctx := context.Background()
	d, err := db.OpenDir(dir, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := fields.New(ctx, d)
	s := New(d, contacts.New(d, fs), dir)
	signer, _ := signing.New(testSecret)
	s.SetLinks(SignedLinks{BaseURL: "https://t.example", Signer: signer})
	killAt, _ := strconv.Atoi(os.Getenv("EMAILS_KILL_AFTER_ACCEPT"))
	killClaim, _ := strconv.Atoi(os.Getenv("EMAILS_KILL_AFTER_CLAIM"))
	n := 0
	workers := 2
	if killAt > 0 {
		workers = 1 // a second in-flight message would sit in the SMTP acceptance window
	}
	_, err = s.Drain(ctx, DrainOptions{Batch: 50, Workers: workers, AfterAccept: func(string) {
		n++
		if killAt > 0 && n == killAt {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}, AfterClaim: func(b int) {
		if killClaim > 0 && b == killClaim {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}})
	t.Fatalf("the child should have been killed (drain returned %v after %d)", err, n)
}

func TestKill_NoDuplicatesNoneLost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sender processes")
	}
	const total = 300
	scenarios := []struct {
		name        string
		afterAccept int           // kill right after the server accepted message N, before its commit
		afterClaim  int           // kill right after batch N was claimed, before any SMTP
		after       time.Duration // or: kill from outside at a random moment
	}{
		{"between accept and commit", 77, 0, 0},
		{"between claim and SMTP", 0, 3, 0},
		{"from outside at a random moment", 0, 0, time.Duration(20+rand.IntN(60)) * time.Millisecond},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := newFixture(t)
			dir := filepath.Dir(f.db.Path)
			s := New(f.db, f.cs, dir)
			s.SetAudience(testAudience{})
			signer, _ := signing.New(testSecret)
			s.SetLinks(SignedLinks{BaseURL: "https://t.example", Signer: signer})
			f.s = s
			srv := smtptest.Start(t)
			f.smtp(srv)
			f.contacts(total, "s", nil)
			e := f.segmentEmail(sampleHTML, "s")
			if _, err := s.QueueSegment(f.ctx, e.ID); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "EMAILS_KILL_DIR="+dir, fmt.Sprintf("EMAILS_KILL_AFTER_ACCEPT=%d", sc.afterAccept),
				fmt.Sprintf("EMAILS_KILL_AFTER_CLAIM=%d", sc.afterClaim))
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if sc.after > 0 {
				// Wait for the first message, then kill at a random moment.
				deadline := time.Now().Add(60 * time.Second)
				for len(srv.Messages()) == 0 && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(sc.after)
				cmd.Process.Signal(syscall.SIGKILL)
			}
			select {
			case err := <-done:
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
					t.Fatalf("child was not killed: %v", err)
				}
			case <-time.After(90 * time.Second):
				cmd.Process.Kill()
				t.Fatal("child did not finish")
			}
			before := len(srv.Messages())
			if (before == 0 && sc.afterClaim == 0) || before >= total {
				t.Fatalf("killed after %d messages: not mid-run", before)
			}
			// The aimed kills must land inside a claimed batch; a kill at a random moment may
			// also land between two batches (nothing claimed), which must lose nothing either.
			sending := f.states(e.ID)["sending"]
			if sending == 0 {
				if sc.after == 0 {
					t.Fatalf("the kill left no claimed rows (%v): the test proves nothing", f.states(e.ID))
				}
				t.Logf("the random kill landed between batches (%v)", f.states(e.ID))
			}
			// Restart: reconcile and finish.
			if err := s.Reconcile(f.ctx); err != nil {
				t.Fatal(err)
			}
			t.Logf("after reconcile: %v", f.states(e.ID))
			st, err := s.Drain(f.ctx, DrainOptions{})
			if err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			byID, byTo := distinct(msgs)
			if sc.after > 0 && len(msgs) > total && len(msgs)-total <= 2 && len(byID) == total {
				// The kill landed between the server's 250 and the journal write (µs): SMTP
				// cannot tell the client; the resend carries the same Message-ID.
				t.Logf("kill hit the SMTP acceptance window: %d resent with the same Message-ID", len(msgs)-total)
				msgs = msgs[:total]
				byTo = map[string]int{}
				for m := range byID {
					byTo[m] = 1
				}
			}
			if len(msgs) != total || len(byID) != total || len(byTo) != total {
				t.Fatalf("after restart: %d messages, %d Message-IDs, %d recipients; want %d each (killed at %d, %d claimed, restart %+v)",
					len(msgs), len(byID), len(byTo), total, before, sending, st)
			}
			if got := f.states(e.ID); got["sent"] != total {
				t.Fatalf("states %v", got)
			}
			var sent int64
			f.db.R.QueryRow(`SELECT sum(n) FROM email_counts WHERE email_id = ? AND metric = 'sent'`, e.ID).Scan(&sent)
			if sent != total {
				t.Fatalf("sent counter %d", sent)
			}
			t.Logf("killed after %d accepted, %d rows claimed; restart sent %d", before, sending, st.Sent)
		})
	}
}
