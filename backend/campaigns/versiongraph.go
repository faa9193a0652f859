package campaigns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"magpie/backend/apperr"
)

// VersionGraph returns the graph of one published version, so the builder can show an older
// version read-only on the canvas before restoring it.
func (s *Service) VersionGraph(ctx context.Context, id string, version int) (Graph, error) {
	var text string
	err := s.db.R.QueryRowContext(ctx, "SELECT graph FROM campaign_versions WHERE campaign_id = ? AND version = ? AND deleted = 0",
		id, version).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return Graph{}, apperr.NotFoundf("campaigns.errors.versionNotFound", map[string]any{"id": id, "version": version},
			"campaign %q has no version %d", id, version)
	}
	if err != nil {
		return Graph{}, err
	}
	var g Graph
	if err := json.Unmarshal([]byte(text), &g); err != nil {
		return Graph{}, fmt.Errorf("campaign %s version %d: graph: %w", id, version, err)
	}
	return g, nil
}
