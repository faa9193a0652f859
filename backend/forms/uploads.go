package forms

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/assets"
	"magpie/backend/db"
	"magpie/backend/exports"
	"magpie/backend/ids"
)

// Upload limits. A submission travels from the tracker to the desktop as one spooled hit (at
// most 1 MiB, files base64-encoded), so a file is at most MaxUpload and all the files of one
// submission at most MaxUploadTotal; a field may lower its own limit (MaxSizeKB).
const (
	MaxUpload      = 512 << 10
	MaxUploadTotal = 640 << 10
)

// DefaultFileTypes are the extensions a file field accepts when it names none. SVG is never
// accepted (it can carry script).
var DefaultFileTypes = []string{"pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "csv", "docx", "xlsx", "pptx", "zip"}

// extMime is the type the magic bytes must show for each accepted extension.
var extMime = map[string]string{"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
	"gif": "image/gif", "webp": "image/webp", "txt": "text/plain", "csv": "text/plain", "docx": "application/zip",
	"xlsx": "application/zip", "pptx": "application/zip", "zip": "application/zip", "gz": "application/gzip"}

// FileTypes returns the extensions field fd accepts (lower case, no dot).
func (fd Field) FileTypes() []string {
	if strings.TrimSpace(fd.Accept) == "" {
		return DefaultFileTypes
	}
	var out []string
	for _, e := range strings.Split(fd.Accept, ",") {
		if e = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(e), ".")); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// AcceptAttr is the file input's accept attribute (".pdf,.png").
func (fd Field) AcceptAttr() string {
	ts := fd.FileTypes()
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = "." + t
	}
	return strings.Join(out, ",")
}

// MaxBytes is the largest file field fd accepts.
func (fd Field) MaxBytes() int {
	if fd.MaxSizeKB > 0 && fd.MaxSizeKB<<10 < MaxUpload {
		return fd.MaxSizeKB << 10
	}
	return MaxUpload
}

// CheckUpload checks one uploaded file against its field: size, extension, and that the
// content's magic bytes are of the type the extension claims (a renamed executable is refused).
func CheckUpload(fd Field, name string, data []byte) *Issue {
	if len(data) == 0 {
		return &Issue{Key: "forms.validation.fileEmpty", Msg: fmt.Sprintf("%s is empty.", name)}
	}
	if len(data) > fd.MaxBytes() {
		return &Issue{Key: "forms.validation.fileSize", Msg: fmt.Sprintf("%s is larger than %d KB.", name, fd.MaxBytes()>>10)}
	}
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	allowed := false
	for _, e := range fd.FileTypes() {
		allowed = allowed || e == ext
	}
	want, known := extMime[ext]
	if !allowed || !known {
		return &Issue{Key: "forms.validation.fileType", Msg: fmt.Sprintf("%s: only %s files are accepted.", name,
			strings.Join(fd.FileTypes(), ", "))}
	}
	if got := assets.Sniff(data[:min(len(data), 512)]); got != want {
		return &Issue{Key: "forms.validation.fileContent", Msg: fmt.Sprintf("%s is not really a .%s file.", name, ext)}
	}
	return nil
}

// Upload is one file of a submission, on its way to the store.
type Upload struct {
	Field string
	Name  string
	Data  []byte
}

// StoreUploadsTx stores a submission's files (in the ingest transaction that stores the
// result): bytes as content-addressed chunks, one form_files row each. Replays change nothing.
func StoreUploadsTx(tx *db.Tx, resultID, formID string, ups []Upload) error {
	for _, u := range ups {
		mime := assets.Sniff(u.Data[:min(len(u.Data), 512)])
		if mime == "" || mime == "image/svg+xml" {
			continue // checked by the tracker; never store what it would refuse
		}
		chunks, err := assets.PutChunksTx(tx, u.Data)
		if err != nil {
			return fmt.Errorf("forms: store file %q of field %q: %w", u.Name, u.Field, err)
		}
		sum := sha256.Sum256(u.Data)
		b, _ := json.Marshal(chunks)
		_, err = tx.Exec(`INSERT INTO form_files(id, result_id, form_id, field, file_name, mime, size, sha256, chunks)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`, ids.Derived("form_file", resultID, u.Field),
			resultID, formID, u.Field, filepath.Base(u.Name), mime, len(u.Data), hex.EncodeToString(sum[:]), string(b))
		if err != nil {
			return err
		}
	}
	return nil
}

// StoredFile is an upload as the results list shows it.
type StoredFile struct {
	ID    string `json:"id"`
	Field string `json:"field"`
	Name  string `json:"name"`
	Mime  string `json:"mime"`
	Size  int64  `json:"size"`
}

// filesOf returns the files of the given results, by result id.
func (s *Service) filesOf(ctx context.Context, resultIDs []string) (map[string][]StoredFile, error) {
	out := map[string][]StoredFile{}
	for len(resultIDs) > 0 {
		n := min(len(resultIDs), 500)
		args := make([]any, n)
		for i := range args {
			args[i] = resultIDs[i]
		}
		resultIDs = resultIDs[n:]
		rows, err := s.db.R.QueryContext(ctx, `SELECT id, result_id, field, file_name, mime, size FROM form_files
			WHERE result_id IN (?`+strings.Repeat(", ?", n-1)+`) ORDER BY field`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var f StoredFile
			var rid string
			if err := rows.Scan(&f.ID, &rid, &f.Field, &f.Name, &f.Mime, &f.Size); err != nil {
				rows.Close()
				return nil, err
			}
			out[rid] = append(out[rid], f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ExportFile writes an uploaded file under dataDir/exports (the browser then downloads it,
// the desktop offers Save as), checking every chunk's hash.
func (s *Service) ExportFile(ctx context.Context, fileID, dataDir string) (exports.Result, error) {
	var a assets.Asset
	var chunks string
	err := s.db.R.QueryRowContext(ctx, "SELECT file_name, mime, size, chunks FROM form_files WHERE id = ?", fileID).
		Scan(&a.FileName, &a.Mime, &a.Size, &chunks)
	if errors.Is(err, sql.ErrNoRows) {
		return exports.Result{}, apperr.NotFoundf("forms.errors.fileNotFound", map[string]any{"id": fileID}, "no uploaded file %q", fileID)
	}
	if err != nil {
		return exports.Result{}, err
	}
	if err := json.Unmarshal([]byte(chunks), &a.Chunks); err != nil {
		return exports.Result{}, fmt.Errorf("forms: file %s chunks: %w", fileID, err)
	}
	a.Slug = a.FileName
	dir := filepath.Join(dataDir, "exports", "uploads", fileID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return exports.Result{}, err
	}
	path := filepath.Join(dir, filepath.Base(a.FileName))
	f, err := os.Create(path)
	if err != nil {
		return exports.Result{}, err
	}
	err = assets.WriteTo(ctx, assets.LocalReader{DB: s.db}, &a, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return exports.Result{}, err
	}
	return exports.Result{Path: path, Format: strings.TrimPrefix(filepath.Ext(path), "."), Rows: 1, Bytes: a.Size}, nil
}
