package emails

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fold"
	"magpie/backend/ids"
	"magpie/backend/listing"
)

// Contact-level email preferences (Mautic's lead_categories and lead_frequencyrules),
// written by the contact page and the preference center (through the tracker's ingest).

func init() {
	db.Declare(db.Table{Name: "contact_categories", Synced: true})
}

// CategorySub is a contact's subscription to one email category.
type CategorySub struct {
	Category   string `json:"category"`
	Subscribed bool   `json:"subscribed"`
}

// SetCategory subscribes (or unsubscribes) a contact to an email category in tx. An
// unsubscribed contact is skipped by marketing sends of emails in that category.
func SetCategory(tx *db.Tx, contactID, category string, subscribed bool) error {
	category = strings.TrimSpace(category)
	if category == "" {
		return apperr.FieldErrors(map[string]string{"category": "emails.errors.category"},
			map[string]string{"category": "the category is empty"})
	}
	id := ids.Derived("contact_category", contactID, fold.String(category))
	cols := db.Cols{"manually_added": subscribed, "manually_removed": !subscribed}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM contact_categories WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		cols["deleted"], cols["deleted_at"] = 0, nil
		_, err := tx.Update("contact_categories", id, cols)
		return err
	}
	cols["contact_id"], cols["category"], cols["date_added"] = contactID, category, tx.NowMs()
	return tx.Insert("contact_categories", id, cols)
}

// Categories lists the categories in use on emails (not in the trash), sorted.
func (s *Service) Categories(ctx context.Context) ([]string, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT DISTINCT category FROM emails WHERE deleted = 0 AND category <> ''
		ORDER BY category COLLATE NOCASE`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	seen := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		if k := fold.String(c); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// ContactCategories returns every email category with the contact's subscription
// (subscribed unless they unsubscribed from it).
func (s *Service) ContactCategories(ctx context.Context, contactID string) ([]CategorySub, error) {
	cats, err := s.Categories(ctx)
	if err != nil {
		return nil, err
	}
	removed, err := s.categoryOptOuts(ctx, []string{contactID})
	if err != nil {
		return nil, err
	}
	out := make([]CategorySub, 0, len(cats))
	for _, c := range cats {
		out = append(out, CategorySub{Category: c, Subscribed: !removed[contactID][fold.String(c)]})
	}
	return out, nil
}

// SetContactCategory changes one contact's category subscription (the contact page).
func (s *Service) SetContactCategory(ctx context.Context, contactID, category string, subscribed bool) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM contacts WHERE id = ? AND deleted = 0`, contactID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFoundf("contacts.errors.notFound", map[string]any{"id": contactID}, "contact %s not found", contactID)
		}
		return SetCategory(tx, contactID, category, subscribed)
	})
}

// categoryOptOuts maps contact → folded categories they unsubscribed from.
func (s *Service) categoryOptOuts(ctx context.Context, idList []string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	if len(idList) == 0 {
		return out, nil
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT contact_id, category FROM contact_categories WHERE deleted = 0
		AND manually_removed = 1 AND contact_id IN (`+listing.Placeholders(len(idList))+`)`, listing.Strings(idList)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, c string
		if err := rows.Scan(&id, &c); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = map[string]bool{}
		}
		out[id][fold.String(c)] = true
	}
	return out, rows.Err()
}

// FrequencyRule is a contact's limit for a channel: at most Number messages per Time
// (DAY, WEEK, MONTH; 0 = no limit) and no message between PauseFrom and PauseTo.
type FrequencyRule struct {
	ContactID string     `json:"contactId"`
	Channel   string     `json:"channel"`
	Number    int        `json:"number"`
	Time      string     `json:"time"`
	PauseFrom *time.Time `json:"pauseFrom"`
	PauseTo   *time.Time `json:"pauseTo"`
}

// Validate checks a rule; errors name the field.
func (r *FrequencyRule) Validate() error {
	f, msgs := map[string]string{}, map[string]string{}
	if r.Channel == "" {
		r.Channel = "email"
	}
	if r.Channel != "email" {
		f["channel"], msgs["channel"] = "emails.errors.channel", fmt.Sprintf("channel %q is not email", r.Channel)
	}
	if r.Time == "" {
		r.Time = "DAY"
	}
	switch r.Time {
	case "DAY", "WEEK", "MONTH":
	default:
		f["time"], msgs["time"] = "emails.errors.frequencyTime", "frequency period must be DAY, WEEK or MONTH"
	}
	if r.Number < 0 || r.Number > 10000 {
		f["number"], msgs["number"] = "emails.errors.frequencyNumber", fmt.Sprintf("%d messages is not between 0 and 10000", r.Number)
	}
	if (r.PauseFrom == nil) != (r.PauseTo == nil) {
		f["pauseTo"], msgs["pauseTo"] = "emails.errors.pauseBoth", "a pause needs both a start and an end date"
	} else if r.PauseFrom != nil && !r.PauseTo.After(*r.PauseFrom) {
		f["pauseTo"], msgs["pauseTo"] = "emails.errors.pauseOrder", "the pause must end after it starts"
	}
	if len(f) > 0 {
		return apperr.FieldErrors(f, msgs)
	}
	return nil
}

// SetFrequencyRule stores a contact's rule for a channel in tx (an empty rule — no number,
// no pause — removes it, so the global default applies again).
func SetFrequencyRule(tx *db.Tx, r FrequencyRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	id := ids.Derived("frequency_rule", r.ContactID, r.Channel)
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM frequency_rules WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if r.Number == 0 && r.PauseFrom == nil {
		if n > 0 {
			_, err := tx.Delete("frequency_rules", id)
			return err
		}
		return nil
	}
	cols := db.Cols{"frequency_number": r.Number, "frequency_time": r.Time, "pause_from": msOrNil(r.PauseFrom),
		"pause_to": msOrNil(r.PauseTo)}
	if n > 0 {
		cols["deleted"], cols["deleted_at"] = 0, nil
		_, err := tx.Update("frequency_rules", id, cols)
		return err
	}
	cols["contact_id"], cols["channel"], cols["date_added"] = r.ContactID, r.Channel, tx.NowMs()
	return tx.Insert("frequency_rules", id, cols)
}

// FrequencyRuleOf returns a contact's rule for the email channel (zero Number and no pause
// when none: the global default applies).
func (s *Service) FrequencyRuleOf(ctx context.Context, contactID string) (FrequencyRule, error) {
	r := FrequencyRule{ContactID: contactID, Channel: "email", Time: "DAY"}
	var from, to sql.NullInt64
	err := s.db.R.QueryRowContext(ctx, `SELECT frequency_number, frequency_time, pause_from, pause_to FROM frequency_rules
		WHERE id = ? AND deleted = 0`, ids.Derived("frequency_rule", contactID, "email")).Scan(&r.Number, &r.Time, &from, &to)
	if err == sql.ErrNoRows {
		return r, nil
	}
	if from.Valid && to.Valid {
		a, b := time.UnixMilli(from.Int64).UTC(), time.UnixMilli(to.Int64).UTC()
		r.PauseFrom, r.PauseTo = &a, &b
	}
	return r, err
}

// SaveFrequencyRule stores a contact's email rule (the contact page).
func (s *Service) SaveFrequencyRule(ctx context.Context, r FrequencyRule) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM contacts WHERE id = ? AND deleted = 0`, r.ContactID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFoundf("contacts.errors.notFound", map[string]any{"id": r.ContactID}, "contact %s not found", r.ContactID)
		}
		return SetFrequencyRule(tx, r)
	})
}
