package assets

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"magpie/backend/rqlite"
)

// ClusterRow returns one row of a synced table from the cluster's state (nil when absent).
// Integers come back as int64, blobs as []byte.
func ClusterRow(ctx context.Context, c *rqlite.Client, table, id string) (map[string]any, error) {
	res, err := c.Query(ctx, rqlite.Weak, rqlite.S("SELECT col, val FROM state WHERE tbl = ? AND row_id = ?", table, id))
	if err != nil {
		return nil, err
	}
	if len(res) != 1 {
		return nil, fmt.Errorf("assets: cluster: %d results for 1 query", len(res))
	}
	if len(res[0].Values) == 0 {
		return nil, nil
	}
	row := map[string]any{"id": id}
	for _, v := range res[0].Values {
		if len(v) != 2 {
			continue
		}
		col, _ := v[0].(string)
		raw, _ := v[1].(string)
		dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
		dec.UseNumber()
		var x any
		if err := dec.Decode(&x); err != nil {
			return nil, fmt.Errorf("assets: cluster %s %s.%s: %w", table, id, col, err)
		}
		switch t := x.(type) {
		case json.Number:
			if n, err := t.Int64(); err == nil {
				x = n
			} else if f, err := t.Float64(); err == nil {
				x = f
			}
		case map[string]any:
			if b64, ok := t["$b"].(string); ok {
				b, err := base64.StdEncoding.DecodeString(b64)
				if err != nil {
					return nil, err
				}
				x = b
			}
		}
		row[col] = x
	}
	return row, nil
}
