package app

import "magpie/backend/campaigns"

// VersionGraph returns the graph of one published version (shown read-only in the builder).
func (a *Campaigns) VersionGraph(id string, version int) (campaigns.Graph, error) {
	s, err := a.svc()
	if err != nil {
		return campaigns.Graph{}, err
	}
	return s.VersionGraph(a.s.context(), id, version)
}
