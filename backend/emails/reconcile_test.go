package emails

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"magpie/backend/internal/smtptest"
)

// TestReconcile_ThreeStates: rows a dead sender left "sending" are settled from its journal:
// accepted → sent (not resent); transmission started without acceptance → resent with the
// same Message-ID and marked uncertain; never transmitted → resent, same Message-ID.
func TestReconcile_ThreeStates(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	f.contacts(3, "s", nil)
	e := f.segmentEmail("<p>x</p>", "s")
	f.s.QueueSegment(f.ctx, e.ID)
	claimed, err := f.s.claim(f.ctx, "dead-owner", e.ID, 3)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claim %d, %v", len(claimed), err)
	}
	dir := journalDir(f.dir)
	os.MkdirAll(dir, 0o700)
	journal := "D\t" + claimed[0].msgID + "\n" + claimed[0].msgID + "\t" + e.ID + "\tuser0@example.com\n" + // accepted
		"D\t" + claimed[1].msgID + "\n" // in flight at the crash
	if err := os.WriteFile(filepath.Join(dir, "dead-owner.log"), []byte(journal), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Reconcile(f.ctx); err != nil {
		t.Fatal(err)
	}
	if st := f.states(e.ID); st["sent"] != 1 || st["pending:resend_uncertain"] != 1 || st["pending"] != 1 {
		t.Fatalf("after reconcile: %v", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "dead-owner.log")); !os.IsNotExist(err) {
		t.Fatal("the reconciled journal is still there")
	}
	ds, err := f.s.Drain(f.ctx, DrainOptions{})
	if err != nil || ds.Sent != 2 {
		t.Fatalf("drain %+v %v", ds, err)
	}
	want := map[string]bool{claimed[1].msgID: true, claimed[2].msgID: true}
	for _, m := range srv.Messages() {
		id := strings.Trim(m.Header.Get("Message-Id"), "<>")
		id, _, _ = strings.Cut(id, "@")
		if !want[id] {
			t.Errorf("resent with a new Message-ID %s (want the claimed ones)", id)
		}
		delete(want, id)
	}
	st, _ := f.s.Stats(f.ctx, e.ID)
	if st.Totals.Sent != 3 || st.Totals.ResentUncertain != 1 {
		t.Fatalf("stats: sent %d, resent uncertain %d", st.Totals.Sent, st.Totals.ResentUncertain)
	}
}
