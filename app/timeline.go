package app

import (
	"context"
	"database/sql"
	"math"
	"sort"
	"strings"

	"magpie/backend/campaigns"
	"magpie/backend/events"
)

// maxSteps bounds the campaign steps merged into one timeline page.
const maxSteps = 500

// timeline is one page of a contact's history: behaviour events by seq (cursor before),
// merged by time with the contact's finished campaign steps, which live in campaign_log
// (campaigns.Steps), not in the behaviour log. A page of events covers the time window
// [lo, hi): hi is the oldest moment of the newer pages (none on the first page), lo the
// oldest of this page and the newer ones, or the beginning of time on the last page; the
// steps in that window join the page (at most maxSteps), so paging shows each step once.
func timeline(ctx context.Context, r *sql.DB, q events.Query) ([]events.Event, int64, error) {
	steps := len(q.Types) == 0
	var types []events.Type
	for _, t := range q.Types {
		if t == events.CampaignEvent {
			steps = true
		} else {
			types = append(types, t)
		}
	}
	if !steps {
		return events.List(ctx, r, q)
	}
	if len(q.Types) > 0 && len(types) == 0 {
		// Campaign steps only: the newest maxSteps, one page.
		out, err := campaigns.Steps(ctx, r, q.ContactID, 0, 0, maxSteps)
		return out, 0, err
	}
	q.Types = types
	evs, next, err := events.List(ctx, r, q)
	if err != nil {
		return nil, 0, err
	}
	hi, lo := int64(math.MaxInt64), int64(0)
	if q.BeforeSeq > 0 {
		var m sql.NullInt64
		filter, args := typeFilter(types)
		if err := r.QueryRowContext(ctx, "SELECT min(at) FROM events WHERE contact_id = ? AND seq >= ?"+filter,
			append([]any{q.ContactID, q.BeforeSeq}, args...)...).Scan(&m); err != nil {
			return nil, 0, err
		}
		if m.Valid {
			hi = m.Int64
		}
	}
	if next > 0 {
		lo = hi
		for _, e := range evs {
			lo = min(lo, e.At.UnixMilli())
		}
	}
	if lo >= hi {
		return evs, next, nil
	}
	st, err := campaigns.Steps(ctx, r, q.ContactID, lo, hi, maxSteps)
	if err != nil || len(st) == 0 {
		return evs, next, err
	}
	out := append(evs, st...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, next, nil
}

func typeFilter(types []events.Type) (string, []any) {
	if len(types) == 0 {
		return "", nil
	}
	args := make([]any, len(types))
	for i, t := range types {
		args[i] = string(t)
	}
	return " AND type IN (?" + strings.Repeat(",?", len(types)-1) + ")", args
}
