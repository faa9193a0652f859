package dashboard

import (
	"encoding/json"
	"fmt"

	gocharts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
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

// option builds the echarts option JSON for d with go-echarts.
func option(kind Kind, d Data) (json.RawMessage, error) {
	for i, s := range d.Series {
		if len(s.Values) != len(d.Categories) {
			return nil, fmt.Errorf("dashboard: series %d (%q) has %d values for %d categories", i+1, s.Name, len(s.Values), len(d.Categories))
		}
	}
	legend := gocharts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(d.Series) > 1), Top: "0"})
	grid := gocharts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "32", Bottom: "8", ContainLabel: opts.Bool(true)})
	var obj map[string]any
	switch kind {
	case Line, Bar:
		var c interface {
			JSON() map[string]any
		}
		if kind == Line {
			l := gocharts.NewLine()
			l.SetGlobalOptions(legend, grid, gocharts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
			l.SetXAxis(d.Categories)
			for _, s := range d.Series {
				data := make([]opts.LineData, len(s.Values))
				for i, v := range s.Values {
					data[i] = opts.LineData{Value: v}
				}
				l.AddSeries(s.Name, data, gocharts.WithLineChartOpts(opts.LineChart{Smooth: opts.Bool(true), ShowSymbol: opts.Bool(false)}))
			}
			l.Validate()
			c = l
		} else {
			b := gocharts.NewBar()
			b.SetGlobalOptions(legend, grid, gocharts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
			b.SetXAxis(d.Categories)
			for _, s := range d.Series {
				b.AddSeries(s.Name, barData(s.Values))
			}
			b.Validate()
			c = b
		}
		obj = c.JSON()
	case HBar:
		b := gocharts.NewBar()
		b.SetGlobalOptions(legend, grid, gocharts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}),
			gocharts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), Data: d.Categories}),
			gocharts.WithXAxisOpts(opts.XAxis{Type: "value"}))
		for _, s := range d.Series {
			b.AddSeries(s.Name, barData(s.Values))
		}
		b.Validate()
		obj = b.JSON()
		// go-echarts puts the categories on the x axis; a ranked bar wants them on y.
		obj["xAxis"] = []map[string]any{{"type": "value"}}
		obj["yAxis"] = []map[string]any{{"type": "category", "inverse": true, "data": d.Categories}}
	case Funnel:
		f := gocharts.NewFunnel()
		f.SetGlobalOptions(gocharts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
			gocharts.WithTooltipOpts(opts.Tooltip{Trigger: "item"}))
		name, data := "", make([]opts.FunnelData, 0, len(d.Categories))
		if len(d.Series) > 0 {
			name = d.Series[0].Name
			for i, v := range d.Series[0].Values {
				data = append(data, opts.FunnelData{Name: d.Categories[i], Value: v})
			}
		}
		f.AddSeries(name, data, func(s *gocharts.SingleSeries) { s.Sort = "none" },
			gocharts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "inside", Formatter: "{b}: {c}"}))
		f.Validate()
		obj = f.JSON()
	default:
		return nil, fmt.Errorf("dashboard: unknown chart kind %q", kind)
	}
	// go-echarts always emits an empty toolbox and title; neither is registered or wanted.
	delete(obj, "toolbox")
	delete(obj, "title")
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("dashboard: chart: %w", err)
	}
	return b, nil
}

func barData(vs []float64) []opts.BarData {
	out := make([]opts.BarData, len(vs))
	for i, v := range vs {
		out[i] = opts.BarData{Value: v}
	}
	return out
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
