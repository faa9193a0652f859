package charts

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// registered is frontend/src/charts/registered.json: what EChart.tsx registers with echarts/core.
func registered(t *testing.T) (series, components []string) {
	t.Helper()
	b, err := os.ReadFile("../../frontend/src/charts/registered.json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Series     []string `json:"series"`
		Components []string `json:"components"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r.Series, r.Components
}

func sample() Data {
	return Data{Title: "Hits", Categories: []string{"2026-01", "2026-02", "2026-03"}, Series: []Series{
		{Name: "page.hit", Values: []float64{3, 5, 8}},
		{Name: "email.read", Values: []float64{1, 0, 2.5}},
	}}
}

// TestEmittedTypesAreRegistered: every series type and component of every option this package
// emits is one the frontend registers, so no chart renders as a blank canvas.
func TestEmittedTypesAreRegistered(t *testing.T) {
	regSeries, regComp := registered(t)
	for _, k := range Kinds {
		for _, d := range []Data{sample(), {Categories: []string{"a"}, Series: []Series{{Name: "n", Values: []float64{1}}}}, {}} {
			opt, err := Option(k, d)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			series, comps, err := Used(opt)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			for _, s := range series {
				if !slices.Contains(regSeries, s) {
					t.Errorf("%s emits series type %q the frontend does not register (%v)", k, s, regSeries)
				}
			}
			for _, c := range comps {
				if !slices.Contains(regComp, c) {
					t.Errorf("%s emits component %q the frontend does not register (%v): %s", k, c, regComp, opt)
				}
			}
		}
	}
}

func TestOption(t *testing.T) {
	cases := []struct {
		kind    Kind
		data    Data
		want    []string // substrings of the JSON
		wantErr string
	}{
		{Line, sample(), []string{`"type":"line"`, `"data":["2026-01","2026-02","2026-03"]`, `"value":2.5`, `"text":"Hits"`}, ""},
		{Bar, sample(), []string{`"type":"bar"`, `"name":"email.read"`}, ""},
		{Pie, sample(), []string{`"type":"pie"`, `{"name":"2026-02","value":5}`}, ""},
		{Funnel, sample(), []string{`"type":"funnel"`, `{"name":"2026-03","value":8}`}, ""},
		{"donut", sample(), nil, `unknown graph type "donut"`},
		{Line, Data{Categories: []string{"a", "b"}, Series: []Series{{Name: "x", Values: []float64{1}}}}, nil, `series 1 ("x") has 1 values for 2 categories`},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			opt, err := Option(c.kind, c.data)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(string(opt), w) {
					t.Errorf("option lacks %s:\n%s", w, opt)
				}
			}
		})
	}
	if opt, err := Option(None, sample()); err != nil || opt != nil {
		t.Errorf("None = %s, %v; want nil", opt, err)
	}
}
