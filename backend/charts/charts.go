// Package charts builds echarts OPTION objects (JSON) with go-echarts for reports and
// dashboards. The frontend renders them with `echarts/core`, registering only the series
// types and components listed in frontend/src/charts/registered.json; a test in this
// package checks every option emitted here against that list, so a chart type added in Go
// but not registered in the frontend fails `go test` instead of rendering a blank canvas.
package charts

import (
	"encoding/json"
	"fmt"

	gocharts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Kind is a graph type.
type Kind string

// Graph types. None means "table only".
const (
	None   Kind = ""
	Line   Kind = "line"
	Bar    Kind = "bar"
	Pie    Kind = "pie"
	Funnel Kind = "funnel"
)

// Kinds lists the graph types a user can pick.
var Kinds = []Kind{Line, Bar, Pie, Funnel}

// Valid reports whether k is a known graph type (or None).
func (k Kind) Valid() bool {
	switch k {
	case None, Line, Bar, Pie, Funnel:
		return true
	}
	return false
}

// Series is one named list of values, aligned with Data.Categories.
type Series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// Data is what a chart shows: categories (x axis, pie slices, funnel stages) and one or
// more series of values. Pie and funnel use the first series only.
type Data struct {
	Title      string   `json:"title,omitempty"`
	Categories []string `json:"categories"`
	Series     []Series `json:"series"`
}

// Option builds the echarts option for data drawn as kind. It returns nil for None.
func Option(kind Kind, d Data) (json.RawMessage, error) {
	if !kind.Valid() {
		return nil, fmt.Errorf("charts: unknown graph type %q", kind)
	}
	for i, s := range d.Series {
		if len(s.Values) != len(d.Categories) {
			return nil, fmt.Errorf("charts: series %d (%q) has %d values for %d categories", i+1, s.Name, len(s.Values), len(d.Categories))
		}
	}
	var obj map[string]any
	title := gocharts.WithTitleOpts(opts.Title{Title: d.Title})
	tooltipAxis := gocharts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"})
	tooltipItem := gocharts.WithTooltipOpts(opts.Tooltip{Trigger: "item"})
	legend := gocharts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(d.Series) > 1 || kind == Pie || kind == Funnel), Bottom: "0"})
	switch kind {
	case None:
		return nil, nil
	case Line:
		c := gocharts.NewLine()
		c.SetGlobalOptions(title, tooltipAxis, legend)
		c.SetXAxis(d.Categories)
		for _, s := range d.Series {
			data := make([]opts.LineData, len(s.Values))
			for i, v := range s.Values {
				data[i] = opts.LineData{Value: v}
			}
			c.AddSeries(s.Name, data)
		}
		c.Validate()
		obj = c.JSON()
	case Bar:
		c := gocharts.NewBar()
		c.SetGlobalOptions(title, tooltipAxis, legend)
		c.SetXAxis(d.Categories)
		for _, s := range d.Series {
			data := make([]opts.BarData, len(s.Values))
			for i, v := range s.Values {
				data[i] = opts.BarData{Value: v}
			}
			c.AddSeries(s.Name, data)
		}
		c.Validate()
		obj = c.JSON()
	case Pie:
		c := gocharts.NewPie()
		c.SetGlobalOptions(title, tooltipItem, legend)
		name, data := "", make([]opts.PieData, 0, len(d.Categories))
		if len(d.Series) > 0 {
			name = d.Series[0].Name
			for i, v := range d.Series[0].Values {
				data = append(data, opts.PieData{Name: d.Categories[i], Value: v})
			}
		}
		c.AddSeries(name, data, gocharts.WithPieChartOpts(opts.PieChart{Radius: []string{"35%", "65%"}}))
		c.Validate()
		obj = c.JSON()
	case Funnel:
		c := gocharts.NewFunnel()
		c.SetGlobalOptions(title, tooltipItem, legend)
		name, data := "", make([]opts.FunnelData, 0, len(d.Categories))
		if len(d.Series) > 0 {
			name = d.Series[0].Name
			for i, v := range d.Series[0].Values {
				data = append(data, opts.FunnelData{Name: d.Categories[i], Value: v})
			}
		}
		c.AddSeries(name, data)
		c.Validate()
		obj = c.JSON()
	}
	// go-echarts always emits an empty toolbox and an empty title; the frontend does not
	// register the toolbox component, and an empty title is noise.
	if m, ok := obj["toolbox"].(map[string]any); !ok || len(m) == 0 {
		delete(obj, "toolbox")
	}
	if d.Title == "" {
		delete(obj, "title")
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	return b, nil
}

// Used lists the series types and top-level components an option uses (for the
// registration test and for callers that want to check an option before sending it).
func Used(option []byte) (series []string, components []string, err error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(option, &m); err != nil {
		return nil, nil, err
	}
	for k := range m {
		switch k {
		case "series":
			var ss []struct {
				Type string `json:"type"`
			}
			if err := json.Unmarshal(m[k], &ss); err != nil {
				return nil, nil, err
			}
			for _, s := range ss {
				series = append(series, s.Type)
			}
		case "color", "backgroundColor", "animation", "progressive", "progressiveThreshold":
			// plain options, not components
		case "xAxis", "yAxis":
			components = append(components, "grid")
		default:
			components = append(components, k)
		}
	}
	return series, components, nil
}
