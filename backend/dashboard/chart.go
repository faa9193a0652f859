package dashboard

import (
	"encoding/json"
	"fmt"

	"magpie/backend/charts"
)

// Kind is how a widget draws its data.
type Kind string

// Chart kinds used by the widgets.
const (
	Line   Kind = "line"
	Bar    Kind = "bar"
	HBar   Kind = "hbar" // ranked horizontal bar (echarts "bar" with a category y axis)
	Funnel Kind = "funnel"
)

// Series is one named list of values aligned with Data.Categories.
type Series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// Data is what a chart shows.
type Data struct {
	Categories []string `json:"categories"`
	Series     []Series `json:"series"`
}

func (r *Result) setChart(kind Kind, d Data) error {
	b, err := option(kind, d)
	if err != nil {
		return err
	}
	r.Chart = b
	return nil
}

// option builds the echarts option with the shared builder (backend/charts, go-echarts),
// then adjusts the look for a small tile: labels kept inside the grid, smooth lines without
// symbols, a ranked bar with its categories on the y axis, a funnel in stage order.
func option(kind Kind, d Data) (json.RawMessage, error) {
	base := charts.Line
	switch kind {
	case Line:
	case Bar, HBar:
		base = charts.Bar
	case Funnel:
		base = charts.Funnel
	default:
		return nil, fmt.Errorf("dashboard: unknown chart kind %q", kind)
	}
	cd := charts.Data{Categories: d.Categories}
	for _, s := range d.Series {
		cd.Series = append(cd.Series, charts.Series{Name: s.Name, Values: s.Values})
	}
	raw, err := charts.Option(base, cd)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	series, _ := obj["series"].([]any)
	switch kind {
	case Line, Bar, HBar:
		obj["grid"] = map[string]any{"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": true}
		if leg, ok := obj["legend"].(map[string]any); ok {
			delete(leg, "bottom")
			leg["top"] = 0
		}
	case Funnel:
		obj["legend"] = map[string]any{"show": false}
	}
	for _, x := range series {
		sm, ok := x.(map[string]any)
		if !ok {
			continue
		}
		switch kind {
		case Line:
			sm["smooth"], sm["smoothMonotone"], sm["showSymbol"] = true, "x", false // no overshoot below 0
		case Funnel:
			sm["sort"] = "none"
			sm["top"], sm["bottom"], sm["left"], sm["width"] = 8, 8, "10%", "80%"
			sm["label"] = map[string]any{"show": true, "position": "inside", "formatter": "{b}: {c}"}
		}
	}
	if kind == HBar {
		obj["xAxis"] = []map[string]any{{"type": "value"}}
		obj["yAxis"] = []map[string]any{{"type": "category", "inverse": true, "data": d.Categories}}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("dashboard: chart: %w", err)
	}
	return b, nil
}

// lbl translates the few words drawn inside charts (series and funnel stage names).
type lbl string

var chartWords = map[string][2]string{
	"hits": {"Page hits", "Pages vues"}, "visitors": {"Unique visitors", "Visiteurs uniques"},
	"sent": {"Sent", "Envoyés"}, "read": {"Read", "Lus"}, "clicked": {"Clicked", "Cliqués"}, "failed": {"Failed", "Échecs"},
	"submissions": {"Submissions", "Soumissions"}, "all": {"All", "Tous"}, "identified": {"Identified", "Identifiés"},
	"anonymous": {"Anonymous", "Anonymes"}, "contacts": {"Contacts", "Contacts"}, "other": {"Other", "Autres"},
	"unknown": {"Unknown", "Inconnu"}, "created": {"Created", "Créés"}, "points1": {"1+ points", "1+ points"},
	"points25": {"25+ points", "25+ points"}, "points50": {"50+ points", "50+ points"}, "points100": {"100+ points", "100+ points"},
}

func labels(lang string) lbl { return lbl(lang) }

func (l lbl) t(k string) string {
	w, ok := chartWords[k]
	if !ok {
		return k
	}
	if l == "fr" {
		return w[1]
	}
	return w[0]
}
