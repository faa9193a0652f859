// Package assets keeps downloadable files and remote links (Mautic's AssetBundle, MAUTIC.md
// §6.3). A file is split into 256 KiB chunks stored in the synced asset_chunks table under
// the SHA-256 of their bytes (content addressed: the same chunk is stored once, whichever
// desktop uploads it, and every tracker of a team can serve the file from the cluster). Files
// are limited to MaxSize and to the types in Allowed, checked by their magic bytes.
package assets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fold"
	"magpie/backend/ids"
)

// Limits of stored files.
const (
	ChunkSize = 256 << 10
	MaxSize   = 25 << 20
)

func init() {
	db.Declare(db.Table{Name: "assets", Synced: true, Local: []string{"title_key"}, Derive: func(c db.Cols) {
		if v, ok := c["title"]; ok {
			s, _ := v.(string)
			c["title_key"] = fold.String(s)
		}
	}})
	db.Declare(db.Table{Name: "asset_chunks", Synced: true})
}

// Asset is one file or remote URL.
type Asset struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Slug         string   `json:"slug"`
	Category     string   `json:"category"`
	Kind         string   `json:"kind"` // file | remote
	RemoteURL    string   `json:"remoteUrl"`
	FileName     string   `json:"fileName"`
	Mime         string   `json:"mime"`
	Size         int64    `json:"size"`
	SHA256       string   `json:"sha256"`
	Chunks       []string `json:"-"`
	GateFormID   string   `json:"gateFormId"`
	Published    bool     `json:"published"`
	DateAdded    int64    `json:"dateAdded"`
	DateModified int64    `json:"dateModified"`
	Deleted      bool     `json:"deleted"`
	Downloads    int64    `json:"downloads"`
	Unique       int64    `json:"uniqueDownloads"`
}

// Sniff returns the MIME type of a file from its first bytes, or "" when the type is not
// allowed (PDF, PNG, JPEG, GIF, WebP, SVG, ZIP and the Office formats built on it, gzip, plain
// text/CSV).
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return "image/gif"
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return "image/webp"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return "application/zip"
	case bytes.HasPrefix(head, []byte("\x1f\x8b")):
		return "application/gzip"
	}
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if bytes.HasPrefix(t, []byte("<svg")) || (bytes.HasPrefix(t, []byte("<?xml")) && bytes.Contains(head, []byte("<svg"))) {
		return "image/svg+xml"
	}
	if isText(head) {
		return "text/plain"
	}
	return ""
}

func isText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b) {
			return false
		}
	}
	return true
}

// refine names the Office formats (ZIP containers) and CSV by file extension.
func refine(mime, name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case mime == "application/zip" && ext == ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case mime == "application/zip" && ext == ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case mime == "application/zip" && ext == ".pptx":
		return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	case mime == "text/plain" && ext == ".csv":
		return "text/csv"
	}
	return mime
}

// Service manages assets.
type Service struct {
	db *db.DB
}

// New returns the assets service.
func New(d *db.DB) *Service { return &Service{db: d} }

// Input is what the user edits.
type Input struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Slug       string `json:"slug"`
	Category   string `json:"category"`
	RemoteURL  string `json:"remoteUrl"`
	GateFormID string `json:"gateFormId"`
	Published  bool   `json:"published"`
}

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9\-_.]{0,99}$`)

// Slugify makes a URL slug from a title.
func Slugify(s string) string {
	s = fold.String(s)
	var b strings.Builder
	dash := false
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if len(out) > 100 {
		out = out[:100]
	}
	return out
}

func (s *Service) check(ctx context.Context, in *Input, file bool) error {
	errs, msgs := map[string]string{}, map[string]string{}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		errs["title"], msgs["title"] = "assets.errors.title", "an asset needs a title"
	}
	if in.Slug == "" {
		in.Slug = Slugify(in.Title)
	}
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	if !slugRe.MatchString(in.Slug) {
		errs["slug"], msgs["slug"] = "assets.errors.slug", fmt.Sprintf("slug %q must use a-z, 0-9, -, _ and .", in.Slug)
	} else {
		var n int
		if err := s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM assets WHERE slug = ? AND id != ? AND deleted = 0", in.Slug, in.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			errs["slug"], msgs["slug"] = "assets.errors.slugTaken", fmt.Sprintf("slug %q is used by another asset", in.Slug)
		}
	}
	if !file && in.RemoteURL != "" {
		u, err := url.Parse(in.RemoteURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs["remoteUrl"], msgs["remoteUrl"] = "assets.errors.url", fmt.Sprintf("%q must be an absolute http(s) URL", in.RemoteURL)
		}
	}
	if len(errs) > 0 {
		return apperr.FieldErrors(errs, msgs)
	}
	return nil
}

func notFound(id string) error {
	return apperr.NotFoundf("assets.errors.notFound", map[string]any{"id": id}, "no asset %q", id)
}

// ErrTooLarge and ErrType refuse a file.
var (
	ErrTooLarge = errors.New("assets: file too large")
	ErrType     = errors.New("assets: file type not allowed")
)

// Upload stores a file (read from r, at most MaxSize bytes) as a new asset, or as the new
// content of in.ID. Chunks already stored are not written again.
func (s *Service) Upload(ctx context.Context, in Input, name string, r io.Reader) (Asset, error) {
	if err := s.check(ctx, &in, true); err != nil {
		return Asset{}, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return Asset{}, err
	}
	if len(data) > MaxSize {
		return Asset{}, apperr.FieldErrors(map[string]string{"file": "assets.errors.tooLarge"},
			map[string]string{"file": fmt.Sprintf("%s is larger than %d MB (%v)", name, MaxSize>>20, ErrTooLarge)})
	}
	if len(data) == 0 {
		return Asset{}, apperr.FieldErrors(map[string]string{"file": "assets.errors.empty"}, map[string]string{"file": name + " is empty"})
	}
	mime := Sniff(data[:min(len(data), 512)])
	if mime == "" {
		return Asset{}, apperr.FieldErrors(map[string]string{"file": "assets.errors.type"},
			map[string]string{"file": fmt.Sprintf("%s is not a PDF, image, archive or text file (%v)", name, ErrType)})
	}
	mime = refine(mime, name)
	sum := sha256.Sum256(data)
	var chunks []string
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		if chunks, err = PutChunksTx(tx, data); err != nil {
			return err
		}
		cols := db.Cols{"title": in.Title, "slug": in.Slug, "category": in.Category, "kind": "file", "remote_url": "",
			"file_name": filepath.Base(name), "mime": mime, "size": len(data), "sha256": hex.EncodeToString(sum[:]),
			"chunks": toJSON(chunks), "gate_form_id": nzs(in.GateFormID), "is_published": in.Published, "date_modified": tx.NowMs()}
		return s.put(tx, &in, cols)
	})
	if err != nil {
		return Asset{}, err
	}
	return s.Get(ctx, in.ID)
}

// PutChunksTx stores data as content-addressed chunks (those already stored are not written
// again) and returns their ids in order: the blob store of assets and form uploads.
func PutChunksTx(tx *db.Tx, data []byte) ([]string, error) {
	var chunks []string
	for off := 0; off < len(data); off += ChunkSize {
		part := data[off:min(off+ChunkSize, len(data))]
		cs := sha256.Sum256(part)
		id := hex.EncodeToString(cs[:])
		chunks = append(chunks, id)
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM asset_chunks WHERE id = ?", id).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			if err := tx.Insert("asset_chunks", id, db.Cols{"data": part, "size": len(part)}); err != nil {
				return nil, err
			}
		}
	}
	return chunks, nil
}

// Save creates or updates an asset's settings (a remote URL asset when RemoteURL is set).
func (s *Service) Save(ctx context.Context, in Input) (Asset, error) {
	if err := s.check(ctx, &in, false); err != nil {
		return Asset{}, err
	}
	cols := db.Cols{"title": in.Title, "slug": in.Slug, "category": in.Category, "gate_form_id": nzs(in.GateFormID),
		"is_published": in.Published}
	if in.RemoteURL != "" {
		cols["kind"], cols["remote_url"] = "remote", in.RemoteURL
	} else if in.ID == "" {
		return Asset{}, apperr.FieldErrors(map[string]string{"remoteUrl": "assets.errors.source"},
			map[string]string{"remoteUrl": "upload a file or give a remote URL"})
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cols["date_modified"] = tx.NowMs()
		return s.put(tx, &in, cols)
	})
	if err != nil {
		return Asset{}, err
	}
	return s.Get(ctx, in.ID)
}

func (s *Service) put(tx *db.Tx, in *Input, cols db.Cols) error {
	if in.ID == "" {
		in.ID = ids.New()
		cols["date_added"] = tx.NowMs()
		return tx.Insert("assets", in.ID, cols)
	}
	ok, err := tx.Update("assets", in.ID, cols)
	if err == nil && !ok {
		return notFound(in.ID)
	}
	return err
}

const assetCols = `a.id, a.title, a.slug, a.category, a.kind, a.remote_url, a.file_name, a.mime, a.size, a.sha256, a.chunks,
	coalesce(a.gate_form_id, ''), a.is_published, a.date_added, a.date_modified, a.deleted`

func scan(sc db.Scanner, extra ...any) (Asset, error) {
	var a Asset
	var chunks string
	err := sc.Scan(append([]any{&a.ID, &a.Title, &a.Slug, &a.Category, &a.Kind, &a.RemoteURL, &a.FileName, &a.Mime, &a.Size,
		&a.SHA256, &chunks, &a.GateFormID, &a.Published, &a.DateAdded, &a.DateModified, &a.Deleted}, extra...)...)
	if err == nil {
		err = json.Unmarshal([]byte(chunks), &a.Chunks)
	}
	return a, err
}

const statsSQL = `, (SELECT count(*) FROM events e WHERE e.type = 'asset.downloaded' AND e.object_id = a.id),
	(SELECT count(DISTINCT e.contact_id) FROM events e WHERE e.type = 'asset.downloaded' AND e.object_id = a.id)`

// List returns the assets (or the trashed ones) by title, with download counts.
func (s *Service) List(ctx context.Context, trash bool) ([]Asset, error) {
	return db.Collect(ctx, s.db.R, scanWithStats, "SELECT "+assetCols+statsSQL+" FROM assets a WHERE a.deleted = ? ORDER BY coalesce(a.title_key, ''), a.id", trash)
}

// Get returns one asset with its download counts.
func (s *Service) Get(ctx context.Context, id string) (Asset, error) {
	a, err := scanWithStats(s.db.R.QueryRowContext(ctx, "SELECT "+assetCols+statsSQL+" FROM assets a WHERE a.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound(id)
	}
	return a, err
}

// scanWithStats scans an asset row followed by its two download counts (statsSQL).
func scanWithStats(sc db.Scanner) (Asset, error) {
	var n, unique int64
	a, err := scan(sc, &n, &unique)
	a.Downloads, a.Unique = n, unique
	return a, err
}

// Delete moves an asset to the trash (its chunks stay: restore brings it back whole).
func (s *Service) Delete(ctx context.Context, id string) error { return s.setDeleted(ctx, id, true) }

// Restore takes an asset out of the trash.
func (s *Service) Restore(ctx context.Context, id string) error { return s.setDeleted(ctx, id, false) }

func (s *Service) setDeleted(ctx context.Context, id string, del bool) error {
	return s.db.Trash(ctx, "assets", id, del, notFound(id))
}

// WriteTo streams an asset's file content to w, chunk by chunk, checking each chunk's hash.
func WriteTo(ctx context.Context, rd Reader, a *Asset, w io.Writer) error {
	for i, id := range a.Chunks {
		b, err := rd.Chunk(ctx, id)
		if err != nil {
			return fmt.Errorf("assets: %s chunk %d: %w", a.Slug, i, err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != id {
			return fmt.Errorf("assets: %s chunk %d is corrupt", a.Slug, i)
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func nzs(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
