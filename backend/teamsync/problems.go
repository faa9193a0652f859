package teamsync

import (
	"context"
	"fmt"
)

// Problem is one change sync holds back and shows: a local edit the cluster refused
// (Kind "rejected", kept until the user retries it) or a teammate's change this version
// cannot apply yet (Kind "parked", retried after every pull and after an upgrade).
type Problem struct {
	Kind   string `json:"kind"`
	Table  string `json:"table"`
	RowID  string `json:"rowId"`
	Cols   string `json:"cols"` // the change's columns as JSON (truncated for display)
	Reason string `json:"reason"`
	AtMs   int64  `json:"atMs"`
}

// problemColsMax bounds the columns text shown per problem.
const problemColsMax = 300

// Problems lists the rejected local edits and the parked remote changes, newest first, at
// most limit of each.
func (e *Engine) Problems(ctx context.Context, limit int) ([]Problem, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := e.d.R.QueryContext(ctx, `SELECT * FROM (
		  SELECT 'rejected', tbl, row_id, substr(cols, 1, ?), coalesce(error, ''), created_at FROM sync_outbox
		  WHERE state = 2 ORDER BY seq DESC LIMIT ?)
		UNION ALL SELECT * FROM (
		  SELECT 'parked', tbl, row_id, substr(cols, 1, ?), reason, parked_at FROM sync_parked
		  ORDER BY parked_at DESC, seq DESC LIMIT ?)`, problemColsMax, limit, problemColsMax, limit)
	if err != nil {
		return nil, fmt.Errorf("sync: list problems: %w", err)
	}
	defer rows.Close()
	out := []Problem{}
	for rows.Next() {
		var p Problem
		if err := rows.Scan(&p.Kind, &p.Table, &p.RowID, &p.Cols, &p.Reason, &p.AtMs); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
