package assets

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"magpie/backend/db"
	"magpie/backend/rqlite"
)

// Reader is what the tracker needs to serve assets: a live, published asset by slug (nil
// when none) and chunk bytes by id.
type Reader interface {
	BySlug(ctx context.Context, slug string) (*Asset, error)
	ByID(ctx context.Context, id string) (*Asset, error)
	Chunk(ctx context.Context, id string) ([]byte, error)
}

// LocalReader reads the local store.
type LocalReader struct{ DB *db.DB }

// BySlug returns a live, published asset.
func (l LocalReader) BySlug(ctx context.Context, slug string) (*Asset, error) {
	a, err := scan(l.DB.R.QueryRowContext(ctx, "SELECT "+assetCols+" FROM assets a WHERE a.slug = ? AND a.deleted = 0 AND a.is_published = 1", slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// ByID returns a live, published asset.
func (l LocalReader) ByID(ctx context.Context, id string) (*Asset, error) {
	a, err := scan(l.DB.R.QueryRowContext(ctx, "SELECT "+assetCols+" FROM assets a WHERE a.id = ? AND a.deleted = 0 AND a.is_published = 1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Chunk returns one chunk's bytes.
func (l LocalReader) Chunk(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := l.DB.R.QueryRowContext(ctx, "SELECT data FROM asset_chunks WHERE id = ?", id).Scan(&b)
	return b, err
}

// ClusterReader reads the team cluster's sync state.
type ClusterReader struct{ C *rqlite.Client }

// BySlug finds a live, published asset by slug in the cluster.
func (c ClusterReader) BySlug(ctx context.Context, slug string) (*Asset, error) {
	key, _ := json.Marshal(slug)
	res, err := c.C.Query(ctx, rqlite.Weak, rqlite.S("SELECT row_id FROM state WHERE tbl = 'assets' AND col = 'slug' AND val = ?", string(key)))
	if err != nil {
		return nil, err
	}
	if len(res) != 1 {
		return nil, fmt.Errorf("assets: cluster: %d results for 1 query", len(res))
	}
	for _, v := range res[0].Values {
		id, _ := v[0].(string)
		if a, err := c.ByID(ctx, id); err != nil || a != nil {
			return a, err
		}
	}
	return nil, nil
}

// ByID reads a live, published asset from the cluster.
func (c ClusterReader) ByID(ctx context.Context, id string) (*Asset, error) {
	row, err := ClusterRow(ctx, c.C, "assets", id)
	if err != nil || row == nil || str(row["deleted"]) == "1" || str(row["is_published"]) == "0" {
		return nil, err
	}
	a := &Asset{ID: id, Title: str(row["title"]), Slug: str(row["slug"]), Kind: str(row["kind"]), RemoteURL: str(row["remote_url"]),
		FileName: str(row["file_name"]), Mime: str(row["mime"]), SHA256: str(row["sha256"]), GateFormID: str(row["gate_form_id"]), Published: true}
	a.Size, _ = strconv.ParseInt(str(row["size"]), 10, 64)
	if s := str(row["chunks"]); s != "" {
		if err := json.Unmarshal([]byte(s), &a.Chunks); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Chunk returns one chunk's bytes from the cluster.
func (c ClusterReader) Chunk(ctx context.Context, id string) ([]byte, error) {
	row, err := ClusterRow(ctx, c.C, "asset_chunks", id)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, fmt.Errorf("assets: chunk %s is not in the cluster yet", id)
	}
	b, ok := row["data"].([]byte)
	if !ok {
		return nil, fmt.Errorf("assets: chunk %s has no data", id)
	}
	return b, nil
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}
