package events

import "strings"

// GroupedByObject lists the types whose events without an object the partial index
// events_type_object (type, object_id, contact_id) still holds (migration 0089): the
// reports' summaries grouped by email, form or asset count them as a group of their own.
// Every other event is in it only with an object, so contact creation, a campaign's
// points changes and page hits of no landing page cost one B-tree entry less. SQLite uses
// a partial index only when the query's WHERE implies its condition: `object_id = ?` and
// `object_id IN (…)` imply `object_id IS NOT NULL`; a query over all events of a type (the
// summaries) adds ObjectIndexWhere as written.
var GroupedByObject = []Type{EmailSent, EmailRead, EmailClicked, EmailFailed, FormSubmitted, AssetDownloaded}

// ObjectIndexWhere is events_type_object's condition over the log aliased as alias ("" for
// the bare table), as the index writes it. The types are an OR of equalities: `type IN
// (…)` of more than two values costs a probe of a temporary index per row.
func ObjectIndexWhere(alias string) string {
	col := qualify(alias, "type")
	parts := make([]string, len(GroupedByObject))
	for i, t := range GroupedByObject {
		parts[i] = col + " = '" + string(t) + "'"
	}
	return "(" + qualify(alias, "object_id") + " IS NOT NULL OR " + strings.Join(parts, " OR ") + ")"
}

func qualify(alias, col string) string {
	if alias == "" {
		return col
	}
	return alias + "." + col
}
