package app

import (
	"magpie/backend/emails"
)

// FrequencyRuleView is a contact's email frequency rule as the contact page edits it
// (pause dates YYYY-MM-DD, the last paused day included).
type FrequencyRuleView struct {
	ContactID string `json:"contactId"`
	Number    int    `json:"number"`
	Time      string `json:"time"`
	PauseFrom string `json:"pauseFrom"`
	PauseTo   string `json:"pauseTo"`
}

// ContactEmailPrefs are a contact's email preferences: category subscriptions and the
// frequency rule (the preference center edits the same data).
type ContactEmailPrefs struct {
	Categories []emails.CategorySub `json:"categories"`
	Frequency  FrequencyRuleView    `json:"frequency"`
}

// Categories lists the email categories in use (for the editor's category field).
func (a *Emails) Categories() ([]string, error) {
	return a.s.core.Emails.Categories(a.s.context())
}

// ContactPrefs returns a contact's email preferences.
func (a *Emails) ContactPrefs(contactID string) (ContactEmailPrefs, error) {
	ctx := a.s.context()
	out := ContactEmailPrefs{Categories: []emails.CategorySub{}}
	cats, err := a.s.core.Emails.ContactCategories(ctx, contactID)
	if err != nil {
		return out, err
	}
	out.Categories = cats
	r, err := a.s.core.Emails.FrequencyRuleOf(ctx, contactID)
	if err != nil {
		return out, err
	}
	out.Frequency = FrequencyRuleView{ContactID: contactID, Number: r.Number, Time: r.Time}
	if r.PauseFrom != nil && r.PauseTo != nil {
		out.Frequency.PauseFrom = r.PauseFrom.Format("2006-01-02")
		out.Frequency.PauseTo = r.PauseTo.Add(-1).Format("2006-01-02")
	}
	return out, nil
}

// SetContactCategory subscribes or unsubscribes a contact from an email category.
func (a *Emails) SetContactCategory(contactID, category string, subscribed bool) error {
	return a.s.core.Emails.SetContactCategory(a.s.context(), contactID, category, subscribed)
}

// SaveFrequencyRule stores a contact's email frequency rule (no number and no pause
// removes it: the default of the email settings applies).
func (a *Emails) SaveFrequencyRule(v FrequencyRuleView) error {
	r := emails.FrequencyRule{ContactID: v.ContactID, Channel: "email", Number: v.Number, Time: v.Time}
	from, err := parseTS("pauseFrom", v.PauseFrom)
	if err != nil {
		return err
	}
	to, err := parseTS("pauseTo", v.PauseTo)
	if err != nil {
		return err
	}
	if to != nil {
		t := to.AddDate(0, 0, 1) // the last paused day included
		to = &t
	}
	r.PauseFrom, r.PauseTo = from, to
	return a.s.core.Emails.SaveFrequencyRule(a.s.context(), r)
}
