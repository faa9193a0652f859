package emails

import "magpie/backend/listing"

// MembershipAudience reads the segments' materialised membership (table segment_members of
// package segments, Mautic's lead_lists_leads): a contact is in a segment when it has a row
// there that is not manually removed.
type MembershipAudience struct{}

// Members selects contacts in any of the segments.
func (MembershipAudience) Members(segs []string) (string, []any, error) {
	return `SELECT contact_id FROM segment_members WHERE manually_removed = 0 AND segment_id IN (` +
		listing.Placeholders(len(segs)) + `)`, listing.Strings(segs), nil
}

// AnyRow selects contacts with any row in the segments, manually removed or not (Mautic's
// excluded-segments rule).
func (MembershipAudience) AnyRow(segs []string) (string, []any, error) {
	return `SELECT contact_id FROM segment_members WHERE segment_id IN (` + listing.Placeholders(len(segs)) + `)`,
		listing.Strings(segs), nil
}
