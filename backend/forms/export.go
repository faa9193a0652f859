package forms

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"magpie/backend/exports"
)

// ExportResults writes every result of a form as CSV or XLSX (columns: date, contact, the
// stored fields in form order, URL, IP). An empty path writes under dataDir/exports.
func (s *Service) ExportResults(ctx context.Context, formID, format, path, dataDir string) (exports.Result, error) {
	f, err := s.Get(ctx, formID)
	if err != nil {
		return exports.Result{}, err
	}
	if format != exports.XLSX {
		format = exports.CSV
	}
	if path == "" {
		dir := filepath.Join(dataDir, "exports")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return exports.Result{}, err
		}
		path = filepath.Join(dir, "form-results-"+time.Now().UTC().Format("20060102-150405")+"."+format)
	}
	var aliases []string
	header := []string{"date", "contact_id", "contact"}
	for _, fd := range f.Fields {
		if stored(fd.Type) {
			aliases = append(aliases, fd.Alias)
			label := fd.Label
			if label == "" {
				label = fd.Alias
			}
			header = append(header, label)
		}
	}
	header = append(header, "url", "ip")
	return exports.WriteTable(path, format, header, func(emit func([]any) error) error {
		rows, err := s.db.R.QueryContext(ctx, `SELECT r.at, r.contact_id, coalesce(c.email, ''), coalesce(r.url, ''), coalesce(r.ip, ''), r.vals
			FROM form_results r LEFT JOIN contacts c ON c.id = r.contact_id WHERE r.form_id = ? ORDER BY r.at, r.id`, formID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var at int64
			var cid, email, u, ip, vals string
			if err := rows.Scan(&at, &cid, &email, &u, &ip, &vals); err != nil {
				return err
			}
			m := map[string]string{}
			_ = json.Unmarshal([]byte(vals), &m)
			row := []any{time.UnixMilli(at).UTC().Format("2006-01-02 15:04:05"), cid, email}
			for _, a := range aliases {
				row = append(row, m[a])
			}
			row = append(row, u, ip)
			if err := emit(row); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}
