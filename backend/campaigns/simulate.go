package campaigns

import (
	"context"

	"magpie/backend/apperr"
)

// Simulate replays a campaign over a copy of the data with a virtual clock.
func (s *Service) Simulate(ctx context.Context, id, from, to string) (SimResult, error) {
	return SimResult{PerEvent: map[string]PathCounts{}}, apperr.New(apperr.Unavailable, "campaigns.errors.simulateUnavailable",
		"simulation is not available yet", nil)
}
