package segments

import (
	"context"
	"encoding/json"
	"testing"

	"magpie/backend/fields"
	"magpie/backend/internal/testenv"
)

// A segment saved while live plans are being compiled from the list read before it must not
// be left out of the cached plans (teamsync's TestSegmentManualMembershipConverges failed
// about once in 300 runs on this: a replica's live membership ignored a new segment).
func TestLivePlansNotCachedAcrossAChange(t *testing.T) {
	ctx := context.Background()
	d, clk := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	s := New(d, fs)
	saved := false
	plansCompiled = func() {
		if saved {
			return
		}
		saved = true // the commit lands after the list was read, before the caching
		if _, err := s.Save(ctx, Input{Name: "Paris", Filters: json.RawMessage(
			`[{"glue":"and","object":"lead","field":"city","operator":"=","properties":{"filter":"Paris"}}]`)}); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { plansCompiled = nil })
	plans, err := s.livePlans(ctx, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 {
		t.Fatalf("plans compiled around a saved segment: %d, want 1", len(plans))
	}
	if plans, _ := s.livePlans(ctx, clk.Now()); len(plans) != 1 {
		t.Fatalf("cached plans: %d, want 1", len(plans))
	}
}
