package tracking

import (
	"strconv"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/emails"

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
		if err := r.applyPrefsEmail(contact, h); err != nil {
			return err
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

// applyPrefsEmail applies the category subscriptions and the email frequency rule of a
// preference-center save (validated by the tracker; anything invalid is left unchanged).
func (r *ingestRun) applyPrefsEmail(contact string, h Hit) error {
	if shown := h.Data["categories_shown"]; shown != "" {
		in := map[string]bool{}
		for _, c := range strings.Split(h.Data["categories"], "\n") {
			in[strings.ToLower(c)] = true
		}
		for _, c := range strings.Split(shown, "\n") {
			if err := emails.SetCategory(r.tx, contact, c, in[strings.ToLower(c)]); err != nil && apperr.CodeOf(err) != apperr.Invalid {
				return err
			}
		}
	}
	if h.Data["freq"] != "1" {
		return nil
	}
	rule := emails.FrequencyRule{ContactID: contact, Channel: "email", Time: h.Data["freq_time"]}
	rule.Number, _ = strconv.Atoi(h.Data["freq_number"])
	from, e1 := time.Parse("2006-01-02", h.Data["pause_from"])
	to, e2 := time.Parse("2006-01-02", h.Data["pause_to"])
	if e1 == nil && e2 == nil {
		to = to.Add(24 * time.Hour) // the last paused day included
		rule.PauseFrom, rule.PauseTo = &from, &to
	}
	if err := emails.SetFrequencyRule(r.tx, rule); err != nil && apperr.CodeOf(err) != apperr.Invalid {
		return err
	}
	return nil
}
