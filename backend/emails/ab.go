package emails

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"magpie/backend/db"
	"magpie/backend/listing"
)

// A/B tests (Mautic's variants with a winner): a segment email's parent and its variants
// split the recipients by weight. When the parent has winner criteria (open_rate or
// click_rate) the test clock starts at the family's first send; winnerAfterHours later the
// executor's send loop compares the variants' rates from the counters, stores the winner
// (table email_ab) and, in the same transaction, releases the recipients held for it (an
// ABSample below 100 holds the others at queue time). From then on every send of the family
// — held, deferred, retried or newly queued — renders the winner. The decision is taken once
// (decided_at guards it), so a crash or a second run cannot change it.

// abHold is the next_at of rows waiting for the winner (year 9999: never due by itself).
const abHold = int64(253402300799000)

// Rate is one variant's result in an A/B decision.
type Rate struct {
	ID      string  `json:"id"`
	Sent    int64   `json:"sent"`
	Read    int64   `json:"read"`
	Clicked int64   `json:"clicked"`
	Rate    float64 `json:"rate"`
}

// ABState is an email's A/B test as the statistics show it.
type ABState struct {
	Criteria  string     `json:"criteria"`
	Sample    int        `json:"sample"`
	StartedAt *time.Time `json:"startedAt"`
	DecidesAt *time.Time `json:"decidesAt"`
	DecidedAt *time.Time `json:"decidedAt"`
	WinnerID  string     `json:"winnerId"`
	Rates     []Rate     `json:"rates"`
	Held      int64      `json:"held"` // recipients waiting for the winner
}

// abStarted records the first send of root emails (in the batch's transaction).
func abStarted(tx *db.Tx, roots map[string]bool) error {
	for id := range roots {
		if _, err := tx.Exec(`INSERT INTO email_ab(email_id, started_at) VALUES(?, ?) ON CONFLICT(email_id) DO NOTHING`,
			id, tx.NowMs()); err != nil {
			return err
		}
	}
	return nil
}

// abHeld says whether a segment email holds part of its recipients for the winner now.
func (s *Service) abHeld(ctx context.Context, e Email) (bool, error) {
	if e.WinnerCriteria == "" || e.ABSample <= 0 || e.ABSample >= 100 {
		return false, nil
	}
	var n int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM emails WHERE variant_parent_id = ? AND deleted = 0
		AND is_published = 1`, e.ID).Scan(&n); err != nil || n == 0 {
		return false, err
	}
	var decided sql.NullInt64
	err := s.db.R.QueryRowContext(ctx, `SELECT decided_at FROM email_ab WHERE email_id = ?`, e.ID).Scan(&decided)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	return !decided.Valid, nil
}

// winnerOf returns the decided winner of a root email ("" while undecided).
func (s *Service) winnerOf(ctx context.Context, rootID string) (string, error) {
	var w sql.NullString
	err := s.db.R.QueryRowContext(ctx, `SELECT winner_id FROM email_ab WHERE email_id = ? AND decided_at IS NOT NULL`, rootID).Scan(&w)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return w.String, err
}

// DecideWinners decides every A/B test whose time has come; it returns the emails decided.
// Run by the send loop before each drain (and between batches of a long drain).
func (s *Service) DecideWinners(ctx context.Context) ([]string, error) {
	now := s.db.Clock.Now().UnixMilli()
	due, err := db.Strings(s.db.R.QueryContext(ctx, `SELECT e.id FROM email_ab a JOIN emails e ON e.id = a.email_id
		WHERE a.decided_at IS NULL AND e.deleted = 0 AND e.winner_criteria <> ''
		AND a.started_at + e.winner_after_hours * 3600000 <= ?`, now))
	if err != nil {
		return nil, err
	}
	var done []string
	for _, id := range due {
		ok, err := s.decide(ctx, id)
		if err != nil {
			return done, fmt.Errorf("emails: A/B winner of %s: %w", id, err)
		}
		if ok {
			done = append(done, id)
		}
	}
	return done, nil
}

// decide picks the winner of one root email and releases its held recipients, once.
func (s *Service) decide(ctx context.Context, rootID string) (bool, error) {
	fam, err := s.Family(ctx, rootID)
	if err != nil {
		return false, err
	}
	root := fam[0]
	cands := []string{root.ID}
	parentOf := map[string]string{root.ID: root.ID}
	for _, e := range fam[1:] {
		if e.VariantParentID == root.ID {
			cands = append(cands, e.ID)
			parentOf[e.ID] = e.ID
		}
	}
	for _, e := range fam[1:] {
		if e.TranslationParentID != "" {
			if p, ok := parentOf[e.TranslationParentID]; ok {
				parentOf[e.ID] = p // a translation's results count for its variant
			}
		}
	}
	decided := false
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var at sql.NullInt64
		if err := tx.QueryRow(`SELECT decided_at FROM email_ab WHERE email_id = ?`, rootID).Scan(&at); err != nil || at.Valid {
			return err // already decided (another run)
		}
		all := make([]string, 0, len(parentOf))
		for id := range parentOf {
			all = append(all, id)
		}
		rates := map[string]*Rate{}
		for _, id := range cands {
			rates[id] = &Rate{ID: id}
		}
		rows, err := tx.Query(`SELECT email_id, metric, sum(n) FROM email_counts WHERE metric IN ('sent', 'read', 'clicked')
			AND email_id IN (`+listing.Placeholders(len(all))+`) GROUP BY email_id, metric`, listing.Strings(all)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, metric string
			var n int64
			if err := rows.Scan(&id, &metric, &n); err != nil {
				rows.Close()
				return err
			}
			r := rates[parentOf[id]]
			switch metric {
			case "sent":
				r.Sent += n
			case "read":
				r.Read += n
			case "clicked":
				r.Clicked += n
			}
		}
		rows.Close()
		list := make([]Rate, 0, len(cands))
		best := -1
		for i, id := range cands {
			r := rates[id]
			if r.Sent > 0 {
				if strings.HasPrefix(root.WinnerCriteria, "click") {
					r.Rate = float64(r.Clicked) / float64(r.Sent)
				} else {
					r.Rate = float64(r.Read) / float64(r.Sent)
				}
				// Ties go to the earlier candidate (the parent first), as Mautic lists them.
				if best < 0 || r.Rate > list[best].Rate {
					best = i
				}
			}
			list = append(list, *r)
		}
		winner := root.ID
		if best >= 0 {
			winner = list[best].ID
		}
		b, _ := json.Marshal(list)
		now := tx.NowMs()
		if _, err := tx.Exec(`UPDATE email_ab SET decided_at = ?, winner_id = ?, criteria = ?, rates = ? WHERE email_id = ?`,
			now, winner, root.WinnerCriteria, string(b), rootID); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE email_sends SET next_at = ?, reason = NULL WHERE email_id = ? AND state = 'pending'
			AND reason = 'ab_hold'`, now, rootID); err != nil {
			return err
		}
		decided = true
		return nil
	})
	return decided, err
}

// AB returns an email's A/B test state (nil when it has no winner criteria).
func (s *Service) AB(ctx context.Context, root Email) (*ABState, error) {
	if root.WinnerCriteria == "" {
		return nil, nil
	}
	st := &ABState{Criteria: root.WinnerCriteria, Sample: root.ABSample, Rates: []Rate{}}
	var started, decided sql.NullInt64
	var winner, rates sql.NullString
	err := s.db.R.QueryRowContext(ctx, `SELECT started_at, decided_at, winner_id, rates FROM email_ab WHERE email_id = ?`,
		root.ID).Scan(&started, &decided, &winner, &rates)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	ms := func(v int64) *time.Time { t := time.UnixMilli(v).UTC(); return &t }
	if started.Valid {
		st.StartedAt = ms(started.Int64)
		st.DecidesAt = ms(started.Int64 + int64(root.WinnerAfterHours)*3600_000)
	}
	if decided.Valid {
		st.DecidedAt = ms(decided.Int64)
		st.WinnerID = winner.String
		_ = json.Unmarshal([]byte(rates.String), &st.Rates)
	}
	err = s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM email_sends WHERE email_id = ? AND state = 'pending'
		AND next_at = ?`, root.ID, abHold).Scan(&st.Held)
	return st, err
}
