package campaigns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"time"

	"magpie/backend/events"
)

// Steps returns a contact's finished campaign steps (done, skipped, failed) with
// after <= at < before, newest first, at most limit, shaped as behaviour events of type
// campaign.event (id "campaign:<log row>", object = the campaign, name "campaign › step",
// data: event, type, path, status, reason). They are read from campaign_log through the
// view campaign_events: the steps are not copied into the behaviour log (migration 0053).
// before <= 0 means no upper bound.
func Steps(ctx context.Context, r *sql.DB, contactID string, after, before int64, limit int) ([]events.Event, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	if limit <= 0 {
		limit = 50
	}
	rows, err := r.QueryContext(ctx, `SELECT id, contact_id, at, object_id, object_name, data FROM campaign_events
		WHERE contact_id = ? AND at >= ? AND at < ? ORDER BY at DESC, log_id DESC LIMIT ?`, contactID, after, before, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []events.Event
	for rows.Next() {
		var e events.Event
		var at int64
		var data string
		if err := rows.Scan(&e.ID, &e.ContactID, &at, &e.ObjectID, &e.ObjectName, &data); err != nil {
			return nil, err
		}
		e.Type, e.Source, e.At = CampaignEvent, "campaign", time.UnixMilli(at).UTC()
		_ = json.Unmarshal([]byte(data), &e.Data)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, tagDetails(ctx, r, out)
}

// tagDetails adds the tags of each "Modify contact's tags" step (data tagsAdded,
// tagsRemoved) from its campaign's published graph: a campaign's tag changes write no
// tag.added / tag.removed behaviour events (bulkTags), the step is their timeline entry.
func tagDetails(ctx context.Context, r *sql.DB, steps []events.Event) error {
	graphs := map[string]map[string]Event{} // campaign → event id → event
	for _, e := range steps {
		if e.Data["type"] != "contact.tags" || e.Data["status"] != "done" {
			continue
		}
		byID, ok := graphs[e.ObjectID]
		if !ok {
			var text sql.NullString
			err := r.QueryRowContext(ctx, "SELECT published_graph FROM campaigns WHERE id = ?", e.ObjectID).Scan(&text)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			var g Graph
			_ = json.Unmarshal([]byte(text.String), &g) // no graph: the step shows without its tags
			byID = map[string]Event{}
			for _, ev := range g.Events {
				byID[ev.ID] = ev
			}
			graphs[e.ObjectID] = byID
		}
		id, _ := e.Data["event"].(string)
		if ev, ok := byID[id]; ok {
			add, rm := tagChanges(ev.Props)
			e.Data["tagsAdded"], e.Data["tagsRemoved"] = add, rm
		}
	}
	return nil
}
