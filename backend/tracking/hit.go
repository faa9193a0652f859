// Package tracking is Magpie's public edge (`magpie tracker`): the drop-in for Mautic's
// tracking snippet (mtc.js, /mtc/event, /mtracking.gif), the signed email open pixel, click
// redirect and unsubscribe links, a basic form endpoint, health and metrics. The HTTP server
// is stateless: every accepted hit is fsynced into a local spool before the answer is sent,
// then written in batches to the store (the local SQLite file, or the team's rqlite cluster)
// with its hit id as idempotency key. The desktop side (Ingest) turns stored hits into
// contacts and events exactly once.
package tracking

import (
	"encoding/json"
	"fmt"
	"time"
)

// Kind says what a hit is.
type Kind string

// Hit kinds.
const (
	KindPage  Kind = "page"  // a page view from mtc.js or the tracking gif
	KindOpen  Kind = "open"  // an email open pixel
	KindClick Kind = "click" // a tracked email link
	KindForm  Kind = "form"  // a form submission
	KindUnsub Kind = "unsub" // unsubscribe (page button or RFC 8058 one-click)
	KindResub Kind = "resub" // resubscribe from the unsubscribe page
	KindPrefs Kind = "prefs" // preference center saved (segments, email channel, unsubscribe)
	KindAsset Kind = "asset" // an asset download (Form holds the asset id)
	KindFocus Kind = "focus" // a focus item shown or converted (Form holds the item id, Data["action"])
)

// Hit is one accepted request, as spooled and stored.
type Hit struct {
	ID       string            `json:"id"`
	Kind     Kind              `json:"k"`
	At       int64             `json:"at"` // received, Unix ms
	Device   string            `json:"dev,omitempty"`
	Contact  string            `json:"c,omitempty"` // from a verified signed token only
	Email    string            `json:"e,omitempty"` // email id (open/click/unsub)
	Send     string            `json:"s,omitempty"` // send (stat) id
	Form     string            `json:"f,omitempty"` // form id (form), asset id (asset)
	URL      string            `json:"u,omitempty"`
	Title    string            `json:"t,omitempty"`
	Referrer string            `json:"r,omitempty"`
	Lang     string            `json:"l,omitempty"`
	UA       string            `json:"ua,omitempty"`
	IP       string            `json:"ip,omitempty"` // hashed or truncated per settings
	Bot      bool              `json:"bot,omitempty"`
	Data     map[string]string `json:"d,omitempty"` // utm_*, resolution, timezone, form fields (field.*), tags
}

// Time is the hit's reception time.
func (h Hit) Time() time.Time { return time.UnixMilli(h.At).UTC() }

func encodeHit(h *Hit) ([]byte, error) { return json.Marshal(h) }

func decodeHit(b []byte) (Hit, error) {
	var h Hit
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("tracking: bad spooled hit: %w", err)
	}
	if h.ID == "" || h.Kind == "" {
		return h, fmt.Errorf("tracking: spooled hit without id or kind")
	}
	return h, nil
}

// DataJSON is the hit's extra data as stored (empty when none).
func (h Hit) DataJSON() string {
	if len(h.Data) == 0 {
		return ""
	}
	b, _ := json.Marshal(h.Data)
	return string(b)
}
