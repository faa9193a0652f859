package dashboard

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"magpie/backend/charts"
)

// TestEmittedTypesAreRegistered: every series type and component of every chart a widget
// draws is one frontend/src/charts/registered.json registers with echarts/core, so no
// widget renders a blank canvas.
func TestEmittedTypesAreRegistered(t *testing.T) {
	b, err := os.ReadFile("../../frontend/src/charts/registered.json")
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		Series     []string `json:"series"`
		Components []string `json:"components"`
	}
	if err := json.Unmarshal(b, &reg); err != nil {
		t.Fatal(err)
	}
	f := seedFixture(t)
	var ws []Widget
	for i, typ := range Types() {
		ws = append(ws, Widget{ID: string(rune('a' + i)), Type: typ, W: 6, H: 1})
	}
	board, err := f.s.Run(context.Background(), ws, Query{Range: rng})
	if err != nil {
		t.Fatal(err)
	}
	charted := map[Kind]bool{}
	for _, r := range board.Results {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Type, r.Err)
		}
		if r.Chart == nil {
			continue
		}
		series, comps, err := charts.Used(r.Chart)
		if err != nil {
			t.Fatalf("%s: %v", r.Type, err)
		}
		for _, s := range series {
			if !slices.Contains(reg.Series, s) {
				t.Errorf("%s emits series type %q the frontend does not register (%v)", r.Type, s, reg.Series)
			}
		}
		for _, c := range comps {
			if !slices.Contains(reg.Components, c) {
				t.Errorf("%s emits component %q the frontend does not register (%v)", r.Type, c, reg.Components)
			}
		}
		charted[Kind(r.Type)] = true
	}
	// Every kind the widgets use is exercised directly too (the fixture may leave some empty).
	for _, k := range []Kind{Line, Bar, HBar, Funnel} {
		opt, err := option(k, Data{Categories: []string{"a", "b"}, Series: []Series{{Name: "x", Values: []float64{1, 2}}}})
		if err != nil {
			t.Fatal(err)
		}
		series, comps, _ := charts.Used(opt)
		for _, s := range append(series, comps...) {
			if !slices.Contains(reg.Series, s) && !slices.Contains(reg.Components, s) {
				t.Errorf("kind %s emits %q, not registered", k, s)
			}
		}
	}
	if len(charted) < 5 {
		t.Errorf("only %d widgets drew a chart on the fixture: %v", len(charted), charted)
	}
}
