package app

import (
	"encoding/json"
	"time"

	"magpie/backend/reldate"
	"magpie/backend/segments"
)

// Segments is the segment list, editor (live count preview), members and versions.
type Segments struct{ s *Shell }

// SegmentView is one segment; filters are JSON text (Mautic flat list or nested group).
type SegmentView struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Alias        string `json:"alias"`
	Description  string `json:"description"`
	Filters      string `json:"filters"`
	Published    bool   `json:"published"`
	Static       bool   `json:"static"`
	Version      int    `json:"version"`
	DateAdded    string `json:"dateAdded"`
	DateModified string `json:"dateModified"`
	Deleted      bool   `json:"deleted"`
	Members      int    `json:"members"`
	LastBuiltAt  string `json:"lastBuiltAt"`
	LastBuildMs  int64  `json:"lastBuildMs"`
}

// SegmentInput is what the editor saves (ID empty = new).
type SegmentInput struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Alias       string `json:"alias"`
	Description string `json:"description"`
	Filters     string `json:"filters"`
	Published   bool   `json:"published"`
}

// SegmentMember is one contact of a member list or preview sample.
type SegmentMember struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	Name          string `json:"name"`
	DateAdded     string `json:"dateAdded"`
	ManuallyAdded bool   `json:"manuallyAdded"`
}

// SegmentPreview is the live count of a filter being edited.
type SegmentPreview struct {
	Count  int             `json:"count"`
	Sample []SegmentMember `json:"sample"`
	Ms     int64           `json:"ms"`
}

// SegmentMembersPage is a page of members.
type SegmentMembersPage struct {
	Rows  []SegmentMember `json:"rows"`
	Total int             `json:"total"`
}

// SegmentVersion is one saved state.
type SegmentVersion struct {
	Version   int    `json:"version"`
	Name      string `json:"name"`
	Filters   string `json:"filters"`
	Published bool   `json:"published"`
	At        string `json:"at"`
}

// SegmentOperator is an operator with its labels.
type SegmentOperator struct {
	Code    string `json:"code"`
	Label   string `json:"label"`
	LabelFR string `json:"labelFr"`
}

// SegmentField is one filterable field of the catalogue.
type SegmentField struct {
	Alias     string              `json:"alias"`
	Object    string              `json:"object"`
	Group     string              `json:"group"`
	Label     string              `json:"label"`
	LabelFR   string              `json:"labelFr"`
	Type      string              `json:"type"`
	FieldType string              `json:"fieldType"` // the field's own type (country, timezone …) when the filter is a field
	Operators []string            `json:"operators"`
	Options   []map[string]string `json:"options"`
}

// SegmentCatalogue is everything the filter editor offers.
type SegmentCatalogue struct {
	Fields       []SegmentField    `json:"fields"`
	Operators    []SegmentOperator `json:"operators"`
	DateKeywords []string          `json:"dateKeywords"`
}

// SegmentBuild reports a rebuild.
type SegmentBuild struct {
	SegmentID string `json:"segmentId"`
	Added     int    `json:"added"`
	Removed   int    `json:"removed"`
	Members   int    `json:"members"`
	Ms        int64  `json:"ms"`
	Skipped   string `json:"skipped"`
}

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func segmentView(g segments.Segment) SegmentView {
	v := SegmentView{ID: g.ID, Name: g.Name, Alias: g.Alias, Description: g.Description, Filters: string(g.Filters),
		Published: g.Published, Static: g.Static, Version: g.Version, DateAdded: isoTime(g.DateAdded),
		DateModified: isoTime(g.DateModified), Deleted: g.Deleted, Members: g.Members, LastBuildMs: g.LastBuildMs}
	if g.LastBuiltAt != nil {
		v.LastBuiltAt = isoTime(*g.LastBuiltAt)
	}
	return v
}

func memberViews(ms []segments.Member) []SegmentMember {
	out := make([]SegmentMember, 0, len(ms))
	for _, m := range ms {
		v := SegmentMember{ID: m.ID, Email: m.Email, Name: m.Name, ManuallyAdded: m.ManuallyAdded}
		if !m.DateAdded.IsZero() {
			v.DateAdded = isoTime(m.DateAdded)
		}
		out = append(out, v)
	}
	return out
}

// List returns the segments (trash = the deleted ones).
func (a *Segments) List(trash bool) ([]SegmentView, error) {
	list, err := a.s.core.Segments.List(a.s.context(), trash)
	out := make([]SegmentView, 0, len(list))
	for _, g := range list {
		out = append(out, segmentView(g))
	}
	return out, err
}

// Get returns one segment.
func (a *Segments) Get(id string) (SegmentView, error) {
	g, err := a.s.core.Segments.Get(a.s.context(), id)
	return segmentView(g), err
}

// Save validates, stores (new version) and rebuilds a segment.
func (a *Segments) Save(in SegmentInput) (SegmentView, error) {
	pub := in.Published
	g, err := a.s.core.Segments.Save(a.s.context(), segments.Input{ID: in.ID, Name: in.Name, Alias: in.Alias,
		Description: in.Description, Filters: json.RawMessage(in.Filters), Published: &pub})
	return segmentView(g), err
}

// Delete moves a segment to the trash.
func (a *Segments) Delete(id string) error { return a.s.core.Segments.Delete(a.s.context(), id) }

// Restore brings a segment back from the trash.
func (a *Segments) Restore(id string) error { return a.s.core.Segments.Restore(a.s.context(), id) }

// Preview counts the contacts the filters match now, with a sample (nothing is stored).
func (a *Segments) Preview(filters string, selfID string, sample int) (SegmentPreview, error) {
	start := time.Now()
	n, ms, err := a.s.core.Segments.Preview(a.s.context(), []byte(filters), selfID, time.Time{}, sample)
	return SegmentPreview{Count: n, Sample: memberViews(ms), Ms: time.Since(start).Milliseconds()}, err
}

// Members returns a page of a segment's members.
func (a *Segments) Members(id string, offset, limit int) (SegmentMembersPage, error) {
	ms, total, err := a.s.core.Segments.Members(a.s.context(), id, offset, limit)
	return SegmentMembersPage{Rows: memberViews(ms), Total: total}, err
}

// AddMembers adds contacts by hand.
func (a *Segments) AddMembers(id string, contactIDs []string) (int, error) {
	return a.s.core.Segments.AddManual(a.s.context(), id, contactIDs)
}

// RemoveMembers removes contacts by hand (they stay out while they match).
func (a *Segments) RemoveMembers(id string, contactIDs []string) (int, error) {
	return a.s.core.Segments.RemoveManual(a.s.context(), id, contactIDs)
}

// Versions lists a segment's saved versions, newest first.
func (a *Segments) Versions(id string) ([]SegmentVersion, error) {
	vs, err := a.s.core.Segments.Versions(a.s.context(), id)
	out := make([]SegmentVersion, 0, len(vs))
	for _, v := range vs {
		out = append(out, SegmentVersion{Version: v.Version, Name: v.Name, Filters: string(v.Filters), Published: v.Published, At: isoTime(v.At)})
	}
	return out, err
}

// Revert saves an older version as the newest one.
func (a *Segments) Revert(id string, version int) (SegmentView, error) {
	g, err := a.s.core.Segments.RevertTo(a.s.context(), id, version)
	return segmentView(g), err
}

// Rebuild recomputes a segment's membership now.
func (a *Segments) Rebuild(id string) (SegmentBuild, error) {
	r, err := a.s.core.Segments.Rebuild(a.s.context(), id, time.Time{})
	return SegmentBuild(r), err
}

// OfContact lists the segments a contact is in.
func (a *Segments) OfContact(contactID string) ([]SegmentView, error) {
	list, err := a.s.core.Segments.ContactSegments(a.s.context(), contactID)
	out := make([]SegmentView, 0, len(list))
	for _, g := range list {
		out = append(out, segmentView(g))
	}
	return out, err
}

// Catalogue lists the filterable fields, operators and date keywords.
func (a *Segments) Catalogue() (SegmentCatalogue, error) {
	defs, err := a.s.core.Segments.Catalogue(a.s.context()) // fields + point groups
	if err != nil {
		return SegmentCatalogue{}, err
	}
	out := SegmentCatalogue{DateKeywords: reldate.Keywords}
	for _, d := range defs {
		f := SegmentField{Alias: d.Alias, Object: d.Object, Group: d.Group, Label: d.Label, LabelFR: d.LabelFR,
			Type: d.Type, FieldType: d.FType, Operators: d.Ops, Options: []map[string]string{}}
		for _, o := range d.Options {
			f.Options = append(f.Options, map[string]string{"value": o.Value, "label": o.Label})
		}
		switch {
		case d.Kind == segments.KCampaign:
			f.Options, err = a.options("SELECT id, name FROM campaigns WHERE deleted = 0 ORDER BY name, id")
		case d.Kind == segments.KTags: // suggestions; other tag names can still be typed
			f.Options, err = a.options("SELECT name, name FROM tags WHERE deleted = 0 ORDER BY name LIMIT 2000")
		case d.Type == "emails":
			f.Options, err = a.options("SELECT id, name FROM emails WHERE deleted = 0 ORDER BY name, id LIMIT 2000")
		case d.Type == "assets":
			f.Options, err = a.options("SELECT id, title FROM assets WHERE deleted = 0 ORDER BY title, id LIMIT 2000")
		case d.Alias == "stage":
			f.Options, err = a.options("SELECT id, name FROM stages WHERE deleted = 0 ORDER BY weight, name, id")
		case d.Alias == "owner_id":
			f.Options, err = a.options("SELECT id, coalesce(nullif(name, ''), email, id) FROM users WHERE deleted = 0 ORDER BY 2, id")
		}
		if err != nil {
			return SegmentCatalogue{}, err
		}
		out.Fields = append(out.Fields, f)
	}
	for _, code := range []string{"=", "!=", "gt", "gte", "lt", "lte", "empty", "!empty", "like", "!like", "in", "!in",
		"regexp", "!regexp", "startsWith", "endsWith", "contains", "between", "!between", "anyOf", "allOf", "noneOf", "notAllOf"} {
		l := segments.OperatorLabels[code]
		out.Operators = append(out.Operators, SegmentOperator{Code: code, Label: l[0], LabelFR: l[1]})
	}
	return out, nil
}

// options are the value choices a filter offers (campaigns, tags, emails, assets, stages,
// owners; trash excluded):
// query selects value and label.
func (a *Segments) options(query string) ([]map[string]string, error) {
	rows, err := a.s.core.DB.R.QueryContext(a.s.context(), query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []map[string]string{}
	for rows.Next() {
		var value, label string
		if err := rows.Scan(&value, &label); err != nil {
			return nil, err
		}
		out = append(out, map[string]string{"value": value, "label": label})
	}
	return out, rows.Err()
}
