package events

import (
	"encoding/json"
	"fmt"

	"magpie/backend/db"
	"magpie/backend/ids"
)

// AppendMany adds many events in one multi-row statement per chunk (imports, demo data).
// Semantics are Append's: a zero At is the transaction's time, an empty ID a fresh UUIDv7,
// an id already stored is skipped; every contact touched is signalled once.
func AppendMany(tx *db.Tx, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	rows := make([][]any, 0, len(evs))
	seen := make(map[string]bool, len(evs))
	for i := range evs {
		e := &evs[i]
		if e.ContactID == "" || e.Type == "" {
			return fmt.Errorf("events: contact and type are required")
		}
		if e.ID == "" {
			e.ID = ids.New()
		}
		at := tx.NowMs()
		if !e.At.IsZero() {
			at = e.At.UnixMilli()
		}
		var data any
		if len(e.Data) > 0 {
			b, err := json.Marshal(e.Data)
			if err != nil {
				return fmt.Errorf("events: data: %w", err)
			}
			data = string(b)
		}
		rows = append(rows, []any{e.ID, e.ContactID, string(e.Type), at, nz(e.ObjectID), nz(e.ObjectName),
			nz(e.URL), nz(e.Title), nz(e.Referrer), nz(e.Source), data})
	}
	if err := tx.ExecMany("INSERT INTO events(id, contact_id, type, at, object_id, object_name, url, title, referrer, source, data)",
		" ON CONFLICT(id) DO NOTHING", 11, rows); err != nil {
		return fmt.Errorf("events: append: %w", err)
	}
	for _, e := range evs {
		if !seen[e.ContactID] {
			seen[e.ContactID] = true
			tx.Signal(Topic, e.ContactID)
		}
	}
	return nil
}
