package forms

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"magpie/backend/assets"
	"magpie/backend/db"
	"magpie/backend/rqlite"
)

// Reader is what the tracker needs to serve forms: a published, live form definition (nil
// when unknown, trashed or unpublished) and a contact's values (prefill and progressive
// profiling). LocalReader reads the local store; ClusterReader the team's rqlite cluster.
type Reader interface {
	Form(ctx context.Context, id string) (*Form, error)
	Contact(ctx context.Context, id string) (map[string]string, error)
}

// LocalReader reads the local SQLite store.
type LocalReader struct{ DB *db.DB }

// Form returns a live, published form.
func (l LocalReader) Form(ctx context.Context, id string) (*Form, error) {
	f, err := scanForm(l.DB.R.QueryRowContext(ctx, "SELECT "+formCols+" FROM forms WHERE id = ? AND deleted = 0 AND is_published = 1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// Contact returns a live contact's non-empty values as text.
func (l LocalReader) Contact(ctx context.Context, id string) (map[string]string, error) {
	rows, err := l.DB.R.QueryContext(ctx, "SELECT * FROM contacts WHERE id = ? AND deleted = 0", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if !rows.Next() {
		return out, rows.Err()
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, c := range cols {
		if s := text(vals[i]); s != "" {
			out[c] = s
		}
	}
	return out, rows.Err()
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}

// ClusterReader reads the team cluster's materialised sync state (state(tbl, row_id, col,
// val) with JSON cell values, SYNC.md §3.3), which holds every synced table's rows.
type ClusterReader struct{ C *rqlite.Client }

// ClusterRow returns one row of a synced table from the cluster's state (nil when absent);
// see assets.ClusterRow.
func ClusterRow(ctx context.Context, c *rqlite.Client, table, id string) (map[string]any, error) {
	return assets.ClusterRow(ctx, c, table, id)
}

// Form returns a live, published form from the cluster.
func (c ClusterReader) Form(ctx context.Context, id string) (*Form, error) {
	row, err := ClusterRow(ctx, c.C, "forms", id)
	if err != nil || row == nil {
		return nil, err
	}
	if text(row["deleted"]) == "1" || text(row["is_published"]) == "0" {
		return nil, nil
	}
	f := &Form{ID: id, Name: text(row["name"]), Kind: text(row["kind"]), Kiosk: text(row["kiosk"]) == "1",
		SubmitLabel: text(row["submit_label"]), PostAction: text(row["post_action"]), PostValue: text(row["post_value"]), Published: true}
	f.MinSeconds, _ = strconv.Atoi(text(row["min_seconds"]))
	if s := text(row["fields"]); s != "" {
		if err := json.Unmarshal([]byte(s), &f.Fields); err != nil {
			return nil, err
		}
	}
	if s := text(row["actions"]); s != "" {
		if err := json.Unmarshal([]byte(s), &f.Actions); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Contact returns a contact's values from the cluster.
func (c ClusterReader) Contact(ctx context.Context, id string) (map[string]string, error) {
	row, err := ClusterRow(ctx, c.C, "contacts", id)
	out := map[string]string{}
	if err != nil || row == nil || text(row["deleted"]) == "1" {
		return out, err
	}
	for k, v := range row {
		if s := text(v); s != "" {
			out[k] = s
		}
	}
	return out, nil
}
