package events

import (
	"fmt"
	"strings"
	"time"

	"magpie/backend/db"
	"magpie/backend/ids"
)

// manyChunk is how many event rows one INSERT statement carries (21 columns each).
const manyChunk = 500

const insertManyPrefix = `INSERT INTO events(id, contact_id, type, at, object_id, object_name, url, title, referrer, source, data,
	ua_id, device_type, device_os, device_browser, device_brand,
	utm_source, utm_medium, utm_campaign, utm_content, utm_term) VALUES `

// AppendMany stores evs as that many Append calls on the batch would, in order, but with
// multi-row statements: the rows go in chunks (500, 100, 20, 4 or 1 rows) per INSERT … ON
// CONFLICT DO NOTHING on the connection's own handle (db.Tx.ExecChunk; its count of rows
// added is the idempotency answer for the whole chunk, the rows of the largest seqs when it is
// not all of them), then for each event of the chunk
// that was stored, in order, its aggregates
// are added, the OnAppend hooks run and the signals are raised — a hook therefore sees the
// later rows of its chunk already in the log (same transaction). An id already stored, or repeated in evs, is skipped, hooks
// included. Like Append it fills each event's defaults (ID, At, Device from the user
// agent) and reports how many events were stored.
func (b *Batch) AppendMany(evs []Event) (int, error) {
	stored := 0
	for start := 0; start < len(evs); {
		// Chunks of a few fixed sizes: a transaction prepares at most five statements
		// however the groups it appends are cut.
		size := manyChunk
		for size > len(evs)-start {
			size = max(size/5, 1)
		}
		n, err := b.appendChunk(evs[start:start+size], start)
		stored += n
		if err != nil {
			return stored, err
		}
		start += size
	}
	return stored, nil
}

func (b *Batch) appendChunk(evs []Event, offset int) (int, error) {
	tx := b.tx
	const width = 21
	// The chunk's buffers are the batch's, reused chunk after chunk (per chunk they were
	// ≈ 200 KB of garbage: the collector's work grows with what is allocated).
	args := b.many.args[:0]
	if cap(b.many.ats) < len(evs) {
		b.many.ats = make([]int64, len(evs))
	}
	ats := b.many.ats[:len(evs)]
	defer func() { clear(args); b.many.args = args[:0] }()
	for i := range evs {
		e := &evs[i]
		if e.ContactID == "" || e.Type == "" {
			return 0, fmt.Errorf("events: contact and type are required (event %d of the batch)", offset+i+1)
		}
		if e.ID == "" {
			e.ID = ids.New()
		}
		at := tx.NowMs()
		if !e.At.IsZero() {
			at = e.At.UnixMilli()
		}
		ats[i] = at
		var data any
		if len(e.Data) > 0 {
			js, err := marshalData(e.Data)
			if err != nil {
				return 0, fmt.Errorf("events: data of %s: %w", e.ID, err)
			}
			data = js
		}
		if e.Device.IsZero() && e.UserAgent != "" {
			e.Device = ParseUserAgent(e.UserAgent)
		}
		d, u := e.Device, e.UTM
		ua, err := uaID(tx, e.UserAgent)
		if err != nil {
			return 0, fmt.Errorf("events: user agent of %s: %w", e.ID, err)
		}
		args = append(args, e.ID, e.ContactID, string(e.Type), at, nz(e.ObjectID), nz(e.ObjectName),
			nz(e.URL), nz(e.Title), nz(e.Referrer), nz(e.Source), data,
			ua, nz(d.Type), nz(d.OS), nz(d.Browser), nz(d.Brand),
			nz(u.Source), nz(u.Medium), nz(u.Campaign), nz(u.Content), nz(u.Term))
	}
	// Which rows are new: the insert skips ids already stored (or repeated), and the rows it
	// adds take seqs above every seq before it (AUTOINCREMENT, and no trigger or other write
	// runs between the insert and the read): all of the chunk when it adds as many rows as it
	// has (the ingest's case), else the n rows of the largest seqs, read back. Nothing is
	// read before the insert (a max(seq) per chunk was ≈ 0.8 s per 1M hits).
	n, err := tx.ExecChunk(insertManyPrefix+valuesList(width, len(evs))+" ON CONFLICT(id) DO NOTHING", args...)
	if err != nil {
		return 0, fmt.Errorf("events: append %d events: %w", len(evs), err)
	}
	all := int(n) == len(evs)
	if b.many.fresh == nil {
		b.many.fresh = make(map[string]bool, len(evs))
	}
	fresh := b.many.fresh
	defer clear(fresh)
	if !all && n > 0 {
		if err := freshIDs(tx, n, fresh); err != nil {
			return 0, fmt.Errorf("events: append %d events: %w", len(evs), err)
		}
	}
	hs := appendHooks()
	settleFirst := len(hs) > 0 && needSettle()
	stored := 0
	for i := range evs {
		e := evs[i]
		if !all {
			if !fresh[e.ID] {
				continue // stored before, or a repeat of an earlier event of evs
			}
			delete(fresh, e.ID)
		}
		e.At = time.UnixMilli(ats[i])
		if err := b.add(e, ats[i]); err != nil {
			return stored, fmt.Errorf("events: aggregates of %s: %w", e.Type, err)
		}
		if settleFirst {
			if err := settle(tx, e.ContactID); err != nil {
				return stored, err
			}
		}
		for _, h := range hs {
			if err := h(tx, e); err != nil {
				return stored, err
			}
		}
		tx.Signal(Topic, e.ContactID)
		tx.Signal(TypeTopic(e.Type), e.ContactID)
		stored++
	}
	return stored, nil
}

// freshIDs adds the ids of the n events of the largest seqs (the n rows just added) to fresh.
func freshIDs(tx *db.Tx, n int64, fresh map[string]bool) error {
	rows, err := tx.Query("SELECT id FROM events ORDER BY seq DESC LIMIT ?", n)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		fresh[id] = true
	}
	return rows.Err()
}

// manyBufs are appendChunk's buffers, kept by the batch between chunks.
type manyBufs struct {
	args  []any
	ats   []int64
	fresh map[string]bool
}

func valuesList(width, n int) string {
	one := "(?" + strings.Repeat(",?", width-1) + ")"
	var s strings.Builder
	s.Grow(n * (len(one) + 1))
	for i := 0; i < n; i++ {
		if i > 0 {
			s.WriteByte(',')
		}
		s.WriteString(one)
	}
	return s.String()
}
