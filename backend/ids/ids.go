// Package ids makes the identifiers of every synced row: UUIDv7 text for new rows, and
// name-based UUIDs for rows with a natural key (a tag, a contact's tag, a DNC entry), so two
// desktops that create the same thing offline converge on the same row.
package ids

import (
	"crypto/sha1"
	"strings"

	"github.com/google/uuid"
)

// namespace is the fixed UUID namespace of Magpie's name-based ids. Never change it.
var namespace = uuid.MustParse("6f1d4a52-3b8e-4c1e-9a57-6d6167706965")

// New returns a fresh UUIDv7 in canonical text form.
func New() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Derived returns the name-based id of a natural key made of parts (case-sensitive; fold
// the parts first when the key is not).
// It is uuid.NewSHA1(namespace, kind NUL part NUL part…; kind NUL without parts) computed over a stack buffer when
// the key is short (the tracker derives a visitor id on every page hit).
func Derived(kind string, parts ...string) string {
	n := len(namespace) + len(kind) + max(len(parts), 1)
	for _, p := range parts {
		n += len(p)
	}
	if n > 256 {
		return uuid.NewSHA1(namespace, []byte(kind+"\x00"+strings.Join(parts, "\x00"))).String()
	}
	var buf [256]byte
	b := append(buf[:0], namespace[:]...)
	b = appendKey(b, kind, parts)
	sum := sha1.Sum(b)
	var u uuid.UUID
	copy(u[:], sum[:])
	u[6] = (u[6] & 0x0f) | 0x50 // version 5
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 4122 variant
	return u.String()
}

// DerivedNear returns a name-based id of a natural key that sorts next to anchor, a
// UUIDv7 (usually the contact the row belongs to): its first 48 bits are anchor's (the
// UUIDv7's millisecond timestamp) and the other 74 free bits come from the SHA-1 of the
// anchor and the key, with the version set to 8 (RFC 9562 custom layout) and the RFC
// variant. Every desktop computes the same id for the same (anchor, kind, parts), as with
// Derived, but the rows of new contacts land at the right edge of the id B-trees (the
// table's primary key, sync_row_clock) instead of at random places: a bulk load then
// appends instead of dirtying a different page per row once those trees outgrow the page
// cache. An anchor that is not a UUID gives Derived(kind, parts…).
//
// Rows made before DerivedNear existed keep their Derived ids: code that looks up an
// existing row by its natural key must try both (see contacts.TagLinkIDs).
func DerivedNear(anchor, kind string, parts ...string) string {
	a, err := uuid.Parse(anchor)
	if err != nil {
		return Derived(kind, parts...)
	}
	// The hashed text, on the stack when short (the tracker derives a visitor id per page
	// hit): namespace, "near" NUL, the anchor's bytes, kind NUL part NUL part…
	n := len(namespace) + len("near\x00") + len(a) + len(kind) + max(len(parts), 1)
	for _, p := range parts {
		n += len(p)
	}
	var buf [256]byte
	b := buf[:0]
	if n > len(buf) {
		b = make([]byte, 0, n)
	}
	b = append(b, namespace[:]...)
	b = append(b, "near\x00"...)
	b = append(b, a[:]...)
	b = appendKey(b, kind, parts)
	sum := sha1.Sum(b)
	var u uuid.UUID
	copy(u[:], sum[:])
	copy(u[:6], a[:6])
	u[6] = (u[6] & 0x0f) | 0x80 // version 8
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 9562 variant
	return u.String()
}

// Valid reports whether s is a canonical UUID.
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// appendKey appends kind NUL part NUL part… (the hashed text of a natural key) to b.
func appendKey(b []byte, kind string, parts []string) []byte {
	b = append(b, kind...)
	b = append(b, 0)
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, p...)
	}
	return b
}
