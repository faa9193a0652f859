package app

import (
	"context"
	"fmt"

	"magpie/backend/jobs"
	"magpie/backend/points"
	"magpie/backend/stages"
)

// Points is the points screens: point actions, triggers, groups, stages, and the contact
// page's points, group scores, stage, "Adjust points" and "Change stage".
type Points struct{ s *Shell }

// PointProps are an action's options (see backend/points.Props).
type PointProps struct {
	Emails        []string `json:"emails"`
	Pages         []string `json:"pages"`
	Forms         []string `json:"forms"`
	Assets        []string `json:"assets"`
	URL           string   `json:"url"`
	PageHits      int64    `json:"pageHits"`
	FirstTime     bool     `json:"firstTime"`
	ReturnsWithin int64    `json:"returnsWithin"` // seconds
	ReturnsAfter  int64    `json:"returnsAfter"`  // seconds
	EveryNth      int64    `json:"everyNth"`
}

// PointActionView is one point action (ID empty = new when saving).
type PointActionView struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Description  string     `json:"description"`
	Type         string     `json:"type"`
	Delta        int64      `json:"delta"`
	Props        PointProps `json:"props"`
	Repeatable   bool       `json:"repeatable"`
	GroupID      string     `json:"groupId"`
	GroupName    string     `json:"groupName"`
	Published    bool       `json:"published"`
	PublishUp    string     `json:"publishUp"`
	PublishDown  string     `json:"publishDown"`
	DateModified string     `json:"dateModified"`
	Deleted      bool       `json:"deleted"`
	Contacts     int64      `json:"contacts"`
}

// PointTriggerEventView is one thing a trigger does.
type PointTriggerEventView struct {
	ID             string   `json:"id"`
	Type           string   `json:"type"`
	Email          string   `json:"email"`
	AddTags        []string `json:"addTags"`
	RemoveTags     []string `json:"removeTags"`
	AddSegments    []string `json:"addSegments"`
	RemoveSegments []string `json:"removeSegments"`
	Stage          string   `json:"stage"`
	// campaign.changecampaign
	AddCampaigns    []string `json:"addCampaigns"`
	RemoveCampaigns []string `json:"removeCampaigns"`
	// email.send_to_user: the contact's owner, users by id, addresses
	UseOwner bool     `json:"useOwner"`
	Users    []string `json:"users"`
	To       []string `json:"to"`
}

// PointUserView is a user a trigger can email.
type PointUserView struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// PointTriggerView is one trigger; JobID is set after a save that applies it to existing
// contacts in the background.
type PointTriggerView struct {
	ID              string                  `json:"id"`
	Name            string                  `json:"name"`
	Description     string                  `json:"description"`
	Points          int64                   `json:"points"`
	GroupID         string                  `json:"groupId"`
	GroupName       string                  `json:"groupName"`
	Color           string                  `json:"color"`
	TriggerExisting bool                    `json:"triggerExisting"`
	Events          []PointTriggerEventView `json:"events"`
	Published       bool                    `json:"published"`
	PublishUp       string                  `json:"publishUp"`
	PublishDown     string                  `json:"publishDown"`
	DateModified    string                  `json:"dateModified"`
	Deleted         bool                    `json:"deleted"`
	Fired           int64                   `json:"fired"`
	JobID           string                  `json:"jobId"`
}

// PointGroupView is one point group.
type PointGroupView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Published   bool   `json:"published"`
	Deleted     bool   `json:"deleted"`
	Contacts    int64  `json:"contacts"`
}

// StageView is one stage.
type StageView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Weight      int64  `json:"weight"`
	Published   bool   `json:"published"`
	Deleted     bool   `json:"deleted"`
	Contacts    int64  `json:"contacts"`
}

// GroupScoreView is a contact's score in one group.
type GroupScoreView struct {
	GroupID   string `json:"groupId"`
	GroupName string `json:"groupName"`
	Score     int64  `json:"score"`
}

// FiredTriggerView is a trigger that fired for the contact (name and colour badge).
type FiredTriggerView struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

// ContactPointsView is what the contact page header shows.
type ContactPointsView struct {
	Points    int64              `json:"points"`
	StageID   string             `json:"stageId"`
	StageName string             `json:"stageName"`
	Groups    []GroupScoreView   `json:"groups"`
	Triggers  []FiredTriggerView `json:"triggers"`
}

func list[T any](in []T) []T {
	if in == nil {
		return []T{}
	}
	return in
}

func actionView(a points.Action) PointActionView {
	p := a.Props
	return PointActionView{ID: a.ID, Name: a.Name, Description: a.Description, Type: a.Type, Delta: a.Delta,
		Props: PointProps{Emails: list(p.Emails), Pages: list(p.Pages), Forms: list(p.Forms), Assets: list(p.Assets), URL: p.URL,
			PageHits: p.PageHits, FirstTime: p.FirstTime, ReturnsWithin: p.ReturnsWithin, ReturnsAfter: p.ReturnsAfter, EveryNth: p.EveryNth},
		Repeatable: a.Repeatable, GroupID: a.GroupID, GroupName: a.GroupName, Published: a.Published,
		PublishUp: tsPtr(a.PublishUp), PublishDown: tsPtr(a.PublishDown), DateModified: ts(a.DateModified), Deleted: a.Deleted, Contacts: a.Contacts}
}

func triggerView(t points.Trigger) PointTriggerView {
	v := PointTriggerView{ID: t.ID, Name: t.Name, Description: t.Description, Points: t.Points, GroupID: t.GroupID, GroupName: t.GroupName,
		Color: t.Color, TriggerExisting: t.TriggerExisting, Events: []PointTriggerEventView{}, Published: t.Published,
		PublishUp: tsPtr(t.PublishUp), PublishDown: tsPtr(t.PublishDown), DateModified: ts(t.DateModified), Deleted: t.Deleted, Fired: t.Fired}
	for _, e := range t.Events {
		v.Events = append(v.Events, PointTriggerEventView{ID: e.ID, Type: e.Type, Email: e.Email, AddTags: list(e.AddTags),
			RemoveTags: list(e.RemoveTags), AddSegments: list(e.AddSegments), RemoveSegments: list(e.RemoveSegments), Stage: e.Stage,
			AddCampaigns: list(e.AddCampaigns), RemoveCampaigns: list(e.RemoveCampaigns), UseOwner: e.UseOwner, Users: list(e.Users), To: list(e.To)})
	}
	return v
}

func groupView(g points.Group) PointGroupView {
	return PointGroupView{ID: g.ID, Name: g.Name, Description: g.Description, Published: g.Published, Deleted: g.Deleted, Contacts: g.Contacts}
}

func stageView(g stages.Stage) StageView {
	return StageView{ID: g.ID, Name: g.Name, Description: g.Description, Weight: g.Weight, Published: g.Published, Deleted: g.Deleted, Contacts: g.Contacts}
}

// Actions lists the point actions (or the trash).
func (a *Points) Actions(trash bool) ([]PointActionView, error) {
	l, err := a.s.core.Points.Actions(a.s.context(), trash)
	out := make([]PointActionView, 0, len(l))
	for _, x := range l {
		out = append(out, actionView(x))
	}
	return out, err
}

// SaveAction stores an action (ID empty = new).
func (a *Points) SaveAction(v PointActionView) (PointActionView, error) {
	up, err := parseTS("publishUp", v.PublishUp)
	if err != nil {
		return PointActionView{}, err
	}
	down, err := parseTS("publishDown", v.PublishDown)
	if err != nil {
		return PointActionView{}, err
	}
	p := v.Props
	saved, err := a.s.core.Points.SaveAction(a.s.context(), points.Action{ID: v.ID, Name: v.Name, Description: v.Description,
		Type: v.Type, Delta: v.Delta, Repeatable: v.Repeatable, GroupID: v.GroupID, Published: v.Published, PublishUp: up, PublishDown: down,
		Props: points.Props{Emails: p.Emails, Pages: p.Pages, Forms: p.Forms, Assets: p.Assets, URL: p.URL, PageHits: p.PageHits,
			FirstTime: p.FirstTime, ReturnsWithin: p.ReturnsWithin, ReturnsAfter: p.ReturnsAfter, EveryNth: p.EveryNth}})
	return actionView(saved), err
}

// DeleteAction moves an action to the trash.
func (a *Points) DeleteAction(id string) error {
	return a.s.core.Points.SetDeleted(a.s.context(), "point_actions", id, true)
}

// RestoreAction takes an action out of the trash.
func (a *Points) RestoreAction(id string) error {
	return a.s.core.Points.SetDeleted(a.s.context(), "point_actions", id, false)
}

// Triggers lists the triggers (or the trash).
func (a *Points) Triggers(trash bool) ([]PointTriggerView, error) {
	l, err := a.s.core.Points.Triggers(a.s.context(), trash)
	out := make([]PointTriggerView, 0, len(l))
	for _, x := range l {
		out = append(out, triggerView(x))
	}
	return out, err
}

// SaveTrigger stores a trigger; with "trigger for existing contacts" it starts a job that
// fires it for contacts already at the threshold (its id is in JobID).
func (a *Points) SaveTrigger(v PointTriggerView) (PointTriggerView, error) {
	up, err := parseTS("publishUp", v.PublishUp)
	if err != nil {
		return PointTriggerView{}, err
	}
	down, err := parseTS("publishDown", v.PublishDown)
	if err != nil {
		return PointTriggerView{}, err
	}
	t := points.Trigger{ID: v.ID, Name: v.Name, Description: v.Description, Points: v.Points, GroupID: v.GroupID, Color: v.Color,
		TriggerExisting: v.TriggerExisting, Published: v.Published, PublishUp: up, PublishDown: down}
	for _, e := range v.Events {
		t.Events = append(t.Events, points.TriggerEvent{ID: e.ID, Type: e.Type, Email: e.Email, AddTags: e.AddTags, RemoveTags: e.RemoveTags,
			AddSegments: e.AddSegments, RemoveSegments: e.RemoveSegments, Stage: e.Stage,
			AddCampaigns: e.AddCampaigns, RemoveCampaigns: e.RemoveCampaigns, UseOwner: e.UseOwner, Users: e.Users, To: e.To})
	}
	saved, err := a.s.core.Points.SaveTrigger(a.s.context(), t)
	if err != nil {
		return PointTriggerView{}, err
	}
	out := triggerView(saved)
	if saved.TriggerExisting && saved.Published {
		ps := a.s.core.Points
		out.JobID, err = a.s.core.Jobs.Start("points.trigger", fmt.Sprintf("Trigger %q for existing contacts", saved.Name),
			func(ctx context.Context, p *jobs.Progress) error {
				n, err := ps.ApplyExisting(ctx, saved.ID, func(done int64) { p.Set(done, 0, "") })
				p.Set(n, n, "")
				return err
			})
	}
	return out, err
}

// DeleteTrigger moves a trigger to the trash.
func (a *Points) DeleteTrigger(id string) error {
	return a.s.core.Points.SetDeleted(a.s.context(), "point_triggers", id, true)
}

// RestoreTrigger takes a trigger out of the trash.
func (a *Points) RestoreTrigger(id string) error {
	return a.s.core.Points.SetDeleted(a.s.context(), "point_triggers", id, false)
}

// Groups lists the point groups (or the trash).
func (a *Points) Groups(trash bool) ([]PointGroupView, error) {
	l, err := a.s.core.Points.Groups(a.s.context(), trash)
	out := make([]PointGroupView, 0, len(l))
	for _, x := range l {
		out = append(out, groupView(x))
	}
	return out, err
}

// SaveGroup stores a group (ID empty = new).
func (a *Points) SaveGroup(v PointGroupView) (PointGroupView, error) {
	g, err := a.s.core.Points.SaveGroup(a.s.context(), points.Group{ID: v.ID, Name: v.Name, Description: v.Description, Published: v.Published})
	return groupView(g), err
}

// DeleteGroup moves a group to the trash (its actions and triggers stop).
func (a *Points) DeleteGroup(id string) error {
	return a.s.core.Points.SetDeleted(a.s.context(), "point_groups", id, true)
}

// RestoreGroup takes a group out of the trash.
func (a *Points) RestoreGroup(id string) error {
	return a.s.core.Points.SetDeleted(a.s.context(), "point_groups", id, false)
}

// Stages lists the stages (or the trash) by weight.
func (a *Points) Stages(trash bool) ([]StageView, error) {
	l, err := a.s.core.Stages.List(a.s.context(), trash)
	out := make([]StageView, 0, len(l))
	for _, x := range l {
		out = append(out, stageView(x))
	}
	return out, err
}

// SaveStage stores a stage (ID empty = new).
func (a *Points) SaveStage(v StageView) (StageView, error) {
	g, err := a.s.core.Stages.Save(a.s.context(), stages.Input{ID: v.ID, Name: v.Name, Description: v.Description, Weight: v.Weight, Published: v.Published})
	return stageView(g), err
}

// DeleteStage moves a stage to the trash.
func (a *Points) DeleteStage(id string) error { return a.s.core.Stages.Delete(a.s.context(), id) }

// RestoreStage takes a stage out of the trash.
func (a *Points) RestoreStage(id string) error { return a.s.core.Stages.Restore(a.s.context(), id) }

// ContactPoints returns a contact's points, group scores and stage.
func (a *Points) ContactPoints(contactID string) (ContactPointsView, error) {
	ctx := a.s.context()
	c, err := a.s.core.Contacts.Get(ctx, contactID)
	if err != nil {
		return ContactPointsView{}, err
	}
	v := ContactPointsView{Points: c.Points, StageID: c.StageID, Groups: []GroupScoreView{}, Triggers: []FiredTriggerView{}}
	if c.StageID != "" {
		if st, err := a.s.core.Stages.Get(ctx, c.StageID); err == nil {
			v.StageName = st.Name
		}
	}
	sc, err := a.s.core.Points.ContactScores(ctx, contactID)
	if err != nil {
		return v, err
	}
	for _, x := range sc {
		v.Groups = append(v.Groups, GroupScoreView{GroupID: x.GroupID, GroupName: x.GroupName, Score: x.Score})
	}
	fired, err := a.s.core.Points.ContactTriggers(ctx, contactID)
	for _, f := range fired {
		v.Triggers = append(v.Triggers, FiredTriggerView{ID: f.TriggerID, Name: f.Name, Color: f.Color})
	}
	return v, err
}

// Adjust changes a contact's points by hand (groupID "" = main points).
func (a *Points) Adjust(contactID string, delta int64, groupID string, reason string) (ContactPointsView, error) {
	if err := a.s.core.Points.Adjust(a.s.context(), contactID, delta, groupID, reason, "ui"); err != nil {
		return ContactPointsView{}, err
	}
	return a.ContactPoints(contactID)
}

// SetStage changes a contact's stage by hand ("" = none); manual changes may go backward.
func (a *Points) SetStage(contactID string, stageID string) (ContactPointsView, error) {
	if _, err := a.s.core.Stages.SetContact(a.s.context(), contactID, stageID, "ui", true); err != nil {
		return ContactPointsView{}, err
	}
	return a.ContactPoints(contactID)
}

// Users lists the users a trigger can email (name and address).
func (a *Points) Users() ([]PointUserView, error) {
	us, err := a.s.core.Users.List(a.s.context(), false)
	if err != nil {
		return nil, err
	}
	out := []PointUserView{}
	for _, u := range us {
		out = append(out, PointUserView{ID: u.ID, Name: u.Name, Email: u.Email})
	}
	return out, nil
}
