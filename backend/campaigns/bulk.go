package campaigns

import (
	"strings"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
)

// bulkPoints adjusts the points of the whole batch in one UPDATE (recorded per row for
// sync); the points.changed events are stored in multi-row statements and each one's hooks
// run (point triggers).
func (x *execCtx) bulkPoints(c *compiled, ev *Event) error {
	n, ok := ev.PropNumber("points")
	if !ok {
		return x.markAll(okFailEnd, "points: not a number")
	}
	delta := int64(n)
	if delta == 0 {
		return nil
	}
	tx := x.tx
	// The new points come back from the UPDATE itself (RETURNING): no second read.
	chs, err := tx.UpdateWhereChanges("contacts", "points = points + ?, date_modified = ?", []any{delta, tx.NowMs()},
		"SELECT contact_id FROM camp_batch WHERE ok = 1", nil, []string{"points", "date_modified"})
	if err != nil {
		return err
	}
	reason := "campaign: " + c.name
	evs := make([]events.Event, len(chs))
	for i, ch := range chs {
		evs[i] = events.Event{ContactID: ch.ID, Type: events.PointsChanged, Source: "campaign",
			ObjectName: reason, Data: map[string]any{"delta": delta, "points": ch.Cols["points"]}}
	}
	// One multi-row insert; the hooks (point triggers) still run for every contact.
	return events.AppendManyHooked(tx, evs)
}

// bulkTags adds tags to the whole batch: links inserted with InsertMany (recorded for
// sync), trashed links restored, tag.added events appended in multi-row statements.
// Removals (rare) go through contacts.Ops per contact.
func (x *execCtx) bulkTags(ev *Event) error {
	tx := x.tx
	ops := contacts.NewOps(tx, "campaign")
	var add, rm []string
	for _, t := range contacts.CleanTags(ev.PropList("add")) {
		if strings.HasPrefix(t, "-") {
			rm = append(rm, t[1:])
		} else {
			add = append(add, t)
		}
	}
	rm = append(rm, ev.PropList("remove")...)
	batch, err := x.rows()
	if err != nil {
		return err
	}
	now := tx.NowMs()
	for _, tag := range add {
		tagID, err := ops.EnsureTag(tag)
		if err != nil {
			return err
		}
		// A link may have its DerivedNear id or, made before that, its Derived one: each
		// row's candidates are derived once (two hashes), the new link's id is the first.
		cands := make([][]string, len(batch))
		for i, r := range batch {
			cands[i] = contacts.TagLinkIDs(r.contact, tagID)
		}
		have := map[string]int{} // link id → deleted
		for start := 0; start < len(batch); start += 250 {
			args := make([]any, 0, 2*min(250, len(batch)-start))
			for _, c := range cands[start:min(start+250, len(batch))] {
				for _, id := range c {
					args = append(args, id)
				}
			}
			rows, err := tx.Query("SELECT id, deleted FROM contact_tags WHERE id IN ("+placeholders(len(args))+")", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				var del int
				if err := rows.Scan(&id, &del); err != nil {
					rows.Close()
					return err
				}
				have[id] = del
			}
			rows.Close()
		}
		var fresh []db.Row
		var evs []events.Event
		for i, r := range batch {
			link, del, exists := "", 1, false
			for _, id := range cands[i] {
				if d, ok := have[id]; ok && (!exists || d < del) {
					link, del, exists = id, d, true
				}
			}
			if !exists {
				link = cands[i][0] // contacts.TagLinkID
			}
			switch {
			case !exists:
				fresh = append(fresh, db.Row{ID: link, Vals: []any{r.contact, tagID, now}})
			case del == 1:
				if _, err := tx.Restore("contact_tags", link); err != nil {
					return err
				}
			default:
				continue // already tagged: no event
			}
			evs = append(evs, events.Event{ContactID: r.contact, Type: events.TagAdded, ObjectID: tagID, ObjectName: tag, Source: "campaign"})
		}
		if err := tx.InsertMany("contact_tags", []string{"contact_id", "tag_id", "date_added"}, fresh); err != nil {
			return err
		}
		if err := events.AppendMany(tx, evs); err != nil {
			return err
		}
	}
	if len(rm) > 0 {
		for _, r := range batch {
			if err := ops.Tag(r.contact, nil, rm); err != nil {
				return err
			}
		}
	}
	return nil
}
