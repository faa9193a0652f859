package points

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/ids"
)

// ScoreID is the row id of a contact's score in a group (the same on every desktop).
func ScoreID(contactID, groupID string) string {
	return ids.Derived("point_group_score", contactID, groupID)
}

// change adds delta to the contact's main points (group "") through contacts.Ops, or to its
// score in a group, and appends the points.changed event that carries reason and data.
func change(tx *db.Tx, contactID string, delta int64, group, groupName, reason, source string, data map[string]any) error {
	if group == "" {
		return contacts.NewOps(tx, source).AdjustPointsWith(contactID, delta, reason, data)
	}
	var live int
	if err := tx.QueryRow("SELECT count(*) FROM contacts WHERE id = ? AND deleted = 0", contactID).Scan(&live); err != nil {
		return err
	}
	if live == 0 {
		return fmt.Errorf("%w: %s", contacts.ErrNotFound, contactID)
	}
	id := ScoreID(contactID, group)
	var score int64
	var deleted bool
	err := tx.QueryRow("SELECT score, deleted FROM point_group_scores WHERE id = ?", id).Scan(&score, &deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		score = delta
		err = tx.Insert("point_group_scores", id, db.Cols{"contact_id": contactID, "group_id": group, "score": score, "date_modified": tx.NowMs()})
	case err != nil:
		return err
	default:
		if deleted {
			score = 0
			if _, err := tx.Restore("point_group_scores", id); err != nil {
				return err
			}
		}
		score += delta
		_, err = tx.Update("point_group_scores", id, db.Cols{"score": score, "date_modified": tx.NowMs()})
	}
	if err != nil {
		return err
	}
	d := map[string]any{}
	for k, v := range data {
		d[k] = v
	}
	d["delta"], d["score"], d["group"], d["groupName"] = delta, score, group, groupName
	_, err = events.Append(tx, events.Event{ContactID: contactID, Type: events.PointsChanged, Source: source,
		ObjectID: group, ObjectName: reason, Data: d})
	return err
}

// Adjust changes a contact's points by hand (the contact page, the CLI): group "" is the
// main score, else a group id or name. Triggers react as to any other change.
func (s *Service) Adjust(ctx context.Context, contactID string, delta int64, group, reason, source string) error {
	if delta == 0 {
		return fieldErr("delta", "points.errors.deltaZero", "must not be 0")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = "manual adjustment"
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		gid, gname := "", ""
		if group != "" {
			err := tx.QueryRow("SELECT id, name FROM point_groups WHERE (id = ? OR name = ?) AND deleted = 0 LIMIT 1", group, group).Scan(&gid, &gname)
			if errors.Is(err, sql.ErrNoRows) {
				return fieldErr("group", "points.errors.noGroup", fmt.Sprintf("no point group %q", group))
			}
			if err != nil {
				return err
			}
		}
		err := change(tx, contactID, delta, gid, gname, reason, source, map[string]any{"manual": true})
		if errors.Is(err, contacts.ErrNotFound) {
			return apperr.NotFoundf("contacts.errors.notFound", map[string]any{"id": contactID}, "no contact %q", contactID)
		}
		return err
	})
}

// Score is a contact's score in one group.
type Score struct {
	GroupID   string `json:"groupId"`
	GroupName string `json:"groupName"`
	Score     int64  `json:"score"`
}

// ContactScores returns a contact's scores in the live groups (0 where it has none).
func (s *Service) ContactScores(ctx context.Context, contactID string) ([]Score, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT g.id, g.name, coalesce(sc.score, 0) FROM point_groups g
		LEFT JOIN point_group_scores sc ON sc.group_id = g.id AND sc.contact_id = ? AND sc.deleted = 0
		WHERE g.deleted = 0 ORDER BY g.name, g.id`, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Score{}
	for rows.Next() {
		var sc Score
		if err := rows.Scan(&sc.GroupID, &sc.GroupName, &sc.Score); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// mergeScores adds the merged-away contact's group scores to the survivor's (points are
// summed on merge, as Mautic) and keeps the once-only logs so nothing fires twice.
func mergeScores(tx *db.Tx, winner, loser string) error {
	rows, err := tx.Query("SELECT group_id, score FROM point_group_scores WHERE contact_id = ? AND deleted = 0", loser)
	if err != nil {
		return err
	}
	type gs struct {
		g string
		n int64
	}
	var list []gs
	for rows.Next() {
		var x gs
		if err := rows.Scan(&x.g, &x.n); err != nil {
			rows.Close()
			return err
		}
		list = append(list, x)
	}
	rows.Close()
	for _, x := range list {
		wid := ScoreID(winner, x.g)
		var cur int64
		var del bool
		err := tx.QueryRow("SELECT score, deleted FROM point_group_scores WHERE id = ?", wid).Scan(&cur, &del)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = tx.Insert("point_group_scores", wid, db.Cols{"contact_id": winner, "group_id": x.g, "score": x.n, "date_modified": tx.NowMs()})
		case err == nil:
			if del {
				cur = 0
				if _, err = tx.Restore("point_group_scores", wid); err != nil {
					return err
				}
			}
			_, err = tx.Update("point_group_scores", wid, db.Cols{"score": cur + x.n, "date_modified": tx.NowMs()})
		}
		if err != nil {
			return err
		}
		if _, err := tx.Delete("point_group_scores", ScoreID(loser, x.g)); err != nil {
			return err
		}
	}
	for _, q := range []string{
		`INSERT INTO point_action_log(action_id, contact_id, n, first_at, last_at)
			SELECT action_id, ?1, n, first_at, last_at FROM point_action_log WHERE contact_id = ?2
			ON CONFLICT(action_id, contact_id) DO UPDATE SET n = n + excluded.n,
			  first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
		`INSERT INTO point_trigger_log(event_id, contact_id, trigger_id, fired_at)
			SELECT event_id, ?1, trigger_id, fired_at FROM point_trigger_log WHERE contact_id = ?2
			ON CONFLICT(event_id, contact_id) DO NOTHING`,
	} {
		if _, err := tx.Exec(q, winner, loser); err != nil {
			return err
		}
	}
	return nil
}

// Fired is a trigger that fired for a contact (the contact page shows its colour, as
// Mautic's contact list does).
type Fired struct {
	TriggerID string `json:"triggerId"`
	Name      string `json:"name"`
	Color     string `json:"color"`
	Points    int64  `json:"points"`
}

// ContactTriggers lists the live triggers that fired for a contact, highest threshold first.
func (s *Service) ContactTriggers(ctx context.Context, contactID string) ([]Fired, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT t.id, t.name, t.color, t.points FROM point_triggers t
		WHERE t.deleted = 0 AND t.id IN (SELECT trigger_id FROM point_trigger_log WHERE contact_id = ?)
		ORDER BY t.points DESC, t.name`, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Fired{}
	for rows.Next() {
		var f Fired
		if err := rows.Scan(&f.TriggerID, &f.Name, &f.Color, &f.Points); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
