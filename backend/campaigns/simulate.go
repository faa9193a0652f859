package campaigns

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/clock"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/emails"
	"magpie/backend/fields"
	"magpie/backend/segments"
)

// simMaxRounds bounds the virtual-clock loop (each round jumps to the next due step).
const simMaxRounds = 10000

// Simulate replays a campaign's draft over a copy of the data (SQLite VACUUM INTO a temp
// file) with a virtual clock running from from to to: the source segments' members enter
// at from, every step runs when it falls due, decisions nobody takes in the copy take their
// no path. Nothing in the real store changes and no email leaves (sends are only queued in
// the copy). It reports per event how many contacts went through it (yes/no for decisions
// and conditions).
func (s *Service) Simulate(ctx context.Context, id, from, to string) (SimResult, error) {
	res := SimResult{PerEvent: map[string]PathCounts{}}
	start, err := time.Parse(time.RFC3339, from)
	if err != nil {
		return res, apperr.Invalidf("campaigns.errors.simFrom", map[string]any{"from": from}, "--from %q is not an RFC 3339 time", from)
	}
	end, err := time.Parse(time.RFC3339, to)
	if err != nil || end.Before(start) {
		return res, apperr.Invalidf("campaigns.errors.simTo", map[string]any{"to": to}, "--to %q is not an RFC 3339 time after --from", to)
	}
	c, err := s.Get(ctx, id)
	if err != nil {
		return res, err
	}
	if ps := ValidateGraph(c.Graph, start, s.lookup(ctx)); len(ps) > 0 {
		return res, ProblemsError(ps)
	}
	dir, err := os.MkdirTemp("", "magpie-sim-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "copy.db")
	if _, err := s.db.W.ExecContext(ctx, "VACUUM INTO ?", path); err != nil { // the writer: VACUUM INTO needs a writable connection
		return res, err
	}
	clk := clock.NewFake(start)
	d, err := db.Open(path, db.Options{Clock: clk})
	if err != nil {
		return res, err
	}
	defer d.Close()
	fs, err := fields.New(ctx, d)
	if err != nil {
		return res, err
	}
	cs := contacts.New(d, fs)
	seg := segments.New(d, fs)
	seg.Loc = s.segLoc()
	sim := &Service{db: d, deps: Deps{Contacts: cs, Segments: seg, Emails: emails.New(d, cs, dir)}, wake: make(chan struct{}, 1), dryRun: true}
	graph, _ := json.Marshal(c.Graph)
	// The copy runs the draft as if published now; its earlier engine state is dropped so
	// every source member enters afresh.
	if err := d.Write(ctx, func(tx *db.Tx) error {
		for _, q := range []string{
			"DELETE FROM campaign_log WHERE step IN (" + campaignSteps + ")",
			"DELETE FROM campaign_counts WHERE step IN (" + campaignSteps + ")",
			"DELETE FROM campaign_members WHERE campaign_key = " + keyOf,
		} {
			if _, err := tx.Exec(q, id); err != nil {
				return err
			}
		}
		_, err := tx.Update("campaigns", id, db.Cols{"is_published": true, "version": c.Version + 1000000, "published_graph": string(graph)})
		return err
	}); err != nil {
		return res, err
	}
	invalidate()
	defer invalidate()
	if _, err := sim.SyncMembers(ctx, id); err != nil {
		return res, err
	}
	for round := 0; round < simMaxRounds; round++ {
		if _, err := sim.Run(ctx, RunOptions{}); err != nil {
			return res, err
		}
		var next int64
		if err := d.R.QueryRowContext(ctx, `SELECT coalesce(min(trigger_at), 0) FROM campaign_log
			WHERE step IN (`+campaignSteps+`) AND status IN ('scheduled', 'waiting') AND trigger_at < ?`, id, int64(never)).Scan(&next); err != nil {
			return res, err
		}
		if next == 0 || next > end.UnixMilli() {
			break
		}
		if t := time.UnixMilli(next); t.After(clk.Now()) {
			clk.Set(t)
		} else {
			clk.Advance(time.Minute) // due rows of an unpublished campaign would spin
		}
	}
	rows, err := d.R.QueryContext(ctx, `SELECT event_id, path, count(*) FROM campaign_log_ids
		WHERE campaign_id = ? AND status IN ('done', 'skipped') GROUP BY event_id, path`, id)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	for rows.Next() {
		var ev, p string
		var n int
		if err := rows.Scan(&ev, &p, &n); err != nil {
			return res, err
		}
		pc := res.PerEvent[ev]
		switch p {
		case "yes":
			pc.Yes += n
		case "no":
			pc.No += n
		}
		pc.Done += n
		res.PerEvent[ev] = pc
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	err = d.R.QueryRowContext(ctx, "SELECT count(*) FROM campaign_members WHERE campaign_key = "+keyOf, id).Scan(&res.Contacts)
	return res, err
}

func (s *Service) segLoc() *time.Location {
	if s.deps.Segments != nil && s.deps.Segments.Loc != nil {
		return s.deps.Segments.Loc
	}
	return time.UTC
}
