// Package events is the append-only behaviour log: one immutable row per thing that
// happened to a contact (created, imported, page hit, email sent/read/clicked, form
// submitted, points changed, segment joined...). It is the one source for timelines,
// behavioural segment filters, points, campaign decisions and reports.
//
// Invariants: rows are never updated or deleted by features; an event's id is its
// idempotency key (appending the same id twice stores it once).
package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"magpie/backend/db"
	"magpie/backend/ids"
)

// Type names what happened.
type Type string

// Event types known so far; features add theirs.
const (
	ContactCreated    Type = "contact.created"
	ContactIdentified Type = "contact.identified"
	ContactImported   Type = "contact.imported"
	ContactUpdated    Type = "contact.updated"
	ContactDeleted    Type = "contact.deleted"
	ContactRestored   Type = "contact.restored"
	ContactMerged     Type = "contact.merged"
	TagAdded          Type = "tag.added"
	TagRemoved        Type = "tag.removed"
	DNCAdded          Type = "dnc.added"
	DNCRemoved        Type = "dnc.removed"
	PointsChanged     Type = "points.changed"
	CompanyLinked     Type = "company.linked"
	CompanyUnlinked   Type = "company.unlinked"
	PageHit           Type = "page.hit"
	EmailSent         Type = "email.sent"
	EmailRead         Type = "email.read"
	EmailClicked      Type = "email.clicked"
	EmailFailed       Type = "email.failed"
	FormSubmitted     Type = "form.submitted"
	AssetDownloaded   Type = "asset.downloaded"
	SegmentAdded      Type = "segment.added"
	SegmentRemoved    Type = "segment.removed"
	CampaignEvent     Type = "campaign.event" // a campaign step ran for the contact (data: event, type, path, status)
	StageChanged      Type = "stage.changed"
	// PreferencesChanged: the contact saved the preference center (pages).
	PreferencesChanged Type = "preferences.changed"
	// FocusViewed / FocusConverted: a focus item was shown to the visitor / its link was
	// clicked or its form submitted (object = the item id).
	FocusViewed    Type = "focus.viewed"
	FocusConverted Type = "focus.converted"
	// DWCRequested: the contact's browser asked the tracker for a dynamic content slot while
	// a published campaign had a "Request dynamic content" decision waiting for it (object =
	// the slot name). Recorded only then: plain slot requests are not events.
	DWCRequested Type = "dwc.requested"
)

// Topic is the commit-hook signal topic for appended events (ID = contact id).
const Topic = "event"

// Event is one row of the log.
type Event struct {
	Seq        int64          `json:"seq"`
	ID         string         `json:"id"`
	ContactID  string         `json:"contactId"`
	Type       Type           `json:"type"`
	At         time.Time      `json:"at"`
	ObjectID   string         `json:"objectId,omitempty"`
	ObjectName string         `json:"objectName,omitempty"`
	URL        string         `json:"url,omitempty"`
	Title      string         `json:"title,omitempty"`
	Referrer   string         `json:"referrer,omitempty"`
	Source     string         `json:"source,omitempty"`
	Data       map[string]any `json:"data,omitempty"`
	// UserAgent is the raw User-Agent of a hit, open or click; Device is parsed from it
	// when left empty.
	UserAgent string `json:"userAgent,omitempty"`
	Device    Device `json:"device,omitempty"`
	UTM       UTM    `json:"utm,omitempty"`
}

// Device is what a hit's user agent says about the visitor's device (Mautic's lead_devices).
type Device struct {
	Type    string `json:"type,omitempty"` // desktop | mobile | tablet | bot
	OS      string `json:"os,omitempty"`
	Browser string `json:"browser,omitempty"`
	Brand   string `json:"brand,omitempty"`
}

// IsZero reports whether nothing is known about the device.
func (d Device) IsZero() bool { return d == Device{} }

// UTM are the utm_* parameters of a hit (Mautic's lead_utmtags).
type UTM struct {
	Source   string `json:"source,omitempty"`
	Medium   string `json:"medium,omitempty"`
	Campaign string `json:"campaign,omitempty"`
	Content  string `json:"content,omitempty"`
	Term     string `json:"term,omitempty"`
}

// IsZero reports whether no utm_* parameter was given.
func (u UTM) IsZero() bool { return u == UTM{} }

// TypeTopic is the commit signal topic announcing events of type t (ID = contact id, or
// empty when AppendManyHooked announces a type for many contacts at once; Topic names each
// contact): "event:page.hit", "event:email.read"...
func TypeTopic(t Type) string { return Topic + ":" + string(t) }

const insertSQL = `INSERT INTO events(id, contact_id, type, at, object_id, object_name, url, title, referrer, source, data,
	ua_id, device_type, device_os, device_browser, device_brand,
	utm_source, utm_medium, utm_campaign, utm_content, utm_term)
	VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`

// Append adds e to the log inside tx; it reports false when an event with that id was
// already stored. A zero At means the transaction's time; an empty ID a fresh UUIDv7.
// In the same transaction it updates the contact's behaviour aggregates (hits, sessions,
// URLs, devices, UTM tags, email counters) and signals Topic and TypeTopic(e.Type).
func Append(tx *db.Tx, e Event) (bool, error) {
	at, ok, err := insert(tx, &e)
	if err != nil || !ok {
		return false, err
	}
	if b, ok := tx.Local(batchKey{}).(*Batch); ok && b.carry != nil {
		// A catch-up transaction: the event's aggregates are owed with the others (Carry).
		return b.stored(e, at)
	}
	// A batch in this transaction may hold aggregates of this contact not yet written.
	if err := settle(tx, e.ContactID); err != nil {
		return false, err
	}
	if err := aggregate(tx, e, at); err != nil {
		return false, fmt.Errorf("events: aggregates of %s: %w", e.Type, err)
	}
	for _, h := range appendHooks() {
		if err := h(tx, e); err != nil {
			return false, err
		}
	}
	tx.Signal(Topic, e.ContactID)
	tx.Signal(TypeTopic(e.Type), e.ContactID)
	return true, nil
}

// insert stores the event row (Append without aggregates, hooks and signals): it fills
// e's defaults (ID, At, Device from the user agent) and reports false for an id already
// stored.
func insert(tx *db.Tx, e *Event) (int64, bool, error) {
	if e.ContactID == "" || e.Type == "" {
		return 0, false, fmt.Errorf("events: contact and type are required")
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
		b, err := marshalData(e.Data)
		if err != nil {
			return 0, false, fmt.Errorf("events: data: %w", err)
		}
		data = b
	}
	if e.Device.IsZero() && e.UserAgent != "" {
		e.Device = ParseUserAgent(e.UserAgent)
	}
	d, u := e.Device, e.UTM
	ua, err := uaID(tx, e.UserAgent)
	if err != nil {
		return 0, false, fmt.Errorf("events: user agent: %w", err)
	}
	res, err := tx.Exec(insertSQL, e.ID, e.ContactID, string(e.Type), at, nz(e.ObjectID), nz(e.ObjectName),
		nz(e.URL), nz(e.Title), nz(e.Referrer), nz(e.Source), data,
		ua, nz(d.Type), nz(d.OS), nz(d.Browser), nz(d.Brand),
		nz(u.Source), nz(u.Medium), nz(u.Campaign), nz(u.Content), nz(u.Term))
	if err != nil {
		return 0, false, fmt.Errorf("events: append %s: %w", e.Type, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, false, nil
	}
	e.At = time.UnixMilli(at)
	return at, true, nil
}

// Hook reacts to a newly stored event inside the transaction that appends it (points rules,
// campaign decisions): what it writes commits or rolls back with the event. It is not called
// for an id already stored, nor by AppendMany (bulk imports and demo data).
type Hook func(tx *db.Tx, e Event) error

var (
	hooksMu sync.RWMutex
	hooks   []Hook
	// settled counts hooks registered with OnAppend (not OnAppendLazy): before them a
	// Batch writes the contact's pending aggregates.
	settled int
)

// OnAppend registers a hook for every event Append stores (packages call it from init). The
// hook sees the contact's behaviour aggregates already counting the event, also under a
// Batch (which then writes that contact's aggregates before each hook call).
func OnAppend(h Hook) {
	hooksMu.Lock()
	hooks = append(hooks, h)
	settled++
	hooksMu.Unlock()
}

// OnAppendLazy registers a hook that does not read behaviour aggregates (contact_stats,
// contact_urls, contact_devices, contact_utm), or calls Settle(tx, e.ContactID) before it
// does: a Batch can then keep them pending across events, which is what makes it fast.
func OnAppendLazy(h Hook) {
	hooksMu.Lock()
	hooks = append(hooks, h)
	hooksMu.Unlock()
}

func appendHooks() []Hook {
	hooksMu.RLock()
	defer hooksMu.RUnlock()
	return hooks
}

// needSettle reports whether some hook wants the aggregates written before it runs.
func needSettle() bool {
	hooksMu.RLock()
	defer hooksMu.RUnlock()
	return settled > 0
}

func nz(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Query selects a contact's events, newest first.
type Query struct {
	ContactID string
	Types     []Type
	BeforeSeq int64 // page cursor: events with a lower seq; 0 = from the newest
	Limit     int
}

// List returns one page of a contact's timeline and the cursor for the next (0 = done).
func List(ctx context.Context, r *sql.DB, q Query) ([]Event, int64, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	var b strings.Builder
	args := []any{q.ContactID}
	b.WriteString(`SELECT seq, id, contact_id, type, at, coalesce(object_id,''), coalesce(object_name,''),
		coalesce(url,''), coalesce(title,''), coalesce(referrer,''), coalesce(source,''), coalesce(data,''),
		coalesce(user_agent, (SELECT ua FROM user_agents WHERE id = ua_id), ''), coalesce(device_type,''), coalesce(device_os,''), coalesce(device_browser,''),
		coalesce(device_brand,''), coalesce(utm_source,''), coalesce(utm_medium,''), coalesce(utm_campaign,''),
		coalesce(utm_content,''), coalesce(utm_term,'')
		FROM events WHERE contact_id = ?`)
	if q.BeforeSeq > 0 {
		b.WriteString(" AND seq < ?")
		args = append(args, q.BeforeSeq)
	}
	if len(q.Types) > 0 {
		b.WriteString(" AND type IN (?" + strings.Repeat(",?", len(q.Types)-1) + ")")
		for _, t := range q.Types {
			args = append(args, string(t))
		}
	}
	b.WriteString(" ORDER BY seq DESC LIMIT ?")
	args = append(args, q.Limit+1)
	rows, err := r.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		var data string
		if err := rows.Scan(&e.Seq, &e.ID, &e.ContactID, &e.Type, &at, &e.ObjectID, &e.ObjectName,
			&e.URL, &e.Title, &e.Referrer, &e.Source, &data, &e.UserAgent, &e.Device.Type, &e.Device.OS,
			&e.Device.Browser, &e.Device.Brand, &e.UTM.Source, &e.UTM.Medium, &e.UTM.Campaign, &e.UTM.Content,
			&e.UTM.Term); err != nil {
			return nil, 0, err
		}
		e.At = time.UnixMilli(at).UTC()
		if data != "" {
			_ = json.Unmarshal([]byte(data), &e.Data)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > q.Limit {
		out = out[:q.Limit]
		next = out[len(out)-1].Seq
	}
	return out, next, nil
}
