package tracking

import (
	"strings"

	"magpie/backend/contacts"
	"magpie/backend/events"
	"magpie/backend/ids"
	"magpie/backend/pages"
	"magpie/backend/segments"
)

// applyPrefs applies a preference-center hit: unsubscribe from all email, or set the email
// channel and the memberships of the segments that were shown (and are still visible).
func (r *ingestRun) applyPrefs(contact string, h Hit) error {
	if h.Contact == "" { // only a signed link may change preferences
		r.st.Skipped++
		return nil
	}
	switch h.Data["action"] {
	case "unsubscribe":
		if err := r.ops.SetDNC(contact, "email", contacts.ReasonUnsubscribed, "", "unsubscribed on the preference center"); err != nil {
			return err
		}
	case "save":
		if h.Data["email"] == "1" {
			if _, err := r.ops.RemoveDNC(contact, "email"); err != nil {
				return err
			}
		} else if err := r.ops.SetDNC(contact, "email", contacts.ReasonUnsubscribed, "", "email turned off on the preference center"); err != nil {
			return err
		}
		in := map[string]bool{}
		for _, id := range strings.Split(h.Data["segments"], ",") {
			in[id] = true
		}
		for _, id := range strings.Split(h.Data["shown"], ",") {
			if !ids.Valid(id) {
				continue
			}
			ok, err := pages.VisiblePrefSegment(r.tx, id)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if _, err := segments.ManualTx(r.tx, id, contact, in[id]); err != nil {
				return err
			}
		}
	default:
		r.st.Skipped++
		return nil
	}
	_, err := events.Append(r.tx, events.Event{ID: h.ID, ContactID: contact, Type: events.PreferencesChanged, At: h.Time(),
		Source: Source, Data: map[string]any{"action": h.Data["action"], "segments": h.Data["segments"], "email": h.Data["email"]}})
	r.touch(contact, h.At)
	return err
}
