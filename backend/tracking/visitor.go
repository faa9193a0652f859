package tracking

import (
	"crypto/sha1"
	"strings"

	"github.com/google/uuid"

	"magpie/backend/ids"
)

// VisitorID is the id of the anonymous contact a device creates on its first hit: derived
// from the device id so every tracker and desktop agree without talking to each other.
// It sorts next to the device: a device id is the UUIDv7 the tracker made at the device's
// first hit, and the visitor id keeps its first 48 bits (the millisecond timestamp), so
// the contacts of new visitors — and every row keyed by them: the event log's per-contact
// index, contact_stats, contact_urls, devices, UTM tags, sync clocks — are written near
// the right edge of their B-trees instead of at random places (docs/TRACKING.md, "Visitor
// ids"). Stores made before keep their visitors: a device's contact is read from
// tracking_devices, never recomputed.
func VisitorID(device string) string { return derivedNear(device, "visitor", device) }

// laterVisitorID is the id of a new visitor for a device whose first visitor was trashed:
// derived from the hit, and near it (hit ids are UUIDv7 too).
func laterVisitorID(device, hit string) string { return derivedNear(hit, "visitor", device, hit) }

// namespace is ids' namespace for name-based ids.
var namespace = uuid.MustParse("6f1d4a52-3b8e-4c1e-9a57-6d6167706965")

// derivedNear is ids.DerivedNear (same bits; kept here until that lands on main): the
// first 48 bits are anchor's, the other free bits the SHA-1 of anchor and key, version 8,
// RFC variant. An anchor that is not a UUID gives ids.Derived(kind, parts…).
func derivedNear(anchor, kind string, parts ...string) string {
	a, err := uuid.Parse(anchor)
	if err != nil {
		return ids.Derived(kind, parts...)
	}
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte("near\x00"))
	h.Write(a[:])
	h.Write([]byte(kind + "\x00" + strings.Join(parts, "\x00")))
	var u uuid.UUID
	copy(u[:], h.Sum(nil))
	copy(u[:6], a[:6])
	u[6] = (u[6] & 0x0f) | 0x80 // version 8
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 9562 variant
	return u.String()
}
