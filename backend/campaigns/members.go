package campaigns

import (
	"context"
	"fmt"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/segments"
)

// prepTemp creates (once per connection) and empties the engine's temp tables.
func prepTemp(tx *db.Tx) error {
	for _, q := range []string{
		"CREATE TEMP TABLE IF NOT EXISTS camp_cand(contact_id TEXT PRIMARY KEY) WITHOUT ROWID",
		"CREATE TEMP TABLE IF NOT EXISTS camp_batch(log_id INTEGER PRIMARY KEY, contact_id TEXT NOT NULL, rotation INTEGER NOT NULL, ref_at INTEGER NOT NULL, ok INTEGER NOT NULL DEFAULT 1, reason TEXT)",
		"DELETE FROM camp_cand", "DELETE FROM camp_batch",
	} {
		if _, err := tx.Exec(q); err != nil {
			return err
		}
	}
	return nil
}

// prepCand empties camp_cand only (hooks may run inside a runner batch).
func prepCand(tx *db.Tx) error {
	if _, err := tx.Exec("CREATE TEMP TABLE IF NOT EXISTS camp_cand(contact_id TEXT PRIMARY KEY) WITHOUT ROWID"); err != nil {
		return err
	}
	_, err := tx.Exec("DELETE FROM camp_cand")
	return err
}

// addMembers adds the contacts of camp_cand to campaign c by Mautic's rules (§4.5) and
// schedules the root events of every member that starts a rotation. manual: a user, a form
// or a campaign action adds them (never removed by a rebuild). It returns how many entered.
func addMembers(tx *db.Tx, c *compiled, manual bool) (int, error) {
	now := tx.NowMs()
	k, err := campaignKey(tx, c.id)
	if err != nil {
		return 0, err
	}
	// Existing rows that may restart: removed (by a rebuild, or by a user when this add is
	// manual) and restartable or manually re-added; active rows only by a manual add of a
	// restartable campaign.
	restart := `UPDATE campaign_members SET manually_removed = 0, date_last_exited = NULL, rotation = rotation + 1,
		manually_added = max(manually_added, ?), date_added = ?
		WHERE campaign_key = ? AND contact_id IN (SELECT contact_id FROM camp_cand) AND `
	var cond []string
	if c.allowRestart || manual {
		// removed rows: a user removal (date_last_exited NULL) blocks automatic re-adds
		if manual {
			cond = append(cond, "manually_removed = 1")
		} else {
			cond = append(cond, "(manually_removed = 1 AND date_last_exited IS NOT NULL)")
		}
	}
	if c.allowRestart && manual {
		cond = append(cond, "manually_removed = 0")
	}
	var restarted int64
	if len(cond) > 0 {
		r, err := tx.Exec(restart+"("+strings.Join(cond, " OR ")+")", manual, now, k)
		if err != nil {
			return 0, err
		}
		restarted, _ = r.RowsAffected()
	}
	// New members: their root events are scheduled from camp_cand first, then their rows
	// are inserted already started (one write per member, no started update after it).
	if err := fanout(tx, c, c.children("", ""), freshSrc, []any{now, k}); err != nil {
		return 0, err
	}
	r, err := tx.Exec(`INSERT INTO campaign_members(campaign_key, contact_id, date_added, manually_added, rotation, started)
		SELECT ?, x.contact_id, ?, ?, 1, 1 FROM camp_cand x
		WHERE NOT EXISTS (SELECT 1 FROM campaign_members m WHERE m.campaign_key = ? AND m.contact_id = x.contact_id)`,
		k, now, manual, k)
	if err != nil {
		return 0, err
	}
	n, _ := r.RowsAffected()
	entered := restarted + n
	if restarted > 0 {
		if err := kickoff(tx, c, k); err != nil {
			return 0, err
		}
	}
	if entered > 0 {
		// Segments filtering on campaign membership follow live.
		if err := segments.CampaignMembershipChanged(tx, "SELECT contact_id FROM camp_cand"); err != nil {
			return 0, err
		}
	}
	return int(entered), nil
}

// freshSrc selects the candidates of camp_cand that are not members yet (rotation 1, the
// entry time as reference) of the campaign keyed ?2: addMembers schedules their root
// events just before inserting their rows.
const freshSrc = `SELECT x.contact_id, 1 AS rotation, ? AS ref_at FROM camp_cand x
		WHERE NOT EXISTS (SELECT 1 FROM campaign_members m WHERE m.campaign_key = ? AND m.contact_id = x.contact_id)`

// kickoff schedules the root events for the members of camp_cand (those addMembers just
// restarted) that have not started their rotation in c (keyed k). Members enter only through
// addMembers, which kicks them off in the same transaction, so no other member is waiting
// to start; kickoffAll, the whole campaign's scan, is SyncMembers' safety net.
func kickoff(tx *db.Tx, c *compiled, k int64) error {
	if err := fanout(tx, c, c.children("", ""), kickoffSrc, []any{k}); err != nil {
		return err
	}
	_, err := tx.Exec(`UPDATE campaign_members SET started = rotation WHERE campaign_key = ? AND manually_removed = 0 AND started < rotation
		AND contact_id IN (SELECT contact_id FROM camp_cand)`, k)
	return err
}

// kickoffSrc selects the members of camp_cand that start a rotation; CROSS JOIN keeps
// camp_cand the outer loop (a look-up per candidate, not a walk of the whole membership:
// TestEntryPlansPerCandidate).
const kickoffSrc = `SELECT m.contact_id, m.rotation, m.date_added AS ref_at FROM camp_cand x
		CROSS JOIN campaign_members m ON m.campaign_key = ? AND m.contact_id = x.contact_id
		WHERE m.manually_removed = 0 AND m.started < m.rotation`

// kickoffAll is kickoff for every member of c that has not started its rotation.
func kickoffAll(tx *db.Tx, c *compiled) error {
	k, err := campaignKey(tx, c.id)
	if err != nil {
		return err
	}
	src := `SELECT contact_id, rotation, date_added AS ref_at FROM campaign_members
		WHERE campaign_key = ? AND manually_removed = 0 AND started < rotation`
	if err := fanout(tx, c, c.children("", ""), src, []any{k}); err != nil {
		return err
	}
	_, err = tx.Exec("UPDATE campaign_members SET started = rotation WHERE campaign_key = ? AND manually_removed = 0 AND started < rotation", k)
	return err
}

// removeMembers takes the contacts of camp_cand out of campaign id and cancels their
// pending steps. manual: removed by a user (Mautic leaves date_last_exited NULL, which
// blocks automatic re-entry).
func removeMembers(tx *db.Tx, id string, manual bool) (int, error) {
	var exited any = tx.NowMs()
	if manual {
		exited = nil
	}
	r, err := tx.Exec(`UPDATE campaign_members SET manually_removed = 1, manually_added = 0, date_last_exited = ?
		WHERE campaign_key = `+keyOf+` AND manually_removed = 0 AND contact_id IN (SELECT contact_id FROM camp_cand)`, exited, id)
	if err != nil {
		return 0, err
	}
	n, _ := r.RowsAffected()
	if n > 0 {
		if _, err := setStatus(tx, "status = 'canceled', reason = 'removed from the campaign', done_at = ?", []any{tx.NowMs()},
			"contact_id IN (SELECT contact_id FROM camp_cand) AND step IN ("+campaignSteps+") AND status IN ('scheduled', 'waiting')",
			id); err != nil {
			return 0, err
		}
		tx.Signal("campaign_log", id)
		tx.Signal(countsTopic, id)
		if err := segments.CampaignMembershipChanged(tx, "SELECT contact_id FROM camp_cand"); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}

// fanout inserts the log rows of kids for the contacts src selects (contact_id, rotation,
// ref_at): decisions wait, actions and conditions are scheduled from ref_at. Existing rows
// (same contact, event, rotation) are left alone: a step is never logged twice.
func fanout(tx *db.Tx, c *compiled, kids []*Event, src string, args []any) error {
	for _, k := range kids {
		status, trig := stScheduled, triggerSQL(k.Trigger, "s.ref_at")
		if k.Kind == KindDecision {
			status, trig = stWaiting, fmt.Sprint(int64(never))
			if no := shortestNo(c, k.ID, tx.Now()); no != nil {
				trig = triggerSQL(no.Trigger, "s.ref_at")
			}
		} else if restricted(k.Trigger) {
			status = stAdjust
		}
		step, err := stepKey(tx, c.id, k.ID)
		if err != nil {
			return err
		}
		q := `INSERT OR IGNORE INTO campaign_log(step, contact_id, rotation, status, trigger_at, ref_at)
			SELECT ?, s.contact_id, s.rotation, ?, ` + trig + `, s.ref_at FROM (` + src + `) s`
		res, err := tx.Exec(q, append([]any{step, status}, args...)...)
		if err != nil {
			return fmt.Errorf("campaigns: schedule %s: %w", k.ID, err)
		}
		// Every inserted row has k's event and this status: counted without reading the
		// rows back (INSERT OR IGNORE reports only the rows it inserted).
		n, _ := res.RowsAffected()
		if err := addCount(tx, step, status, n); err != nil {
			return err
		}
		if status == stAdjust {
			if err := adjust(tx, step, k); err != nil {
				return err
			}
		}
	}
	if len(kids) > 0 {
		tx.Signal("campaign_log", c.id)
		tx.Signal(countsTopic, c.id)
	}
	return nil
}

// adjust computes contact-zone triggers (hour, window, weekdays) for the rows fanout just
// inserted.
func adjust(tx *db.Tx, step int64, k *Event) error {
	rows, err := tx.Query(`SELECT l.id, l.trigger_at, coalesce(c.timezone, '') FROM campaign_log l
		LEFT JOIN contacts c ON c.id = l.contact_id WHERE l.step = ? AND l.status = 'adjust'`, step)
	if err != nil {
		return err
	}
	var upd [][2]int64
	for rows.Next() {
		var id, base int64
		var tz string
		if err := rows.Scan(&id, &base, &tz); err != nil {
			rows.Close()
			return err
		}
		upd = append(upd, [2]int64{id, ms(restrict(time.UnixMilli(base), k.Trigger, zone(tz)))})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range upd {
		if _, err := tx.Exec("UPDATE campaign_log SET status = 'scheduled', trigger_at = ? WHERE id = ?", u[1], u[0]); err != nil {
			return err
		}
	}
	if err := addCount(tx, step, stAdjust, -int64(len(upd))); err != nil {
		return err
	}
	return addCount(tx, step, stScheduled, int64(len(upd)))
}

// shortestNo is the no-path child with the shortest wait (the decision's inactivity moment).
func shortestNo(c *compiled, decision string, now time.Time) *Event {
	var best *Event
	var bd time.Duration
	for _, k := range c.children(decision, "no") {
		d := approxDelay(k.Trigger, now)
		if best == nil || d < bd {
			best, bd = k, d
		}
	}
	return best
}

// AddContacts adds contacts by hand (manual membership; a restartable campaign restarts
// active members). It returns how many entered.
func (s *Service) AddContacts(ctx context.Context, id string, contactIDs []string) (int, error) {
	var n int
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		n, err = AddContactsTx(tx, id, contactIDs)
		return err
	})
	s.Wake()
	return n, err
}

// AddContactsTx is AddContacts inside the caller's transaction (point triggers); the
// runner picks the new members' first steps up on its next pass.
func AddContactsTx(tx *db.Tx, id string, contactIDs []string) (int, error) {
	c, err := load(txQuerier{tx}, id)
	if err != nil {
		return 0, err
	}
	if c == nil {
		return 0, apperr.Invalidf("campaigns.errors.notPublished", map[string]any{"id": id}, "campaign %q is not published", id)
	}
	if err := fillCand(tx, contactIDs); err != nil {
		return 0, err
	}
	return addMembers(tx, c, true)
}

// RemoveContacts takes contacts out by hand; they do not re-enter automatically.
func (s *Service) RemoveContacts(ctx context.Context, id string, contactIDs []string) (int, error) {
	var n int
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		n, err = RemoveContactsTx(tx, id, contactIDs)
		return err
	})
	return n, err
}

// RemoveContactsTx is RemoveContacts inside the caller's transaction.
func RemoveContactsTx(tx *db.Tx, id string, contactIDs []string) (int, error) {
	if err := fillCand(tx, contactIDs); err != nil {
		return 0, err
	}
	return removeMembers(tx, id, true)
}

func fillCand(tx *db.Tx, contactIDs []string) error {
	if err := prepTemp(tx); err != nil {
		return err
	}
	rows := make([][]any, 0, len(contactIDs))
	for _, cid := range contactIDs {
		rows = append(rows, []any{cid})
	}
	if len(rows) == 0 {
		return nil
	}
	if err := tx.ExecMany("INSERT OR IGNORE INTO camp_cand(contact_id)", "", 1, rows); err != nil {
		return err
	}
	// Only live contacts.
	_, err := tx.Exec("DELETE FROM camp_cand WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = camp_cand.contact_id AND c.deleted = 0)")
	return err
}
