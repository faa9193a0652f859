package app

import (
	"os/user"

	"magpie/backend/dashboard"
)

// Dashboard is the home board: its widgets' data over a date range and the user's layout.
type Dashboard struct{ s *Shell }

// DashWidget is one tile: type, width in twelfths (3, 4, 6, 8, 9, 12), height in rows (1–3).
type DashWidget struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	W    int    `json:"w"`
	H    int    `json:"h"`
}

// DashLayout is a board; Default = the user has not saved one yet.
type DashLayout struct {
	Widgets []DashWidget `json:"widgets"`
	Default bool         `json:"default"`
}

// DashColumn is a table column; the UI labels it by key.
type DashColumn struct {
	Key  string `json:"key"`
	Kind string `json:"kind"` // text | number | time (Unix ms) | url | event | contact ([id, label])
}

// DashTable is a table widget's rows.
type DashTable struct {
	Columns []DashColumn `json:"columns"`
	Rows    [][]any      `json:"rows"`
}

// DashResult is one widget's answer: chart (echarts option JSON text), table, empty (an
// i18n key saying why there is nothing) or error (shown in place of that widget only).
type DashResult struct {
	ID    string     `json:"id"`
	Type  string     `json:"type"`
	Chart string     `json:"chart"`
	Table *DashTable `json:"table"`
	Empty string     `json:"empty"`
	Error *ErrorView `json:"error"`
	Ms    float64    `json:"ms"`
}

// DashBoard is a whole board's answer.
type DashBoard struct {
	From    string       `json:"from"`
	To      string       `json:"to"`
	Results []DashResult `json:"results"`
	Pending int64        `json:"pending"` // events the statistics still have to count
	Ms      float64      `json:"ms"`
}

func dashUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "local"
}

func layoutView(l dashboard.Layout) DashLayout {
	out := DashLayout{Default: l.Default, Widgets: make([]DashWidget, 0, len(l.Widgets))}
	for _, w := range l.Widgets {
		out.Widgets = append(out.Widgets, DashWidget(w))
	}
	return out
}

func widgetsOf(ws []DashWidget) []dashboard.Widget {
	out := make([]dashboard.Widget, 0, len(ws))
	for _, w := range ws {
		out = append(out, dashboard.Widget(w))
	}
	return out
}

// Types lists the widget types that can be added, in menu order.
func (a *Dashboard) Types() []string { return dashboard.Types() }

// Layout returns this user's board (the default one until they arrange it).
func (a *Dashboard) Layout() (DashLayout, error) {
	l, err := a.s.core.Dashboard.GetLayout(a.s.context(), dashUser())
	return layoutView(l), err
}

// SaveLayout stores this user's board.
func (a *Dashboard) SaveLayout(ws []DashWidget) (DashLayout, error) {
	l, err := a.s.core.Dashboard.SaveLayout(a.s.context(), dashUser(), widgetsOf(ws))
	return layoutView(l), err
}

// ResetLayout brings the default board back.
func (a *Dashboard) ResetLayout() (DashLayout, error) {
	if err := a.s.core.Dashboard.ResetLayout(a.s.context(), dashUser()); err != nil {
		return DashLayout{}, err
	}
	return a.Layout()
}

// Run answers the given widgets over from..to (YYYY-MM-DD, empty = the last 30 days);
// lang picks the words drawn inside charts. A failing widget carries its own error.
func (a *Dashboard) Run(ws []DashWidget, from, to, lang string) (DashBoard, error) {
	b, err := a.s.core.Dashboard.Run(a.s.context(), widgetsOf(ws), dashboard.Query{
		Range: dashboard.Range{From: from, To: to}, Lang: lang})
	if err != nil {
		return DashBoard{}, err
	}
	return boardView(b), nil
}

func boardView(b dashboard.Board) DashBoard {
	out := DashBoard{From: b.Range.From, To: b.Range.To, Pending: b.Pending, Ms: b.Ms, Results: make([]DashResult, 0, len(b.Results))}
	for _, r := range b.Results {
		v := DashResult{ID: r.ID, Type: r.Type, Chart: string(r.Chart), Empty: r.Empty, Ms: r.Ms}
		if r.Table != nil {
			t := &DashTable{Rows: r.Table.Rows, Columns: make([]DashColumn, 0, len(r.Table.Columns))}
			for _, c := range r.Table.Columns {
				t.Columns = append(t.Columns, DashColumn(c))
			}
			v.Table = t
		}
		if r.Err != nil {
			ev := FormatError(r.Err)
			v.Error = &ev
		}
		out.Results = append(out.Results, v)
	}
	return out
}
