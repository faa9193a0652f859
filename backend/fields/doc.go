// Package fields is the registry of contact and company fields: Mautic's core fields (fixed,
// defined in code) and custom fields (rows of the synced "fields" table, each backed by a real
// column on contacts or companies, added with ALTER TABLE).
//
// It owns value validation by type: every value entering a contact — from the UI, the CLI,
// an import, a form post — goes through Field.Parse, which turns user text into the stored
// form or a clear error.
//
// Invariants:
//   - an alias is a lower-case identifier, not a system column, unique per object;
//   - a deleted custom field keeps its column (and data) so it can be restored;
//   - a field's type never changes after creation.
package fields
