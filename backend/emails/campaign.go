package emails

import (
	"fmt"

	"magpie/backend/db"
)

// Send sources a campaign uses: marketing sends respect DNC and frequency rules at send
// time; transactional sends go out regardless (MAUTIC.md §4.2 email.send).
const (
	SourceCampaign      = "campaign"
	SourceTransactional = "transactional"
)

// QueueSelect queues emailID, inside tx, for the rows sel selects (contact_id, dedupe),
// skipping pairs already queued; it counts them as queued and returns how many.
// Campaigns queue a whole batch of contacts with it in one statement.
func QueueSelect(tx *db.Tx, emailID, source, sel string, args []any) (int64, error) {
	r, err := tx.Exec(`INSERT INTO email_sends(email_id, contact_id, dedupe, source, state, next_at, queued_at)
		SELECT ?, s.contact_id, s.dedupe, ?, 'pending', 0, ? FROM (`+sel+`) s WHERE true
		ON CONFLICT(email_id, contact_id, dedupe) DO NOTHING`, append([]any{emailID, source, tx.NowMs()}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("emails: queue %s: %w", emailID, err)
	}
	n, _ := r.RowsAffected()
	return n, addCount(tx, emailID, dayOf(tx.Now()), "", "queued", n)
}
