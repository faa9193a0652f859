package points

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/emails"
	"magpie/backend/forms"
	"magpie/backend/ids"
	"magpie/backend/segments"
	"magpie/backend/stages"
)

// Trigger event types (Mautic's point_trigger_events keys; stage.change is Magpie's).
const (
	SendEmail      = "email.send"
	ChangeTags     = "lead.changetags"
	ChangeSegments = "lead.changelists"
	ChangeStage    = "stage.change"
	// ChangeCampaigns adds the contact to / removes it from campaigns (manual membership).
	ChangeCampaigns = "campaign.changecampaign"
	// SendToUser sends an email to the contact's owner and/or chosen users and addresses
	// (Mautic's email.send_to_user), through the durable outbox.
	SendToUser = "email.send_to_user"
)

// TriggerEventTypes lists them in menu order.
var TriggerEventTypes = []string{SendEmail, SendToUser, ChangeTags, ChangeSegments, ChangeCampaigns, ChangeStage}

// TriggerEvent is one thing a trigger does; its id keys the once-per-contact log.
type TriggerEvent struct {
	ID             string   `json:"id"`
	Type           string   `json:"type"`
	Email          string   `json:"email,omitempty"`
	AddTags        []string `json:"addTags,omitempty"`
	RemoveTags     []string `json:"removeTags,omitempty"`
	AddSegments    []string `json:"addSegments,omitempty"`
	RemoveSegments []string `json:"removeSegments,omitempty"`
	Stage          string   `json:"stage,omitempty"`
	// ChangeCampaigns
	AddCampaigns    []string `json:"addCampaigns,omitempty"`
	RemoveCampaigns []string `json:"removeCampaigns,omitempty"`
	// SendToUser (Email is the email): the contact's owner, users by id, addresses.
	UseOwner bool     `json:"useOwner,omitempty"`
	Users    []string `json:"users,omitempty"`
	To       []string `json:"to,omitempty"`
}

// Trigger is one point trigger: at Points (main score or the group's), run Events once.
type Trigger struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Description     string         `json:"description"`
	Points          int64          `json:"points"`
	GroupID         string         `json:"groupId"`
	GroupName       string         `json:"groupName"`
	Color           string         `json:"color"`
	TriggerExisting bool           `json:"triggerExisting"`
	Events          []TriggerEvent `json:"events"`
	Published       bool           `json:"published"`
	PublishUp       *time.Time     `json:"publishUp"`
	PublishDown     *time.Time     `json:"publishDown"`
	DateAdded       time.Time      `json:"dateAdded"`
	DateModified    time.Time      `json:"dateModified"`
	Deleted         bool           `json:"deleted"`
	Fired           int64          `json:"fired"` // contacts it fired for
}

const selectTrigger = `SELECT t.id, t.name, t.description, t.points, coalesce(t.group_id, ''), coalesce(g.name, ''), t.color,
	t.trigger_existing, t.events, t.is_published, t.publish_up, t.publish_down, t.date_added, t.date_modified, t.deleted,
	(SELECT count(DISTINCT l.contact_id) FROM point_trigger_log l WHERE l.trigger_id = t.id)
	FROM point_triggers t LEFT JOIN point_groups g ON g.id = t.group_id`

func scanTrigger(sc db.Scanner) (Trigger, error) {
	var t Trigger
	var evs string
	var up, down sql.NullInt64
	var added, mod int64
	if err := sc.Scan(&t.ID, &t.Name, &t.Description, &t.Points, &t.GroupID, &t.GroupName, &t.Color, &t.TriggerExisting,
		&evs, &t.Published, &up, &down, &added, &mod, &t.Deleted, &t.Fired); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(evs), &t.Events); err != nil {
		return t, fmt.Errorf("points: trigger %s: events: %w", t.ID, err)
	}
	t.PublishUp, t.PublishDown = msPtr(up), msPtr(down)
	t.DateAdded, t.DateModified = time.UnixMilli(added).UTC(), time.UnixMilli(mod).UTC()
	return t, nil
}

// Triggers lists the triggers (or the trash) by threshold, then name.
func (s *Service) Triggers(ctx context.Context, trash bool) ([]Trigger, error) {
	return db.Collect(ctx, s.db.R, scanTrigger, selectTrigger+" WHERE t.deleted = ? ORDER BY t.points, t.name, t.id", trash)
}

// Trigger returns one trigger.
func (s *Service) Trigger(ctx context.Context, id string) (Trigger, error) {
	t, err := scanTrigger(s.db.R.QueryRowContext(ctx, selectTrigger+" WHERE t.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("trigger", id)
	}
	return t, err
}

// Validate checks a trigger; errors name the field (events.N.field for an event).
func (t *Trigger) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return fieldErr("name", "points.errors.nameRequired", "required")
	}
	if t.PublishUp != nil && t.PublishDown != nil && t.PublishDown.Before(*t.PublishUp) {
		return fieldErr("publishDown", "points.errors.window", "must be after the publish-up date")
	}
	for i := range t.Events {
		e := &t.Events[i]
		at := fmt.Sprintf("events.%d.", i)
		e.AddTags, e.RemoveTags = contacts.CleanTags(e.AddTags), contacts.CleanTags(e.RemoveTags)
		e.AddSegments, e.RemoveSegments = cleanList(e.AddSegments), cleanList(e.RemoveSegments)
		e.AddCampaigns, e.RemoveCampaigns = cleanList(e.AddCampaigns), cleanList(e.RemoveCampaigns)
		e.Users, e.To = cleanList(e.Users), cleanList(e.To)
		switch e.Type {
		case SendEmail:
			if e.Email == "" {
				return fieldErr(at+"email", "points.errors.emailRequired", "choose the email to send")
			}
		case SendToUser:
			if e.Email == "" {
				return fieldErr(at+"email", "points.errors.emailRequired", "choose the email to send")
			}
			if !e.UseOwner && len(e.Users)+len(e.To) == 0 {
				return fieldErr(at+"to", "points.errors.recipientsRequired", "send to the owner, a user or an address")
			}
			for _, a := range e.To {
				if _, err := mail.ParseAddress(a); err != nil || !strings.Contains(a, "@") {
					return fieldErr(at+"to", "points.errors.badAddress", fmt.Sprintf("%q is not an email address", a))
				}
			}
		case ChangeCampaigns:
			if len(e.AddCampaigns)+len(e.RemoveCampaigns) == 0 {
				return fieldErr(at+"addCampaigns", "points.errors.campaignsRequired", "add to or remove from at least one campaign")
			}
		case ChangeTags:
			if len(e.AddTags)+len(e.RemoveTags) == 0 {
				return fieldErr(at+"addTags", "points.errors.tagsRequired", "add or remove at least one tag")
			}
		case ChangeSegments:
			if len(e.AddSegments)+len(e.RemoveSegments) == 0 {
				return fieldErr(at+"addSegments", "points.errors.segmentsRequired", "add to or remove from at least one segment")
			}
		case ChangeStage:
			if e.Stage == "" {
				return fieldErr(at+"stage", "points.errors.stageRequired", "choose the stage")
			}
		default:
			return fieldErr(at+"type", "points.errors.badEventType",
				fmt.Sprintf("%q is not a trigger event type (%s)", e.Type, strings.Join(TriggerEventTypes, ", ")))
		}
		if e.ID == "" {
			e.ID = ids.New()
		}
	}
	return nil
}

// SaveTrigger validates and stores a trigger (ID empty = new). With TriggerExisting set the
// caller then runs ApplyExisting (a job: it may touch many contacts).
func (s *Service) SaveTrigger(ctx context.Context, t Trigger) (Trigger, error) {
	if t.Events == nil {
		t.Events = []TriggerEvent{}
	}
	if err := t.Validate(); err != nil {
		return Trigger{}, err
	}
	id := t.ID
	if id == "" {
		id = ids.New()
	}
	evs, err := json.Marshal(t.Events)
	if err != nil {
		return Trigger{}, err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := groupExists(tx, t.GroupID); err != nil {
			return err
		}
		for i, e := range t.Events {
			if err := checkRefs(tx, i, e); err != nil {
				return err
			}
		}
		cols := db.Cols{"name": t.Name, "description": t.Description, "points": t.Points, "group_id": nullable(t.GroupID),
			"color": t.Color, "trigger_existing": t.TriggerExisting, "events": string(evs), "is_published": t.Published,
			"publish_up": msOrNil(t.PublishUp), "publish_down": msOrNil(t.PublishDown), "date_modified": tx.NowMs()}
		return upsert(tx, "point_triggers", t.ID, id, cols)
	})
	if err != nil {
		return Trigger{}, err
	}
	return s.Trigger(ctx, id)
}

// checkRefs reports a trigger event naming an email, segment or stage that does not exist.
func checkRefs(tx *db.Tx, i int, e TriggerEvent) error {
	check := func(table, id, field string) error {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM "+table+" WHERE id = ? AND deleted = 0", id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fieldErr(fmt.Sprintf("events.%d.%s", i, field), "points.errors.missingRef", fmt.Sprintf("no %s %q", strings.TrimSuffix(table, "s"), id))
		}
		return nil
	}
	switch e.Type {
	case SendEmail:
		return check("emails", e.Email, "email")
	case SendToUser:
		if err := check("emails", e.Email, "email"); err != nil {
			return err
		}
		for _, id := range e.Users {
			if err := check("users", id, "users"); err != nil {
				return err
			}
		}
	case ChangeCampaigns:
		for _, id := range append(append([]string{}, e.AddCampaigns...), e.RemoveCampaigns...) {
			if err := check("campaigns", id, "addCampaigns"); err != nil {
				return err
			}
		}
	case ChangeStage:
		return check("stages", e.Stage, "stage")
	case ChangeSegments:
		for _, id := range append(append([]string{}, e.AddSegments...), e.RemoveSegments...) {
			if err := check("segments", id, "addSegments"); err != nil {
				return err
			}
		}
	}
	return nil
}

// fire runs the trigger's events not yet fired for the contact (each once, ever).
func fire(tx *db.Tx, t *trigger, contactID string) error {
	for _, e := range t.events {
		r, err := tx.Exec(`INSERT INTO point_trigger_log(event_id, contact_id, trigger_id, fired_at) VALUES(?, ?, ?, ?)
			ON CONFLICT(event_id, contact_id) DO NOTHING`, e.ID, contactID, t.id, tx.NowMs())
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			continue
		}
		if err := runEvent(tx, t, e, contactID); err != nil {
			return fmt.Errorf("points: trigger %q event %s: %w", t.name, e.Type, err)
		}
	}
	return nil
}

func runEvent(tx *db.Tx, t *trigger, e TriggerEvent, contactID string) error {
	switch e.Type {
	case SendEmail:
		_, err := emails.Enqueue(tx, e.Email, contactID, "trigger:"+e.ID, "trigger", time.Time{})
		if err != nil && apperr.CodeOf(err) == apperr.NotFound {
			return nil // the email went to the trash since the trigger was saved
		}
		return err
	case ChangeTags:
		return contacts.NewOps(tx, "trigger").Tag(contactID, e.AddTags, e.RemoveTags)
	case ChangeSegments:
		for _, id := range e.AddSegments {
			if _, err := segments.ManualTx(tx, id, contactID, true); err != nil && apperr.CodeOf(err) != apperr.NotFound {
				return err
			}
		}
		for _, id := range e.RemoveSegments {
			if _, err := segments.ManualTx(tx, id, contactID, false); err != nil && apperr.CodeOf(err) != apperr.NotFound {
				return err
			}
		}
		return nil
	case ChangeStage:
		err := stages.Set(tx, contactID, e.Stage, "trigger", false)
		if err != nil && apperr.CodeOf(err) == apperr.NotFound {
			return nil
		}
		return err
	case ChangeCampaigns:
		if campaignAdd == nil || campaignRemove == nil {
			return errors.New("no campaigns engine installed (points.SetCampaigns)")
		}
		for _, id := range e.AddCampaigns {
			// A campaign unpublished or trashed since the trigger was saved is skipped.
			if err := campaignAdd(tx, id, contactID); err != nil && apperr.CodeOf(err) != apperr.Invalid {
				return err
			}
		}
		for _, id := range e.RemoveCampaigns {
			if err := campaignRemove(tx, id, contactID); err != nil {
				return err
			}
		}
		return nil
	case SendToUser:
		return sendToUsers(tx, e, contactID)
	}
	return nil
}

// campaignAdd and campaignRemove change a contact's manual campaign membership inside tx
// (the campaigns engine, installed by core: campaigns imports points in its tests).
var campaignAdd, campaignRemove func(tx *db.Tx, campaignID, contactID string) error

// SetCampaigns installs the campaign membership functions "change campaigns" uses.
func SetCampaigns(add, remove func(tx *db.Tx, campaignID, contactID string) error) {
	campaignAdd, campaignRemove = add, remove
}

// sendToUsers queues the email for the contact's owner, the chosen users and addresses
// (each address once; a user or owner without an address is skipped).
func sendToUsers(tx *db.Tx, e TriggerEvent, contactID string) error {
	var live int
	if err := tx.QueryRow("SELECT count(*) FROM emails WHERE id = ? AND deleted = 0", e.Email).Scan(&live); err != nil || live == 0 {
		return err // the email went to the trash since the trigger was saved
	}
	var addrs []string
	if e.UseOwner {
		var a sql.NullString
		err := tx.QueryRow(`SELECT u.email FROM contacts c JOIN users u ON u.id = c.owner_id AND u.deleted = 0 WHERE c.id = ?`, contactID).Scan(&a)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		addrs = append(addrs, a.String)
	}
	for _, id := range e.Users {
		var a sql.NullString
		if err := tx.QueryRow("SELECT email FROM users WHERE id = ? AND deleted = 0", id).Scan(&a); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		addrs = append(addrs, a.String)
	}
	addrs = append(addrs, e.To...)
	seen := map[string]bool{}
	for _, a := range addrs {
		a = strings.TrimSpace(a)
		if a == "" || seen[strings.ToLower(a)] {
			continue
		}
		seen[strings.ToLower(a)] = true
		if err := forms.QueueUserEmail(tx, ids.Derived("point_trigger_mail", e.ID, contactID, strings.ToLower(a)), a, e.Email); err != nil {
			return err
		}
	}
	return nil
}

// ApplyExisting fires a trigger for contacts already at or above its threshold (Mautic's
// "trigger for existing contacts"), in batches of one transaction each; the log makes it
// idempotent, so a canceled run resumes by running again. progress gets the contacts seen.
func (s *Service) ApplyExisting(ctx context.Context, triggerID string, progress func(done int64)) (int64, error) {
	tr, err := s.Trigger(ctx, triggerID)
	if err != nil {
		return 0, err
	}
	if tr.Deleted || !tr.Published || len(tr.Events) == 0 {
		return 0, nil
	}
	t := compileTrigger(tr)
	if !live(t.up, t.down, s.db.Clock.Now().UnixMilli()) {
		return 0, nil // outside its publish window
	}
	q := `SELECT id FROM contacts WHERE deleted = 0 AND points >= ? AND id > ? ORDER BY id LIMIT 500`
	args := []any{tr.Points}
	if tr.GroupID != "" {
		q = `SELECT contact_id FROM point_group_scores WHERE group_id = ? AND deleted = 0 AND score >= ? AND contact_id > ?
			AND contact_id IN (SELECT id FROM contacts WHERE deleted = 0) ORDER BY contact_id LIMIT 500`
		args = []any{tr.GroupID, tr.Points}
	}
	var done int64
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		batch, err := db.Strings(s.db.R.QueryContext(ctx, q, append(append([]any{}, args...), after)...))
		if err != nil || len(batch) == 0 {
			return done, err
		}
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			for _, cid := range batch {
				if err := fire(tx, t, cid); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return done, err
		}
		done += int64(len(batch))
		after = batch[len(batch)-1]
		if progress != nil {
			progress(done)
		}
	}
}
