// Package tracking is Magpie's public edge (`magpie tracker`): the drop-in for Mautic's
// tracking snippet (mtc.js, /mtc/event, /mtracking.gif), the signed email open pixel, click
// redirect and unsubscribe links, a basic form endpoint, health and metrics. The HTTP server
// is stateless: every accepted hit is fsynced into a local spool before the answer is sent,
// then written in batches to the store (the local SQLite file, or the team's rqlite cluster)
// with its hit id as idempotency key. The desktop side (Ingest) turns stored hits into
// contacts and events exactly once.
package tracking

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	"unsafe"
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
	KindDWC   Kind = "dwc"   // a DWC slot request a campaign decision waits for (Data["slot"])
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

// Spooled records are a compact binary encoding (hitVersion, then uvarint-length-prefixed
// strings in a fixed order, the time as a varint, the bot flag and the data pairs): the
// tracker writes one per request and the pump reads them back, so reflection-based JSON was
// a measurable share of the per-hit cost. Records from older spools (JSON objects, starting
// with '{') still decode.
const hitVersion = 1

func encodeHit(h *Hit) ([]byte, error) { return appendHit(make([]byte, 0, 256), h), nil }

func appendHit(b []byte, h *Hit) []byte {
	b = append(b, hitVersion)
	for _, s := range [...]string{h.ID, string(h.Kind), h.Device, h.Contact, h.Email, h.Send, h.Form, h.URL,
		h.Title, h.Referrer, h.Lang, h.UA, h.IP} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendVarint(b, h.At)
	if h.Bot {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(h.Data)))
	for k, v := range h.Data {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return b
}

var errBadRecord = errors.New("tracking: bad spooled hit: truncated or malformed record")

func decodeHit(b []byte) (Hit, error) {
	var h Hit
	err := decodeHitInto(&h, b, false)
	return h, err
}

// decodeOwned decodes a record whose bytes are never written again (the spool reader
// allocates each one) into h: the hit's strings are views of them instead of a copy, and
// h's data map, when it has one, is cleared and reused (the pump decodes every batch into
// the hits of the previous one).
func decodeOwned(h *Hit, b []byte) error { return decodeHitInto(h, b, true) }

func decodeHitInto(h *Hit, b []byte, alias bool) error {
	data := h.Data
	*h = Hit{}
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, h); err != nil {
			return fmt.Errorf("tracking: bad spooled hit: %w", err)
		}
	} else if len(b) == 0 || b[0] != hitVersion {
		return errBadRecord
	} else {
		// One string holds every field; the fields are substrings of it.
		var all string
		if alias && len(b) > 1 {
			all = unsafe.String(&b[1], len(b)-1)
		} else {
			all = string(b[1:])
		}
		pos := 0
		str := func() (string, bool) {
			n, k := binary.Uvarint(b[1+pos:])
			if k <= 0 || n > uint64(len(all)-pos-k) {
				return "", false
			}
			pos += k
			s := all[pos : pos+int(n)]
			pos += int(n)
			return s, true
		}
		var kind string
		for _, dst := range [...]*string{&h.ID, &kind, &h.Device, &h.Contact, &h.Email, &h.Send, &h.Form, &h.URL,
			&h.Title, &h.Referrer, &h.Lang, &h.UA, &h.IP} {
			var ok bool
			if *dst, ok = str(); !ok {
				return errBadRecord
			}
		}
		h.Kind = Kind(kind)
		at, k := binary.Varint(b[1+pos:])
		if k <= 0 || pos+k >= len(all) {
			return errBadRecord
		}
		h.At, pos = at, pos+k
		h.Bot, pos = all[pos] == 1, pos+1
		n, k := binary.Uvarint(b[1+pos:])
		if k <= 0 || n > uint64(len(all)-pos) {
			return errBadRecord
		}
		pos += k
		if n > 0 {
			if data != nil {
				clear(data)
				h.Data = data
			} else {
				h.Data = make(map[string]string, n)
			}
			for range n {
				key, ok1 := str()
				val, ok2 := str()
				if !ok1 || !ok2 {
					return errBadRecord
				}
				h.Data[key] = val
			}
		}
		if pos != len(all) {
			return errBadRecord
		}
	}
	if h.ID == "" || h.Kind == "" {
		return fmt.Errorf("tracking: spooled hit without id or kind")
	}
	return nil
}

// DataJSON is the hit's extra data as stored (empty when none).
func (h *Hit) DataJSON() string {
	if len(h.Data) == 0 {
		return ""
	}
	var bb [256]byte // built on the stack; the result is its one copy
	return string(h.appendDataJSON(bb[:0]))
}

// appendDataJSON appends DataJSON's text to b (nothing when the hit has no data).
func (h *Hit) appendDataJSON(b []byte) []byte {
	if len(h.Data) == 0 {
		return b
	}
	var kb [8]string // a page hit has a handful of keys: sorted on the stack
	keys := kb[:0]
	for k := range h.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, h.Data[k])
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string: plain printable ASCII is copied as is, anything
// else goes through encoding/json (escapes, invalid UTF-8), so the output equals json.Marshal's.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
