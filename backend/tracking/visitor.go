package tracking

import "magpie/backend/ids"

// VisitorID is the id of the anonymous contact a device creates on its first hit: derived
// from the device id so every tracker and desktop agree without talking to each other.
// It sorts next to the device: a device id is the UUIDv7 the tracker made at the device's
// first hit, and the visitor id keeps its first 48 bits (the millisecond timestamp), so
// the contacts of new visitors — and every row keyed by them: the event log's per-contact
// index, contact_stats, contact_urls, devices, UTM tags, sync clocks — are written near
// the right edge of their B-trees instead of at random places (docs/TRACKING.md, "Visitor
// ids"). Stores made before keep their visitors: a device's contact is read from
// tracking_devices, never recomputed.
func VisitorID(device string) string { return ids.DerivedNear(device, "visitor", device) }

// laterVisitorID is the id of a new visitor for a device whose first visitor was trashed:
// derived from the hit, and near it (hit ids are UUIDv7 too).
func laterVisitorID(device, hit string) string { return ids.DerivedNear(hit, "visitor", device, hit) }
