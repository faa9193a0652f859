package events

import (
	"database/sql"
	"fmt"
	"slices"
	"time"

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
	r, err := rowsOf(evs, tx.NowMs())
	if err != nil {
		return err
	}
	if err := tx.ExecMany(r.prefix, appendSuffix, r.width, r.rows); err != nil {
		return fmt.Errorf("events: append: %w", err)
	}
	signal(tx, r.contacts)
	return nil
}

const appendSuffix = " ON CONFLICT(id) DO NOTHING"

func signal(tx *db.Tx, contacts []string) {
	for _, c := range contacts {
		tx.Signal(Topic, c)
	}
}

// Prepared is AppendMany's work done ahead of the transaction: ids, times and the bound
// columns of each event, packed for the statement (a bulk load prepares batch N+1 on
// another goroutine while the writer stores batch N).
type Prepared struct {
	ex       *db.PreparedExec
	contacts []string // each contact touched, once
}

// PrepareMany prepares AppendMany(tx, evs) for a transaction whose time is now (Unix ms).
// Like AppendMany, it gives each event without an id a fresh UUIDv7 in place.
func PrepareMany(evs []Event, now int64) (*Prepared, error) {
	p := &Prepared{}
	if len(evs) == 0 {
		return p, nil
	}
	r, err := rowsOf(evs, now)
	if err != nil {
		return nil, err
	}
	if p.ex, err = db.PrepareExecMany(r.prefix, appendSuffix, r.width, r.rows); err != nil {
		return nil, fmt.Errorf("events: append: %w", err)
	}
	p.contacts = r.contacts
	return p, nil
}

// AppendPrepared stores the events of p in tx, as AppendMany.
func AppendPrepared(tx *db.Tx, p *Prepared) error {
	if p.ex == nil {
		return nil
	}
	if err := tx.ExecPrepared(p.ex); err != nil {
		return fmt.Errorf("events: append: %w", err)
	}
	signal(tx, p.contacts)
	return nil
}

// eventRows are the statement rows of a batch of events: the column list, its width, the
// values of each event and each contact touched, once.
type eventRows struct {
	prefix   string
	width    int
	rows     [][]any
	contacts []string
}

// rowsOf completes evs in place (ids) and lays out their rows for a transaction whose time
// is now.
func rowsOf(evs []Event, now int64) (eventRows, error) {
	var out eventRows
	// Only the optional columns some event of the batch fills are bound: an import's
	// contact.imported events bind 7 values each instead of 11, a seed's contact.created
	// and contact.identified 5 (NULL is the default).
	var hasObj, hasName, hasSrc, hasURL, hasTitle, hasRef, hasData bool
	for i := range evs {
		e := &evs[i]
		hasObj = hasObj || e.ObjectID != ""
		hasName = hasName || e.ObjectName != ""
		hasSrc = hasSrc || e.Source != ""
		hasURL = hasURL || e.URL != ""
		hasTitle = hasTitle || e.Title != ""
		hasRef = hasRef || e.Referrer != ""
		hasData = hasData || len(e.Data) > 0
	}
	cols := "id, contact_id, type, at"
	width := 4
	for _, c := range []struct {
		on   bool
		name string
	}{{hasObj, "object_id"}, {hasName, "object_name"}, {hasSrc, "source"}, {hasURL, "url"}, {hasTitle, "title"}, {hasRef, "referrer"}, {hasData, "data"}} {
		if c.on {
			cols += ", " + c.name
			width++
		}
	}
	rows := make([][]any, 0, len(evs))
	seen := make(map[string]bool, len(evs))
	for i := range evs {
		e := &evs[i]
		if e.ContactID == "" || e.Type == "" {
			return out, fmt.Errorf("events: contact and type are required")
		}
		if e.ID == "" {
			e.ID = ids.New()
		}
		at := now
		if !e.At.IsZero() {
			at = e.At.UnixMilli()
		}
		var data any
		if len(e.Data) > 0 {
			b, err := marshalData(e.Data)
			if err != nil {
				return out, fmt.Errorf("events: data: %w", err)
			}
			data = b
		}
		r := make([]any, 4, width)
		r[0], r[1], r[2], r[3] = e.ID, e.ContactID, string(e.Type), at
		if hasObj {
			r = append(r, nz(e.ObjectID))
		}
		if hasName {
			r = append(r, nz(e.ObjectName))
		}
		if hasSrc {
			r = append(r, nz(e.Source))
		}
		if hasURL {
			r = append(r, nz(e.URL))
		}
		if hasTitle {
			r = append(r, nz(e.Title))
		}
		if hasRef {
			r = append(r, nz(e.Referrer))
		}
		if hasData {
			r = append(r, data)
		}
		rows = append(rows, r)
		if !seen[e.ContactID] {
			seen[e.ContactID] = true
			out.contacts = append(out.contacts, e.ContactID)
		}
	}
	out.prefix, out.width, out.rows = "INSERT INTO events("+cols+")", width, rows
	return out, nil
}

// AppendManyHooked stores evs in multi-row statements like AppendMany, then does for each
// event it stored what Append does after its insert — aggregates, the OnAppend hooks in
// order — so hooks (point triggers, campaign decisions) still see every event; it signals
// Topic per contact and TypeTopic once per type (with no contact).
// For many events of one transaction that hooks react to (a campaign batch's point
// changes). An id already stored (or repeated in evs) is skipped, hooks included. Like
// AppendMany it fills evs' defaults (ID, At) in place, and stores no user agent, device or
// UTM columns: for events without them.
func AppendManyHooked(tx *db.Tx, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	var given []string
	for _, e := range evs {
		if e.ID != "" {
			given = append(given, e.ID)
		}
	}
	// Ids already stored, or repeated in evs: looked up only when some are given (a
	// campaign's point changes come without: their fresh UUIDv7s cannot collide).
	var stored map[string]bool
	if len(given) > 0 {
		stored = make(map[string]bool, len(evs))
		err := db.EachIn(tx.Query, "SELECT id FROM events WHERE id IN (%s)", given, func(rows *sql.Rows) error {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			stored[id] = true
			return nil
		})
		if err != nil {
			return fmt.Errorf("events: append: %w", err)
		}
	}
	now := time.UnixMilli(tx.NowMs())
	// The events are completed in place (as AppendMany does); only when some are skipped
	// do the others move down, so no second copy of the batch is made.
	fresh := evs[:0]
	for i := range evs {
		e := &evs[i]
		if e.ID == "" {
			e.ID = ids.New()
		} else if stored[e.ID] {
			continue
		} else {
			stored[e.ID] = true
		}
		if e.At.IsZero() {
			e.At = now
		} else {
			e.At = time.UnixMilli(e.At.UnixMilli())
		}
		fresh = append(fresh, *e)
	}
	if err := AppendMany(tx, fresh); err != nil {
		return err
	}
	hs := appendHooks()
	var types []Type // signalled once each, below
	for _, e := range fresh {
		if err := settle(tx, e.ContactID); err != nil {
			return err
		}
		if err := aggregate(tx, e, e.At.UnixMilli()); err != nil {
			return fmt.Errorf("events: aggregates of %s: %w", e.Type, err)
		}
		for _, h := range hs {
			if err := h(tx, e); err != nil {
				return err
			}
		}
		if !slices.Contains(types, e.Type) {
			types = append(types, e.Type)
		}
	}
	// Every contact is signalled on Topic by AppendMany; TypeTopic, which only says that
	// events of a type arrived (the UI's refresh), goes once per type with no contact: a
	// second signal per event was half of a campaign batch's signals.
	for _, t := range types {
		tx.Signal(TypeTopic(t), "")
	}
	return nil
}
