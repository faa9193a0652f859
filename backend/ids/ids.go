// Package ids makes the identifiers of every synced row: UUIDv7 text for new rows, and
// name-based UUIDs for rows with a natural key (a tag, a contact's tag, a DNC entry), so two
// desktops that create the same thing offline converge on the same row.
package ids

import (
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
func Derived(kind string, parts ...string) string {
	return uuid.NewSHA1(namespace, []byte(kind+"\x00"+strings.Join(parts, "\x00"))).String()
}

// Valid reports whether s is a canonical UUID.
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}
