package reports

import (
	"context"
	"strings"
)

// DayCounts gives the number of events of one type per UTC day (Unix ms / 86400000) over
// [from, to) from a rollup kept elsewhere (the dashboard's dash_daily); ok is false when
// that rollup cannot answer exactly (not current, not in UTC, unknown type).
type DayCounts interface {
	DayCounts(ctx context.Context, eventType string, from, to int64) (counts map[int64]int64, ok bool, err error)
}

// SetDayCounts installs the daily counts the summaries of plain event counts read.
func (s *Service) SetDayCounts(d DayCounts) { s.days = d }

// rollupCounts answers "count of rows by date bucket" of a one-type event source without
// filters (page hits by month…) from the daily counts instead of counting millions of
// index entries; emit receives each non-empty window. It returns false (nothing emitted)
// when the report is not of that shape or the counts are not available.
func (s *Service) rollupCounts(ctx context.Context, p *plan, col Column, nGroups int, aggs []Agg, wins []window, emit func(label string, n int64)) bool {
	if s.days == nil || !p.plain || nGroups != 1 || col.ID != p.src.DateColumn || len(wins) == 0 {
		return false
	}
	for _, a := range aggs {
		if a.Fn != "count" || a.Column != "" {
			return false
		}
	}
	typ, ok := strings.CutPrefix(p.src.Where, "e.type = '")
	if !ok || !strings.HasSuffix(typ, "'") || p.src.From != "events e" {
		return false
	}
	typ = strings.TrimSuffix(typ, "'")
	from, to := wins[0].from, wins[len(wins)-1].to
	if p.rangeFrom > from {
		from = p.rangeFrom
	}
	if p.rangeTo != 0 && p.rangeTo < to {
		to = p.rangeTo
	}
	if from%dayMs != 0 || to%dayMs != 0 {
		return false
	}
	counts, ok, err := s.days.DayCounts(ctx, typ, from, to)
	if err != nil || !ok {
		return false
	}
	for _, w := range wins {
		var n int64
		for d := max(w.from, from) / dayMs; d < min(w.to, to)/dayMs; d++ {
			n += counts[d]
		}
		if n > 0 {
			emit(w.label, n)
		}
	}
	return true
}
