package segments

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/ids"
)

// Manual membership (MAUTIC.md §3.8 with fix Q9) is kept twice:
//
//   - segment_manual (synced, per-row last-writer-wins): the user's decision per (segment,
//     contact): "added", "removed", or "" when a removal lapsed (Q8). A removal is a state,
//     never a delete, so two desktops that add and remove the same contact offline converge
//     on the later decision.
//   - segment_members.manually_added/manually_removed (local): the materialisation every
//     reader uses. Local edits write both in one transaction; a teammate's edit arrives as a
//     segment_manual change, the commit hook queues its contact, and the live evaluation
//     (reconcileManual) brings segment_members in line before applying the filters.

func init() {
	db.Declare(db.Table{Name: "segment_manual", Synced: true})
}

// Manual states of segment_manual.
const (
	ManualAdded   = "added"
	ManualRemoved = "removed"
	ManualNone    = ""
)

func manualID(segID, cid string) string { return ids.Derived("segment_manual", segID, cid) }

// setManualState records a manual decision (synced); it writes nothing when the row already
// holds that state.
func setManualState(tx *db.Tx, segID, cid, state string) error {
	id := manualID(segID, cid)
	var cur string
	var deleted bool
	err := tx.QueryRow("SELECT state, deleted FROM segment_manual WHERE id = ?", id).Scan(&cur, &deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if state == ManualNone {
			return nil
		}
		return tx.Insert("segment_manual", id, db.Cols{"segment_id": segID, "contact_id": cid, "state": state, "date_modified": tx.NowMs()})
	case err != nil:
		return err
	case cur == state && !deleted:
		return nil
	}
	cols := db.Cols{"state": state, "date_modified": tx.NowMs()}
	if deleted {
		cols["deleted"], cols["deleted_at"] = 0, nil
	}
	_, err = tx.Update("segment_manual", id, cols)
	return err
}

// lapseManual clears a manual removal whose contact stopped matching (Q8: it may be added
// again by the filters later); legacy rows without a manual record are left alone.
func lapseManual(tx *db.Tx, segID, cid string) error {
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM segment_manual WHERE id = ? AND state = ?", manualID(segID, cid), ManualRemoved).Scan(&n); err != nil || n == 0 {
		return err
	}
	return setManualState(tx, segID, cid, ManualNone)
}

// inconsistent selects segment_manual rows whose materialisation in segment_members differs
// (contacts that exist locally, segments not in the trash).
const inconsistent = `SELECT sm.segment_id, sm.contact_id, sm.state, m.manually_added IS NOT NULL, coalesce(m.manually_added, 0), coalesce(m.manually_removed, 0)
	FROM segment_manual sm
	JOIN segments g ON g.id = sm.segment_id AND g.deleted = 0
	JOIN contacts c ON c.id = sm.contact_id
	LEFT JOIN segment_members m ON m.segment_id = sm.segment_id AND m.contact_id = sm.contact_id
	WHERE sm.deleted = 0 AND NOT CASE sm.state
		WHEN 'added' THEN coalesce(m.manually_added, 0) = 1
		WHEN 'removed' THEN coalesce(m.manually_removed, 0) = 1
		ELSE coalesce(m.manually_added, 0) = 0 AND coalesce(m.manually_removed, 0) = 0 END AND `

// reconcileManual materialises the manual states of the given contacts (where, args select
// them: "sm.contact_id IN (…)" or "sm.segment_id = ?"); it returns how many memberships
// changed.
func reconcileManual(tx *db.Tx, where string, args ...any) (int, error) {
	rows, err := tx.Query(inconsistent+where, args...)
	if err != nil {
		return 0, err
	}
	type fix struct {
		seg, cid, state string
		exists          bool
		ma, mr          int
	}
	var fixes []fix
	for rows.Next() {
		var f fix
		if err := rows.Scan(&f.seg, &f.cid, &f.state, &f.exists, &f.ma, &f.mr); err != nil {
			rows.Close()
			return 0, err
		}
		fixes = append(fixes, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	changed := 0
	for _, f := range fixes {
		var q string
		var typ events.Type
		delta := 0
		switch {
		case f.state == ManualAdded && !f.exists:
			q, typ, delta = "INSERT INTO segment_members(segment_id, contact_id, date_added, manually_added, manually_removed) VALUES(?1, ?2, ?3, 1, 0)", events.SegmentAdded, 1
		case f.state == ManualAdded:
			q = "UPDATE segment_members SET manually_added = 1, manually_removed = 0 WHERE segment_id = ?1 AND contact_id = ?2"
			if f.mr == 1 {
				typ, delta = events.SegmentAdded, 1
			}
		case f.state == ManualRemoved && !f.exists:
			q = "INSERT INTO segment_members(segment_id, contact_id, date_added, manually_added, manually_removed) VALUES(?1, ?2, ?3, 0, 1)"
		case f.state == ManualRemoved:
			q, typ, delta = "UPDATE segment_members SET manually_added = 0, manually_removed = 1 WHERE segment_id = ?1 AND contact_id = ?2", events.SegmentRemoved, -1
		case f.mr == 1: // a lapsed removal: the filters decide again
			q = "DELETE FROM segment_members WHERE segment_id = ?1 AND contact_id = ?2"
		default:
			q = "UPDATE segment_members SET manually_added = 0 WHERE segment_id = ?1 AND contact_id = ?2"
		}
		args := []any{f.seg, f.cid}
		if strings.HasPrefix(q, "INSERT") {
			args = append(args, tx.NowMs())
		}
		if _, err := tx.Exec(q, args...); err != nil {
			return changed, err
		}
		if typ != "" {
			if _, err := events.Append(tx, events.Event{ContactID: f.cid, Type: typ, ObjectID: f.seg, Source: "manual"}); err != nil {
				return changed, err
			}
		}
		if delta != 0 {
			changed++
			if _, err := tx.Exec("UPDATE segment_builds SET members = max(members + ?, 0) WHERE segment_id = ?", delta, f.seg); err != nil {
				return changed, err
			}
			tx.Signal(Topic+"s", f.seg)
		}
	}
	return changed, nil
}

// backfillManual records, once, the manual flags stored before segment_manual existed, so
// they reach teammates.
func (s *Service) backfillManual(ctx context.Context) error {
	if v, err := s.db.Meta(ctx, "segments.manual_backfilled"); err != nil || v == "yes" {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(`SELECT m.segment_id, m.contact_id, m.manually_added FROM segment_members m
			WHERE (m.manually_added = 1 OR m.manually_removed = 1) AND NOT EXISTS
			(SELECT 1 FROM segment_manual sm WHERE sm.segment_id = m.segment_id AND sm.contact_id = m.contact_id)`)
		if err != nil {
			return err
		}
		type rec struct {
			seg, cid string
			added    bool
		}
		var recs []rec
		for rows.Next() {
			var r rec
			if err := rows.Scan(&r.seg, &r.cid, &r.added); err != nil {
				rows.Close()
				return err
			}
			recs = append(recs, r)
		}
		rows.Close()
		for _, r := range recs {
			state := ManualRemoved
			if r.added {
				state = ManualAdded
			}
			if err := setManualState(tx, r.seg, r.cid, state); err != nil {
				return err
			}
		}
		return tx.SetMeta("segments.manual_backfilled", "yes")
	})
}

// AddManual adds contacts by hand (Mautic's addLead with manual=true): a manually removed
// row becomes a manual member again; an existing member is left as is.
func (s *Service) AddManual(ctx context.Context, segID string, contactIDs []string) (int, error) {
	return s.manual(ctx, segID, contactIDs, true)
}

// RemoveManual removes contacts by hand. A filter-added member gets manually_removed = 1
// (kept out while it matches); a manually added member too (fix Q9: sticky, #16087).
func (s *Service) RemoveManual(ctx context.Context, segID string, contactIDs []string) (int, error) {
	return s.manual(ctx, segID, contactIDs, false)
}

func (s *Service) manual(ctx context.Context, segID string, contactIDs []string, add bool) (int, error) {
	if _, _, deleted, err := s.tree(ctx, segID); err != nil {
		return 0, err
	} else if deleted {
		return 0, apperr.Invalidf("segments.errors.trashed", map[string]any{"id": segID}, "segment %s is in the trash", segID)
	}
	changed := 0
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		for _, cid := range contactIDs {
			ok, err := manualOne(tx, segID, cid, add)
			if err != nil {
				return err
			}
			if ok {
				changed++
				tx.Signal(Topic, cid)
			}
		}
		if changed > 0 {
			_, err := tx.Exec(`UPDATE segment_builds SET members = (SELECT count(*) FROM segment_members m JOIN contacts c ON c.id = m.contact_id AND c.deleted = 0
				WHERE m.segment_id = ?1 AND m.manually_removed = 0) WHERE segment_id = ?1`, segID)
			tx.Signal(Topic+"s", segID)
			return err
		}
		return nil
	})
	return changed, err
}

// manualOne applies the state machine of MAUTIC.md §3.8 (with Q9) to one contact and
// records the decision in segment_manual (synced).
func manualOne(tx *db.Tx, segID, cid string, add bool) (bool, error) {
	var ma, mr int
	err := tx.QueryRow("SELECT manually_added, manually_removed FROM segment_members WHERE segment_id = ? AND contact_id = ?", segID, cid).Scan(&ma, &mr)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	var live int
	if err := tx.QueryRow("SELECT count(*) FROM contacts WHERE id = ? AND deleted = 0", cid).Scan(&live); err != nil {
		return false, err
	}
	if live == 0 {
		return false, apperr.NotFoundf("contacts.errors.notFound", map[string]any{"id": cid}, "no contact %q", cid)
	}
	var typ events.Type
	state := ManualAdded
	switch {
	case add && !exists:
		_, err = tx.Exec("INSERT INTO segment_members(segment_id, contact_id, date_added, manually_added, manually_removed) VALUES(?, ?, ?, 1, 0)", segID, cid, tx.NowMs())
		typ = events.SegmentAdded
	case add && mr == 1:
		_, err = tx.Exec("UPDATE segment_members SET manually_added = 1, manually_removed = 0 WHERE segment_id = ? AND contact_id = ?", segID, cid)
		typ = events.SegmentAdded
	case !add && exists && mr == 0:
		_, err = tx.Exec("UPDATE segment_members SET manually_added = 0, manually_removed = 1 WHERE segment_id = ? AND contact_id = ?", segID, cid)
		typ, state = events.SegmentRemoved, ManualRemoved
	default:
		return false, nil // already a member / not a member: no change
	}
	if err != nil {
		return false, err
	}
	if err := setManualState(tx, segID, cid, state); err != nil {
		return false, err
	}
	_, err = events.Append(tx, events.Event{ContactID: cid, Type: typ, ObjectID: segID, Source: "manual"})
	return true, err
}

// contactIn is the reconcileManual condition for a batch of contacts.
func contactIn(n int) string {
	return "sm.contact_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}
