package dashboard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"magpie/backend/db"
)

// The rollup folds the event log into dash_daily / dash_top by events.seq: everything with
// a seq above the stored watermark is counted once, in chunks of one transaction each (the
// watermark moves in the same transaction as the counts, so a crash never counts twice or
// loses a chunk). Catching up over seq, not through an append hook, counts events from
// every path (Append, AppendMany for imports and demo data, raw inserts of segment events).

// rolled are the event types the rollup counts per day.
var rolled = []string{"page.hit", "email.sent", "email.read", "email.clicked", "email.failed", "form.submitted", "asset.downloaded"}

// rollupVersion changes when the rollup's format does: the stored zone is tagged with it,
// so a new format refolds the log like a zone change.
const rollupVersion = "2"

func zoneTag(loc *time.Location) string { return loc.String() + "|v" + rollupVersion }

// chunkSeq is how many seq values one catch-up transaction covers.
const chunkSeq = 20000

type dayKey struct{ metric, day string }

type topKey struct{ kind, day, key string }

type topVal struct {
	label string
	n     int64
}

// Lag returns how many events are not folded yet (by seq; gaps make it an upper bound).
func (s *Service) Lag(ctx context.Context) (int64, error) {
	var top sql.NullInt64
	if err := s.db.R.QueryRowContext(ctx, "SELECT max(seq) FROM events").Scan(&top); err != nil {
		return 0, err
	}
	wm, tz, err := s.state(ctx, s.db.R)
	if err != nil {
		return 0, err
	}
	cn, _, err := s.contactsPending(ctx, s.db.R)
	if err != nil {
		return 0, err
	}
	if tz != zoneTag(s.loc()) {
		return top.Int64 + cn, nil
	}
	return max(top.Int64-wm, 0) + cn, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *Service) state(ctx context.Context, q queryer) (seq int64, tz string, err error) {
	var v string
	err = q.QueryRowContext(ctx, "SELECT v FROM dash_state WHERE k = 'seq'").Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, "", err
	}
	seq, _ = strconv.ParseInt(v, 10, 64)
	err = q.QueryRowContext(ctx, "SELECT v FROM dash_state WHERE k = 'tz'").Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return seq, "", nil
	}
	return seq, tz, err
}

// CatchUp folds up to maxChunks chunks of new events (0 = all) and returns the lag left.
// Contact days and events are counted in separate transactions, so a failing contacts
// recount (say a dropped index) leaves the event widgets current; its error is returned
// after the events are folded.
func (s *Service) CatchUp(ctx context.Context, maxChunks int) (int64, error) {
	s.catchMu.Lock()
	defer s.catchMu.Unlock()
	var contactsErr error
	for i := 0; maxChunks <= 0 || i < maxChunks; i++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if contactsErr == nil {
			// Contacts first (small: a few days per change), then events.
			var did bool
			err := s.db.Write(ctx, func(tx *db.Tx) error {
				var err error
				did, _, err = s.foldContacts(tx)
				return err
			})
			if err != nil {
				contactsErr = fmt.Errorf("dashboard: contact statistics catch-up: %w", err)
			} else if did {
				continue // one round per chunk; events may be pending too
			}
		}
		var left int64
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			var err error
			left, err = s.foldChunk(tx)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("dashboard: statistics catch-up: %w", err)
		}
		if left == 0 && contactsErr == nil {
			return 0, nil
		}
		if left == 0 {
			break
		}
	}
	lag, err := s.Lag(ctx)
	if err == nil {
		err = contactsErr
	}
	return lag, err
}

type txq struct{ tx *db.Tx }

func (q txq) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	return q.tx.QueryRow(query, args...)
}

// foldChunk counts the events of one seq range and returns how many seqs remain after it.
func (s *Service) foldChunk(tx *db.Tx) (int64, error) {
	loc := s.loc()
	wm, tz, err := s.state(tx.Ctx(), txq{tx})
	if err != nil {
		return 0, err
	}
	if tz != zoneTag(loc) {
		// First run, or the time zone changed: days move, so count again from the start.
		for _, q := range []string{"DELETE FROM dash_daily", "DELETE FROM dash_top", "DELETE FROM dash_state WHERE k IN ('refold', 'seq')",
			"INSERT INTO dash_state(k, v) VALUES('tz', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v"} {
			args := []any{}
			if strings.Contains(q, "?") {
				args = append(args, zoneTag(loc))
			}
			if _, err := tx.Exec(q, args...); err != nil {
				return 0, err
			}
		}
		wm = 0
	}
	plan, err := loadPlan(tx)
	if err != nil {
		return 0, err
	}
	if plan != nil {
		if left, err := s.refoldStep(tx, loc, plan); err != nil || left > 0 {
			return left, err
		}
		return 1, nil // the plan is done: new events may be waiting
	}
	var maxSeq sql.NullInt64
	if err := tx.QueryRow("SELECT max(seq) FROM events").Scan(&maxSeq); err != nil {
		return 0, err
	}
	if maxSeq.Int64 <= wm {
		return 0, nil
	}
	if maxSeq.Int64-wm > bigLag {
		plan, err := s.planRefold(tx, loc, wm, maxSeq.Int64)
		if err != nil {
			return 0, err
		}
		if err := savePlan(tx, plan); err != nil {
			return 0, err
		}
		return int64(len(plan.Days)) + 1, nil
	}
	hi := min(wm+chunkSeq, maxSeq.Int64)
	rows, err := tx.Query(`SELECT seq, contact_id, type, at, coalesce(object_id, ''), coalesce(object_name, ''),
		coalesce(url, ''), coalesce(referrer, '') FROM events
		WHERE seq > ? AND seq <= ? AND type IN ('`+strings.Join(rolled, "','")+`')`, wm, hi)
	if err != nil {
		return 0, err
	}
	type ev struct {
		seq                           int64
		contact, typ                  string
		at                            int64
		objID, objName, url, referrer string
	}
	var evs []ev
	for rows.Next() {
		var e ev
		if err := rows.Scan(&e.seq, &e.contact, &e.typ, &e.at, &e.objID, &e.objName, &e.url, &e.referrer); err != nil {
			rows.Close()
			return 0, err
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	daily := map[dayKey][2]int64{}
	top := map[topKey]topVal{}
	// The contact's first event of this type that day (lowest seq) counts it as distinct,
	// whatever order the events arrive in.
	const firstSQL = `SELECT NOT EXISTS(SELECT 1 FROM events WHERE contact_id = ? AND type = ? AND at >= ? AND at < ? AND seq < ?)`
	for _, e := range evs {
		t := time.UnixMilli(e.at).In(loc)
		day := t.Format(time.DateOnly)
		start := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		end := start.AddDate(0, 0, 1)
		var isFirst bool
		if err := tx.QueryRow(firstSQL, e.contact, e.typ, start.UnixMilli(), end.UnixMilli(), e.seq).Scan(&isFirst); err != nil {
			return 0, err
		}
		k := dayKey{e.typ, day}
		v := daily[k]
		v[0]++
		if isFirst {
			v[1]++
		}
		daily[k] = v
		switch e.typ {
		case "page.hit":
			if e.url != "" {
				addTop(top, topKey{"page", day, e.url}, e.url)
			}
			if h := referrerHost(e.referrer); h != "" {
				addTop(top, topKey{"referrer", day, h}, h)
			}
		case "email.sent", "email.read", "email.clicked":
			key := e.objID
			if key == "" {
				key = e.objName
			}
			if key != "" {
				label := e.objName
				if label == "" {
					label = key
				}
				addTop(top, topKey{e.typ, day, key}, label)
			}
		}
	}
	for k, v := range daily {
		if _, err := tx.Exec(`INSERT INTO dash_daily(metric, day, n, u) VALUES(?, ?, ?, ?)
			ON CONFLICT(metric, day) DO UPDATE SET n = n + excluded.n, u = u + excluded.u`, k.metric, k.day, v[0], v[1]); err != nil {
			return 0, err
		}
	}
	for k, v := range top {
		if _, err := tx.Exec(`INSERT INTO dash_top(kind, day, key, label, n) VALUES(?, ?, ?, ?, ?)
			ON CONFLICT(kind, day, key) DO UPDATE SET n = n + excluded.n, label = excluded.label`, k.kind, k.day, k.key, v.label, v.n); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(`INSERT INTO dash_state(k, v) VALUES('seq', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`,
		strconv.FormatInt(hi, 10)); err != nil {
		return 0, err
	}
	return maxSeq.Int64 - hi, nil
}

// addTop counts one hit for a key on its day, and on its month under kind "m:<kind>" (so
// long ranges sum months instead of every day).
func addTop(m map[topKey]topVal, k topKey, label string) {
	for _, kk := range []topKey{k, {"m:" + k.kind, k.day[:7], k.key}} {
		v := m[kk]
		v.n++
		v.label = label
		m[kk] = v
	}
}

// referrerHost is the host of a referrer URL without "www." ("" for none or unparsable).
func referrerHost(ref string) string {
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}
