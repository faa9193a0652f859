package dashboard

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"magpie/backend/db"
)

// The contacts rollup (dash_cdaily, migration 0080) counts contacts by local creation day
// and by one dimension at a time: identified or not, country, points band, stage. The
// write path marks the UTC creation day of every contact whose counted attributes change
// (SQLite triggers on contacts, inside the writing transaction, so every path — services,
// imports, sync, raw bulk loads — marks it and a crash loses no mark); the catch-up
// recounts every local day touching a marked UTC day from the index
// dash_contacts_added and clears the marks in the same transaction.

// contactDaysPerTx is how many local days one contacts catch-up transaction recounts.
const contactDaysPerTx = 64

// bands are the points funnel's thresholds (the band of a contact is the highest it reached).
var bands = []int64{100, 50, 25, 1}

func band(points int64) string {
	for _, b := range bands {
		if points >= b {
			return strconv.FormatInt(b, 10)
		}
	}
	return "0"
}

const dayMs = 86400000

// contactsPending returns how many UTC days of contacts are marked for recounting, and
// whether the rollup is built in the current zone at all.
func (s *Service) contactsPending(ctx context.Context, q queryer) (int64, bool, error) {
	var tz string
	err := q.QueryRowContext(ctx, "SELECT v FROM dash_state WHERE k = 'contacts'").Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	var n int64
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM dash_cdirty").Scan(&n); err != nil {
		return 0, false, err
	}
	return n, tz == zoneTag(s.loc()), nil
}

// contactsReady says whether the contact widgets can read dash_cdaily: built in the current
// zone with nothing left to recount. Otherwise they count the contacts themselves.
func (s *Service) contactsReady(ctx context.Context) bool {
	if s.liveContacts {
		return false
	}
	n, built, err := s.contactsPending(ctx, s.db.R)
	return err == nil && built && n == 0
}

// foldContacts recounts up to contactDaysPerTx local days of marked contacts in tx; did
// says whether it had anything to do, left how many marked UTC days remain.
func (s *Service) foldContacts(tx *db.Tx) (did bool, left int64, err error) {
	loc := s.loc()
	var tz string
	err = tx.QueryRow("SELECT v FROM dash_state WHERE k = 'contacts'").Scan(&tz)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, 0, err
	}
	if tz != zoneTag(loc) {
		// First build, or the zone changed: every creation day is recounted.
		for _, q := range []string{"DELETE FROM dash_cdaily", "DELETE FROM dash_cdirty",
			`INSERT OR IGNORE INTO dash_cdirty(uday) SELECT DISTINCT date_added / 86400000 FROM contacts ` + tx.IndexedBy("dash_contacts_added") + ` WHERE deleted = 0`} {
			if _, err := tx.Exec(q); err != nil {
				return false, 0, err
			}
		}
		if _, err := tx.Exec(`INSERT INTO dash_state(k, v) VALUES('contacts', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`, zoneTag(loc)); err != nil {
			return false, 0, err
		}
	}
	rows, err := tx.Query("SELECT uday FROM dash_cdirty ORDER BY uday LIMIT ?", contactDaysPerTx)
	if err != nil {
		return false, 0, err
	}
	var udays []int64
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return false, 0, err
		}
		udays = append(udays, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, 0, err
	}
	if len(udays) == 0 {
		return false, 0, nil
	}
	// The local days overlapping each marked UTC day (at most two).
	days := map[string]bool{}
	for _, u := range udays {
		days[time.UnixMilli(u*dayMs).In(loc).Format(time.DateOnly)] = true
		days[time.UnixMilli(u*dayMs+dayMs-1).In(loc).Format(time.DateOnly)] = true
	}
	for day := range days {
		if err := s.recountContactDay(tx, loc, day); err != nil {
			return false, 0, err
		}
	}
	last := udays[len(udays)-1]
	if _, err := tx.Exec("DELETE FROM dash_cdirty WHERE uday <= ?", last); err != nil {
		return false, 0, err
	}
	if err := tx.QueryRow("SELECT count(*) FROM dash_cdirty").Scan(&left); err != nil {
		return false, 0, err
	}
	return true, left, nil
}

// recountContactDay replaces the rollup rows of one local day by a count of its contacts.
func (s *Service) recountContactDay(tx *db.Tx, loc *time.Location, day string) error {
	t, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return err
	}
	from, to := t.UnixMilli(), t.AddDate(0, 0, 1).UnixMilli()
	if _, err := tx.Exec("DELETE FROM dash_cdaily WHERE dim IN ('id', 'country', 'band', 'stage') AND day = ?", day); err != nil {
		return err
	}
	rows, err := tx.Query(`SELECT date_identified IS NOT NULL, coalesce(country, ''), points, coalesce(stage_id, ''), count(*)
		FROM contacts `+tx.IndexedBy("dash_contacts_added")+` WHERE deleted = 0 AND date_added >= ? AND date_added < ?
		GROUP BY 1, 2 COLLATE NOCASE, 3, 4`, from, to)
	if err != nil {
		return err
	}
	type dk struct{ dim, key string }
	counts := map[dk]int64{}
	spelling := map[string]string{} // one spelling per country, case aside (the first seen)
	for rows.Next() {
		var ident bool
		var country, stage string
		var points, n int64
		if err := rows.Scan(&ident, &country, &points, &stage, &n); err != nil {
			rows.Close()
			return err
		}
		counts[dk{"id", map[bool]string{true: "1", false: "0"}[ident]}] += n
		low := strings.ToLower(country)
		if _, ok := spelling[low]; !ok {
			spelling[low] = country
		}
		counts[dk{"country", spelling[low]}] += n
		counts[dk{"band", band(points)}] += n
		if stage != "" {
			counts[dk{"stage", stage}] += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for k, n := range counts {
		if _, err := tx.Exec("INSERT INTO dash_cdaily(dim, day, key, n) VALUES(?, ?, ?, ?)", k.dim, day, k.key, n); err != nil {
			return err
		}
	}
	return nil
}
