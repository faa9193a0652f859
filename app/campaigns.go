package app

import (
	"magpie/backend/apperr"
	"magpie/backend/campaigns"
)

// Campaigns is the campaign list, the builder (draft, validation, publish, versions), live
// counts, membership, simulation and import/export.
type Campaigns struct{ s *Shell }

// CampaignQuery filters the list.
type CampaignQuery struct {
	Search string `json:"search"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Trash  bool   `json:"trash"`
}

func (a *Campaigns) svc() (*campaigns.Service, error) {
	if a.s.core == nil || a.s.core.Campaigns == nil {
		return nil, apperr.New(apperr.Unavailable, "campaigns.errors.unavailable", "campaigns are not available", nil)
	}
	return a.s.core.Campaigns, nil
}

// List returns campaigns by name (graphs omitted).
func (a *Campaigns) List(q CampaignQuery) ([]campaigns.Campaign, error) {
	s, err := a.svc()
	if err != nil {
		return nil, err
	}
	return s.List(a.s.context(), campaigns.Query{Search: q.Search, Limit: q.Limit, Offset: q.Offset, Trash: q.Trash})
}

// Get returns one campaign with its draft graph.
func (a *Campaigns) Get(id string) (campaigns.Campaign, error) {
	s, err := a.svc()
	if err != nil {
		return campaigns.Campaign{}, err
	}
	return s.Get(a.s.context(), id)
}

// Save stores the draft (never refused for graph problems; only a missing name).
func (a *Campaigns) Save(in campaigns.Input) (campaigns.Campaign, error) {
	s, err := a.svc()
	if err != nil {
		return campaigns.Campaign{}, err
	}
	return s.Save(a.s.context(), in)
}

// Validate lists the problems of a graph (shown on the canvas).
func (a *Campaigns) Validate(g campaigns.Graph) ([]campaigns.Problem, error) {
	s, err := a.svc()
	if err != nil {
		return nil, err
	}
	return s.Validate(a.s.context(), g)
}

// Publish validates and publishes the draft as a new version; refused with
// campaigns.errors.problems (params.problems) when the graph has problems.
func (a *Campaigns) Publish(id string) (campaigns.Campaign, error) {
	s, err := a.svc()
	if err != nil {
		return campaigns.Campaign{}, err
	}
	return s.Publish(a.s.context(), id)
}

// Unpublish stops a campaign.
func (a *Campaigns) Unpublish(id string) (campaigns.Campaign, error) {
	s, err := a.svc()
	if err != nil {
		return campaigns.Campaign{}, err
	}
	return s.Unpublish(a.s.context(), id)
}

// Versions lists the published versions, newest first.
func (a *Campaigns) Versions(id string) ([]campaigns.Version, error) {
	s, err := a.svc()
	if err != nil {
		return nil, err
	}
	return s.Versions(a.s.context(), id)
}

// RestoreVersion copies an older version into the draft.
func (a *Campaigns) RestoreVersion(id string, version int) (campaigns.Campaign, error) {
	s, err := a.svc()
	if err != nil {
		return campaigns.Campaign{}, err
	}
	return s.RestoreVersion(a.s.context(), id, version)
}

// Stats returns live counts per event id.
func (a *Campaigns) Stats(id string) (map[string]campaigns.Counts, error) {
	s, err := a.svc()
	if err != nil {
		return nil, err
	}
	return s.Stats(a.s.context(), id)
}

// Catalogue lists every event type with its properties.
func (a *Campaigns) Catalogue() ([]campaigns.EventSpec, error) { return campaigns.Catalogue(), nil }

// Delete moves a campaign to the trash.
func (a *Campaigns) Delete(id string) error {
	s, err := a.svc()
	if err != nil {
		return err
	}
	return s.Delete(a.s.context(), id)
}

// Restore takes a campaign out of the trash (unpublished).
func (a *Campaigns) Restore(id string) error {
	s, err := a.svc()
	if err != nil {
		return err
	}
	return s.Restore(a.s.context(), id)
}

// AddContacts adds contacts by hand; it returns how many entered.
func (a *Campaigns) AddContacts(id string, contactIDs []string) (int, error) {
	s, err := a.svc()
	if err != nil {
		return 0, err
	}
	return s.AddContacts(a.s.context(), id, contactIDs)
}

// RemoveContacts removes contacts by hand; it returns how many left.
func (a *Campaigns) RemoveContacts(id string, contactIDs []string) (int, error) {
	s, err := a.svc()
	if err != nil {
		return 0, err
	}
	return s.RemoveContacts(a.s.context(), id, contactIDs)
}

// Simulate replays the campaign's draft over a copy of the data between from and to
// (RFC 3339) and counts the contacts on each path.
func (a *Campaigns) Simulate(id, from, to string) (campaigns.SimResult, error) {
	s, err := a.svc()
	if err != nil {
		return campaigns.SimResult{}, err
	}
	return s.Simulate(a.s.context(), id, from, to)
}

// Export returns the campaign as JSON text.
func (a *Campaigns) Export(id string) (string, error) {
	s, err := a.svc()
	if err != nil {
		return "", err
	}
	return s.Export(a.s.context(), id)
}

// Import creates an unpublished campaign from exported JSON text.
func (a *Campaigns) Import(text string) (campaigns.Campaign, error) {
	s, err := a.svc()
	if err != nil {
		return campaigns.Campaign{}, err
	}
	return s.Import(a.s.context(), text)
}
