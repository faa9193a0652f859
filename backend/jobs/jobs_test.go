package jobs_test

import (
	"context"
	"testing"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/bus"
	"magpie/backend/internal/testenv"
	"magpie/backend/jobs"
)

// Live lists only jobs running now, with their progress, and drops them when they end.
func TestLive(t *testing.T) {
	d, _ := testenv.NewDB(t)
	r := jobs.New(d, bus.New())
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	block := func(ctx context.Context, p *jobs.Progress) error {
		p.Set(3, 10, "")
		started <- struct{}{}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	a, err := r.Start("test", "first", block)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Start("test", "second", block)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	<-started
	live := r.Live()
	if len(live) != 2 {
		t.Fatalf("live = %d jobs, want 2", len(live))
	}
	for _, s := range live {
		if s.State != jobs.Running || s.Done != 3 || s.Total != 10 {
			t.Errorf("job %s: state %s %d/%d, want running 3/10", s.Title, s.State, s.Done, s.Total)
		}
	}
	if !r.Cancel(a) {
		t.Fatal("cancel of a live job reported false")
	}
	waitFor(t, func() bool { return len(r.Live()) == 1 })
	if got := r.Live()[0].ID; got != b {
		t.Errorf("live after cancel = %s, want %s", got, b)
	}
	close(release)
	r.Wait()
	if n := len(r.Live()); n != 0 {
		t.Errorf("live after the end = %d, want 0", n)
	}
	st, err := r.Get(context.Background(), a)
	if err != nil || st.State != jobs.Canceled {
		t.Errorf("canceled job: %+v, %v", st, err)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if ok() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not reached in 5 s")
}

// A job that fails with an apperr.Error reports its key and params (the UI says it in its
// language), and its English text for the CLI.
func TestFailureCarriesTheErrorKey(t *testing.T) {
	d, _ := testenv.NewDB(t)
	b := bus.New()
	done := make(chan jobs.Status, 1)
	b.Subscribe(func(m bus.Message) {
		if m.Topic == jobs.TopicDone {
			done <- m.Data.(jobs.Status)
		}
	})
	_, err := jobs.New(d, b).Start("test", "failing", func(context.Context, *jobs.Progress) error {
		return apperr.Invalidf("imports.errors.notCSV", map[string]any{"file": "a.xls"}, "%s is not a CSV file", "a.xls")
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case st := <-done:
		if st.State != jobs.Failed || st.Error != "a.xls is not a CSV file" || st.ErrorKey != "imports.errors.notCSV" || st.ErrorParams["file"] != "a.xls" {
			t.Fatalf("failed job: %+v", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no job:done")
	}
}
