package dashboard

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"magpie/backend/db"
)

// A big backlog (the first fold of a large log, a zone change, an import of history) is
// not folded event by event: the local days it touches are recounted whole, set-based —
// one aggregate query per metric and list per day over the (type, at) index, counting every
// event up to the backlog's last seq — a few days per transaction. The plan (the last seq
// and the days left) lives in dash_state('refold') and moves in the same transaction as
// the counts, so a crash resumes where it stopped; the seq watermark jumps to the plan's
// last seq when the last day is done. New events keep the per-event fold (foldChunk).

// bigLag is the backlog (in seqs) from which CatchUp recounts days instead of events (a
// variable for tests).
var bigLag int64 = 100000

// refoldDaysPerTx is how many days one refold transaction recounts.
const refoldDaysPerTx = 4

// topKinds are the dash_top lists (each also has monthly rows under "m:<kind>").
var topKinds = []string{"page", "referrer", "email.sent", "email.read", "email.clicked"}

type refoldPlan struct {
	Hi   int64    `json:"hi"`
	Days []string `json:"days"`
}

func loadPlan(tx *db.Tx) (*refoldPlan, error) {
	var v string
	err := tx.QueryRow("SELECT v FROM dash_state WHERE k = 'refold'").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p refoldPlan
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return nil, nil // unreadable: plan again
	}
	return &p, nil
}

func savePlan(tx *db.Tx, p *refoldPlan) error {
	if p == nil {
		_, err := tx.Exec("DELETE FROM dash_state WHERE k = 'refold'")
		return err
	}
	b, _ := json.Marshal(p)
	_, err := tx.Exec(`INSERT INTO dash_state(k, v) VALUES('refold', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`, string(b))
	return err
}

// planRefold lists the local days holding rolled events with seq in (wm, hi].
func (s *Service) planRefold(tx *db.Tx, loc *time.Location, wm, hi int64) (*refoldPlan, error) {
	days := map[string]bool{}
	if wm == 0 {
		// The whole log: every day from the first to the last rolled event.
		var lo, top int64 = -1, -1
		for _, t := range rolled {
			var mn, mx sql.NullInt64
			if err := tx.QueryRow("SELECT min(at), max(at) FROM events WHERE type = ?", t).Scan(&mn, &mx); err != nil {
				return nil, err
			}
			if mn.Valid && (lo < 0 || mn.Int64 < lo) {
				lo = mn.Int64
			}
			if mx.Valid && mx.Int64 > top {
				top = mx.Int64
			}
		}
		if lo >= 0 {
			t0 := time.UnixMilli(lo).In(loc)
			d := time.Date(t0.Year(), t0.Month(), t0.Day(), 0, 0, 0, 0, loc)
			for ; d.UnixMilli() <= top; d = d.AddDate(0, 0, 1) {
				days[d.Format(time.DateOnly)] = true
			}
		}
	} else {
		// Quarter hours (every zone offset is a multiple of 15 minutes) of the backlog.
		rows, err := tx.Query(`SELECT DISTINCT at / 900000 FROM events WHERE seq > ? AND seq <= ? AND type IN ('`+
			strings.Join(rolled, "','")+`')`, wm, hi)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var q int64
			if err := rows.Scan(&q); err != nil {
				rows.Close()
				return nil, err
			}
			days[time.UnixMilli(q*900000).In(loc).Format(time.DateOnly)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	p := &refoldPlan{Hi: hi}
	for d := range days {
		p.Days = append(p.Days, d)
	}
	sort.Strings(p.Days)
	return p, nil
}

// refoldStep recounts the next days of the plan and returns how many days are left.
func (s *Service) refoldStep(tx *db.Tx, loc *time.Location, p *refoldPlan) (int64, error) {
	n := min(refoldDaysPerTx, len(p.Days))
	months := map[string]bool{}
	for _, day := range p.Days[:n] {
		if err := recountEventDay(tx, loc, day, p.Hi); err != nil {
			return 0, err
		}
		months[day[:7]] = true
	}
	for m := range months {
		if err := recountMonth(tx, m); err != nil {
			return 0, err
		}
	}
	p.Days = p.Days[n:]
	if len(p.Days) > 0 {
		return int64(len(p.Days)), savePlan(tx, p)
	}
	if err := savePlan(tx, nil); err != nil {
		return 0, err
	}
	_, err := tx.Exec(`INSERT INTO dash_state(k, v) VALUES('seq', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`, strconv.FormatInt(p.Hi, 10))
	return 0, err
}

// recountEventDay replaces the dash_daily and daily dash_top rows of one local day by
// aggregates of its events with seq <= hi.
func recountEventDay(tx *db.Tx, loc *time.Location, day string, hi int64) error {
	t, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return err
	}
	from, to := t.UnixMilli(), t.AddDate(0, 0, 1).UnixMilli()
	if _, err := tx.Exec(`DELETE FROM dash_daily WHERE metric IN ('`+strings.Join(rolled, "','")+`') AND day = ?`, day); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM dash_top WHERE kind IN ('`+strings.Join(topKinds, "','")+`') AND day = ?`, day); err != nil {
		return err
	}
	// One pass over each type's events of the day (the (type, at) index, then the rows):
	// counts, distinct contacts and the top lists are summed in Go.
	q := `SELECT contact_id, coalesce(url, ''), coalesce(referrer, ''), coalesce(object_id, ''), coalesce(object_name, '')
		FROM events ` + tx.IndexedBy("events_type") + ` WHERE type = ? AND at >= ? AND at < ? AND seq <= ?`
	top := map[topKey]*topVal{}
	addKey := func(kind, key, label string) {
		k := topKey{kind, day, key}
		v := top[k]
		if v == nil {
			v = &topVal{}
			top[k] = v
		}
		v.n++
		v.label = label
	}
	for _, typ := range rolled {
		rows, err := tx.Query(q, typ, from, to, hi)
		if err != nil {
			return err
		}
		var n int64
		seen := map[string]bool{}
		for rows.Next() {
			var contact, url, ref, objID, objName string
			if err := rows.Scan(&contact, &url, &ref, &objID, &objName); err != nil {
				rows.Close()
				return err
			}
			n++
			seen[contact] = true
			switch typ {
			case "page.hit":
				if url != "" {
					addKey("page", url, url)
				}
				if h := referrerHost(ref); h != "" {
					addKey("referrer", h, h)
				}
			case "email.sent", "email.read", "email.clicked":
				key := objID
				if key == "" {
					key = objName
				}
				if key != "" {
					label := objName
					if label == "" {
						label = key
					}
					addKey(typ, key, label)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		if _, err := tx.Exec(`INSERT INTO dash_daily(metric, day, n, u) VALUES(?, ?, ?, ?)`, typ, day, n, len(seen)); err != nil {
			return err
		}
	}
	for k, v := range top {
		if _, err := tx.Exec(`INSERT INTO dash_top(kind, day, key, label, n) VALUES(?, ?, ?, ?, ?)`, k.kind, k.day, k.key, v.label, v.n); err != nil {
			return err
		}
	}
	return nil
}

// recountMonth rebuilds the monthly dash_top rows of month (YYYY-MM) from its daily rows.
func recountMonth(tx *db.Tx, month string) error {
	for _, kind := range topKinds {
		if _, err := tx.Exec(`DELETE FROM dash_top WHERE kind = ? AND day = ?`, "m:"+kind, month); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO dash_top(kind, day, key, label, n)
			SELECT ?, ?, key, max(label), sum(n) FROM dash_top WHERE kind = ? AND day >= ? AND day <= ? GROUP BY key`,
			"m:"+kind, month, kind, month+"-01", month+"-31"); err != nil {
			return err
		}
	}
	return nil
}

// DayCounts gives the events of one rolled type per UTC day (Unix ms / 86400000) over
// [from, to) from dash_daily — for reports, whose days are UTC. ok is false unless the
// app's zone is UTC and the rollup holds every event (no backlog, no recount in progress).
func (s *Service) DayCounts(ctx context.Context, eventType string, from, to int64) (map[int64]int64, bool, error) {
	loc := s.loc()
	if loc.String() != "UTC" || !slices.Contains(rolled, eventType) {
		return nil, false, nil
	}
	var top sql.NullInt64
	if err := s.db.R.QueryRowContext(ctx, "SELECT max(seq) FROM events").Scan(&top); err != nil {
		return nil, false, err
	}
	wm, tz, err := s.state(ctx, s.db.R)
	if err != nil || tz != zoneTag(loc) || wm < top.Int64 {
		return nil, false, err
	}
	var planned int
	if err := s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM dash_state WHERE k = 'refold'").Scan(&planned); err != nil || planned > 0 {
		return nil, false, err
	}
	day := func(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.DateOnly) }
	rows, err := s.db.R.QueryContext(ctx, "SELECT day, n FROM dash_daily WHERE metric = ? AND day >= ? AND day < ?", eventType, day(from), day(to))
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var d string
		var n int64
		if err := rows.Scan(&d, &n); err != nil {
			return nil, false, err
		}
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return nil, false, err
		}
		out[t.UnixMilli()/dayMs] = n
	}
	return out, rows.Err() == nil, rows.Err()
}
