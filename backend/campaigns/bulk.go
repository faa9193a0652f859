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
	// The events go in chunks through one reused slice (two of AppendMany's 500-row
	// statements each): a batch-long slice of 344-byte events was 131 MB per 200k contacts.
	evs := make([]events.Event, 0, min(len(chs), pointsChunk))
	for start := 0; start < len(chs); start += pointsChunk {
		evs = evs[:0]
		for i := start; i < min(start+pointsChunk, len(chs)); i++ {
			pts, _ := chs[i].Col("points")
			evs = append(evs, events.Event{ContactID: chs[i].ID, Type: events.PointsChanged, Source: "campaign",
				ObjectName: reason, Data: map[string]any{"delta": delta, "points": pts}})
		}
		// One multi-row insert per chunk; the hooks (point triggers) still run for every contact.
		if err := events.AppendManyHooked(tx, evs); err != nil {
			return err
		}
	}
	return nil
}

// pointsChunk is how many points.changed events bulkPoints appends at once.
const pointsChunk = 1000

// bulkTags adds and removes tags for the whole batch: links inserted with InsertMany,
// restored or trashed with Restore / Delete (each recorded for sync). It writes no tag.added
// or tag.removed behaviour event: the step's campaign_log row records the change and the
// contact's timeline shows it as the campaign action with its tags (Steps), as Mautic's
// timeline shows "campaign action triggered". Manual edits, forms and imports keep their
// events (contacts.Ops).
func (x *execCtx) bulkTags(ev *Event) error {
	tx := x.tx
	add, rm := tagChanges(ev.Props)
	if len(add)+len(rm) == 0 {
		return nil
	}
	batch, err := x.rows()
	if err != nil {
		return err
	}
	ops := contacts.NewOps(tx, "campaign")
	now := tx.NowMs()
	for _, tag := range add {
		tagID, err := ops.EnsureTag(tag)
		if err != nil {
			return err
		}
		cands, have, err := tagLinks(tx, batch, tagID)
		if err != nil {
			return err
		}
		var fresh []db.Row
		for i, r := range batch {
			// A link may have its DerivedNear id or, made before that, its Derived one: a
			// live one wins; a new link takes the first (contacts.TagLinkID).
			link, del, exists := "", 1, false
			for _, id := range cands[i] {
				if d, ok := have[id]; ok && (!exists || d < del) {
					link, del, exists = id, d, true
				}
			}
			switch {
			case !exists:
				fresh = append(fresh, db.Row{ID: cands[i][0], Vals: []any{r.contact, tagID, now}})
			case del == 1:
				if _, err := tx.Restore("contact_tags", link); err != nil {
					return err
				}
			}
		}
		if err := tx.InsertMany("contact_tags", []string{"contact_id", "tag_id", "date_added"}, fresh); err != nil {
			return err
		}
	}
	for _, tag := range rm {
		cands, have, err := tagLinks(tx, batch, contacts.TagID(tag))
		if err != nil {
			return err
		}
		for _, c := range cands {
			for _, id := range c {
				if del, ok := have[id]; ok && del == 0 {
					if _, err := tx.Delete("contact_tags", id); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// tagChanges reads a tags action's properties: the tags to add and to remove (Mautic's
// modifyTags: a "-tag" in add removes it), cleaned as contacts.Ops.Tag does.
func tagChanges(props map[string]any) (add, rm []string) {
	ev := Event{Props: props}
	for _, t := range contacts.CleanTags(ev.PropList("add")) {
		if strings.HasPrefix(t, "-") {
			rm = append(rm, t[1:])
		} else {
			add = append(add, t)
		}
	}
	return add, contacts.CleanTags(append(rm, ev.PropList("remove")...))
}

// tagLinks derives each batch row's candidate link ids to tagID (two hashes, once) and
// reads which of them exist: link id → deleted.
func tagLinks(tx *db.Tx, batch []batchRow, tagID string) ([][]string, map[string]int, error) {
	cands := make([][]string, len(batch))
	for i, r := range batch {
		cands[i] = contacts.TagLinkIDs(r.contact, tagID)
	}
	have := map[string]int{}
	for start := 0; start < len(batch); start += 250 {
		args := make([]any, 0, 2*min(250, len(batch)-start))
		for _, c := range cands[start:min(start+250, len(batch))] {
			for _, id := range c {
				args = append(args, id)
			}
		}
		rows, err := tx.Query("SELECT id, deleted FROM contact_tags WHERE id IN ("+placeholders(len(args))+")", args...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var id string
			var del int
			if err := rows.Scan(&id, &del); err != nil {
				rows.Close()
				return nil, nil, err
			}
			have[id] = del
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return cands, have, nil
}
