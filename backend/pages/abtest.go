package pages

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
)

// A/B auto-winner criteria (Mautic's page A/B "winner criteria"; the ones our event log can
// judge): the most form submissions per visitor, or the lowest bounce rate.
const (
	ABConversions = "conversions"
	ABBounce      = "bounce"
)

// bounceWindow: a visitor bounced when, within 30 minutes of their first view of the page
// (Mautic's session rule), they viewed no other page and submitted no form.
const bounceWindow = events.SessionGap

// ABResult is one candidate's score in a decision.
type ABResult struct {
	ID       string  `json:"id"`
	Visitors int     `json:"visitors"`
	Score    float64 `json:"score"` // conversion rate or bounce rate (0–1)
}

// abStart is when the test began: the day the last live variant joined.
func (s *Service) abStart(ctx context.Context, root Page) (time.Time, []Page, error) {
	vars, err := s.query(ctx, "deleted = 0 AND is_published = 1 AND variant_parent_id = ? ORDER BY date_added, id", root.ID)
	if err != nil || len(vars) == 0 {
		return time.Time{}, vars, err
	}
	return vars[len(vars)-1].DateAdded, vars, nil
}

// DecideWinners settles every due A/B test: a published main page with a criterion, live
// variants, no winner yet and at least its hours since the last variant joined. The best
// candidate (main page or variant) by the criterion is stored as the winner, which the
// tracker then serves alone (Choose). A test where nobody visited any candidate waits. It
// returns the pages decided.
func (s *Service) DecideWinners(ctx context.Context) ([]string, error) {
	roots, err := s.query(ctx, `deleted = 0 AND is_published = 1 AND ab_criteria IS NOT NULL AND ab_criteria <> ''
		AND coalesce(ab_winner_id, '') = '' AND variant_parent_id IS NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	now := s.db.Clock.Now()
	var decided []string
	for _, root := range roots {
		start, vars, err := s.abStart(ctx, root)
		if err != nil {
			return decided, err
		}
		if len(vars) == 0 || now.Before(start.Add(time.Duration(root.ABHours)*time.Hour)) {
			continue
		}
		results, err := s.ABScores(ctx, root, vars, start)
		if err != nil {
			return decided, err
		}
		best := -1
		for i, r := range results {
			if r.Visitors == 0 {
				continue
			}
			if best < 0 || better(root.ABCriteria, r, results[best]) {
				best = i
			}
		}
		if best < 0 {
			continue // no data yet: keep testing
		}
		winner := results[best].ID
		err = s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Update("pages", root.ID, db.Cols{"ab_winner_id": winner, "ab_decided_at": tx.NowMs()})
			return err
		})
		if err != nil {
			return decided, fmt.Errorf("pages: store the A/B winner of %q: %w", root.Title, err)
		}
		decided = append(decided, root.ID)
	}
	return decided, nil
}

// better reports whether a beats b: a higher conversion rate or a lower bounce rate, then
// more visitors; on a full tie the earlier candidate (the main page first) stays.
func better(criteria string, a, b ABResult) bool {
	if a.Score != b.Score {
		if criteria == ABBounce {
			return a.Score < b.Score
		}
		return a.Score > b.Score
	}
	return a.Visitors > b.Visitors
}

// ABScores measures root and its variants by root's criterion over the visits since start.
func (s *Service) ABScores(ctx context.Context, root Page, vars []Page, start time.Time) ([]ABResult, error) {
	cands := append([]Page{root}, vars...)
	out := make([]ABResult, 0, len(cands))
	var stats map[string]Counter
	if root.ABCriteria == ABConversions {
		var err error
		if stats, err = s.counters(ctx); err != nil {
			return nil, err
		}
	}
	for _, p := range cands {
		r := ABResult{ID: p.ID}
		switch root.ABCriteria {
		case ABConversions:
			c := stats[p.ID]
			r.Visitors = c.UniqueHits
			if c.UniqueHits > 0 {
				r.Score = float64(c.Conversions) / float64(c.UniqueHits)
			}
		case ABBounce:
			var bounced int
			err := s.db.R.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(NOT EXISTS (SELECT 1 FROM events o
				WHERE o.contact_id = h.contact_id AND o.type IN ('page.hit', 'form.submitted') AND o.at > h.at AND o.at <= h.at + ?3)), 0)
				FROM (SELECT contact_id, min(at) AS at FROM events WHERE type = 'page.hit' AND object_id = ?1 AND at >= ?2
				GROUP BY contact_id) h`, p.ID, start.UnixMilli(), bounceWindow).Scan(&r.Visitors, &bounced)
			if err != nil {
				return nil, err
			}
			if r.Visitors > 0 {
				r.Score = float64(bounced) / float64(r.Visitors)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// ABDecider runs DecideWinners every minute while the app is open.
type ABDecider struct {
	Pages *Service
	Log   *slog.Logger
	Every time.Duration

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// Start begins deciding in the background (a second Start is a no-op).
func (a *ABDecider) Start() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cancel != nil {
		return
	}
	if a.Log == nil {
		a.Log = slog.Default()
	}
	every := a.Every
	if every <= 0 {
		every = time.Minute
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel, a.done = cancel, make(chan struct{})
	go func() {
		defer close(a.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if ids, err := a.Pages.DecideWinners(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("pages: A/B decision failed", "err", err)
			} else if len(ids) > 0 {
				a.Log.Info("pages: A/B winners chosen", "pages", ids)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the background loop and waits for it.
func (a *ABDecider) Stop() {
	a.mu.Lock()
	cancel, done := a.cancel, a.done
	a.cancel = nil
	a.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
