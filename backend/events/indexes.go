package events

import "strings"

// The log's by-type indexes are partial (migration 0089): each holds only the events some
// query reads through it, so most events cost two B-tree entries fewer (contact.created
// and contact.identified are in neither; a seed has one or two per contact). SQLite uses a
// partial index only when the query's WHERE implies the index's condition: `type = 'x'`
// and `type = ?` (SQLite re-prepares for the bound value) imply an OR of equalities naming
// x, `object_id = ?` and `object_id IN (…)` imply `object_id IS NOT NULL`; anything else —
// `type IN (…)`, a summary over all events of a type — adds the condition literally, as
// TypeIndexWhere and ObjectIndexWhere write it.

// ByType lists the types events_type (type, at) holds: those read by type and date
// without a contact — reports (email events, page hits, forms, assets, points, stages,
// campaign events), the dashboard's refold (page hits, email, form and asset events),
// segment filters compiled for a scan (page hits, email and asset events), landing-page
// stats (page hits, form submissions). A new reader by type of another type adds it here
// and in a migration recreating the index.
var ByType = []Type{PageHit, EmailSent, EmailRead, EmailClicked, EmailFailed, FormSubmitted,
	AssetDownloaded, PointsChanged, StageChanged, CampaignEvent}

// GroupedByObject lists the types whose events without an object events_type_object
// (type, object_id, contact_id) still holds: the reports' summaries grouped by email, form
// or asset count them as a group of their own. Every other event is in it only with an
// object.
var GroupedByObject = []Type{EmailSent, EmailRead, EmailClicked, EmailFailed, FormSubmitted, AssetDownloaded}

// TypeIndexWhere is events_type's condition over the log aliased as alias ("" for the bare
// table), as the index writes it: a query whose WHERE does not imply it adds it.
func TypeIndexWhere(alias string) string {
	return "(" + typeIs(alias, ByType) + ")"
}

// ObjectIndexWhere is events_type_object's condition over the log aliased as alias ("" for
// the bare table), as the index writes it.
func ObjectIndexWhere(alias string) string {
	return "(" + qualify(alias, "object_id") + " IS NOT NULL OR " + typeIs(alias, GroupedByObject) + ")"
}

// typeIs is "type = 'a' OR type = 'b' …": an OR of equalities, which `type = 'a'` implies
// and which costs a few comparisons per row where `type IN (…)` of more than two values
// costs a probe of a temporary index (migration 0089).
func typeIs(alias string, types []Type) string {
	col := qualify(alias, "type")
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = col + " = '" + string(t) + "'"
	}
	return strings.Join(parts, " OR ")
}

func qualify(alias, col string) string {
	if alias == "" {
		return col
	}
	return alias + "." + col
}
