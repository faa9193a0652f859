package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"magpie/backend/apperr"
)

// Range is the board's date range: local days From..To inclusive (YYYY-MM-DD).
type Range struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// span is a resolved range: instants [Start, End), the list of days, and the chart's
// buckets: days up to 92 days, weeks (labelled by their first day) up to 2 years, else
// months (Mautic picks its unit from the range length too).
type span struct {
	Start, End time.Time
	Days       []string
	Labels     []string       // bucket labels, in order
	Bucket     map[string]int // day → index in Labels
	loc        *time.Location
}

func (s span) startMs() int64 { return s.Start.UnixMilli() }
func (s span) endMs() int64   { return s.End.UnixMilli() }
func (s span) from() string   { return s.Days[0] }
func (s span) to() string     { return s.Days[len(s.Days)-1] }

// day is the local day of a Unix-ms instant.
func (s span) day(ms int64) string { return time.UnixMilli(ms).In(s.loc).Format(time.DateOnly) }

// maxDays bounds a range (about ten years of days on one axis).
const maxDays = 3700

// DefaultRange is the last 30 days up to today (Mautic's default).
func DefaultRange(now time.Time, loc *time.Location) Range {
	t := now.In(loc)
	return Range{From: t.AddDate(0, 0, -29).Format(time.DateOnly), To: t.Format(time.DateOnly)}
}

func (r Range) resolve(loc *time.Location) (span, error) {
	from, err := time.ParseInLocation(time.DateOnly, r.From, loc)
	if err != nil {
		return span{}, apperr.Invalidf("dashboard.errors.date", map[string]any{"field": "from", "value": r.From},
			"date range: from %q is not a date (YYYY-MM-DD)", r.From)
	}
	to, err := time.ParseInLocation(time.DateOnly, r.To, loc)
	if err != nil {
		return span{}, apperr.Invalidf("dashboard.errors.date", map[string]any{"field": "to", "value": r.To},
			"date range: to %q is not a date (YYYY-MM-DD)", r.To)
	}
	if from.After(to) {
		return span{}, apperr.Invalidf("dashboard.errors.range", map[string]any{"from": r.From, "to": r.To},
			"date range: from %s is after to %s", r.From, r.To)
	}
	sp := span{Start: from, End: to.AddDate(0, 0, 1), loc: loc}
	for d := from; d.Before(sp.End); d = d.AddDate(0, 0, 1) {
		sp.Days = append(sp.Days, d.Format(time.DateOnly))
		if len(sp.Days) > maxDays {
			return span{}, apperr.Invalidf("dashboard.errors.rangeTooLong", map[string]any{"max": maxDays},
				"date range: more than %d days", maxDays)
		}
	}
	sp.Bucket = make(map[string]int, len(sp.Days))
	for i, day := range sp.Days {
		label := day
		switch {
		case len(sp.Days) <= 92:
		case len(sp.Days) <= 731:
			d := from.AddDate(0, 0, i)
			if i > 0 && d.Weekday() != time.Monday {
				label = sp.Labels[len(sp.Labels)-1]
			}
		default:
			label = day[:7]
		}
		if len(sp.Labels) == 0 || sp.Labels[len(sp.Labels)-1] != label {
			sp.Labels = append(sp.Labels, label)
		}
		sp.Bucket[day] = len(sp.Labels) - 1
	}
	return sp, nil
}

// Column describes one column of a table widget; the UI labels it by Key.
type Column struct {
	Key  string `json:"key"`
	Kind string `json:"kind"` // text | number | time (Unix ms) | url
}

// Table is a widget's rows.
type Table struct {
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// Result is one widget's answer. Exactly one of Chart, Table or Empty is set, or Err.
type Result struct {
	ID    string          `json:"id"`
	Type  string          `json:"type"`
	Chart json.RawMessage `json:"chart,omitempty"` // an echarts option
	Table *Table          `json:"table,omitempty"`
	// Empty is an i18n key saying why there is nothing to show ("no campaigns yet").
	Empty string  `json:"empty,omitempty"`
	Err   error   `json:"-"`
	Ms    float64 `json:"ms"`
}

// Board is the answer for a whole board.
type Board struct {
	Range   Range    `json:"range"`
	Results []Result `json:"results"`
	// Pending is how many events the statistics still have to fold (0 = current).
	Pending int64   `json:"pending"`
	Ms      float64 `json:"ms"`
}

// Query options for Run.
type Query struct {
	Range Range
	Lang  string // en | fr: labels inside charts
	// Parallel widgets at once (default 2: the read pool and the 2-core target).
	Parallel int
}

// inlineCatchUp is the most chunks a board request folds itself before answering; more
// lag is left to the background loop and reported as Pending.
const inlineCatchUp = 3

// Run answers the widgets of a layout. Each widget runs in isolation: its error or panic
// becomes its Result.Err and the others still answer.
func (s *Service) Run(ctx context.Context, ws []Widget, q Query) (Board, error) {
	start := time.Now()
	loc := s.loc()
	if q.Range.From == "" && q.Range.To == "" {
		q.Range = DefaultRange(s.db.Clock.Now(), loc)
	}
	sp, err := q.Range.resolve(loc)
	if err != nil {
		return Board{}, err
	}
	b := Board{Range: q.Range, Results: make([]Result, len(ws))}
	// Fold what arrived since the last board; a failure here must not take the board down:
	// the rollup widgets then show what is folded so far and Pending says how much is not.
	if s.db.W != nil {
		b.Pending, err = s.CatchUp(ctx, inlineCatchUp)
		if err != nil && ctx.Err() != nil {
			return Board{}, ctx.Err()
		}
		if err != nil || b.Pending > 0 {
			s.Kick()
		}
	}
	if s.db.W == nil || err != nil {
		b.Pending, _ = s.Lag(ctx)
	}
	par := q.Parallel
	if par <= 0 {
		par = 2
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			b.Results[i] = s.runOne(ctx, w, sp, q.Lang)
		}()
	}
	wg.Wait()
	b.Ms = float64(time.Since(start).Microseconds()) / 1000
	return b, nil
}

func (s *Service) runOne(ctx context.Context, w Widget, sp span, lang string) (r Result) {
	start := time.Now()
	r = Result{ID: w.ID, Type: w.Type}
	defer func() {
		if p := recover(); p != nil {
			r.Chart, r.Table, r.Empty = nil, nil, ""
			r.Err = fmt.Errorf("dashboard: widget %s panicked: %v\n%s", w.Type, p, debug.Stack())
		}
		r.Ms = float64(time.Since(start).Microseconds()) / 1000
	}()
	def, ok := registry[w.Type]
	if !ok {
		r.Err = apperr.Invalidf("dashboard.errors.unknownWidget", map[string]any{"type": w.Type}, "unknown widget type %q", w.Type)
		return r
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := def.run(ctx, s, sp, labels(lang), &r); err != nil {
		r.Chart, r.Table, r.Empty = nil, nil, ""
		if _, isApp := apperr.As(err); !isApp {
			err = apperr.New(apperr.Internal, "dashboard.errors.widget", fmt.Sprintf("widget %s failed: %v", w.Type, err),
				map[string]any{"type": w.Type, "cause": err.Error()})
		}
		r.Err = err
	}
	return r
}
