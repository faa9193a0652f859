package tracking

import (
	"context"
	"encoding/json"
	"strconv"

	"magpie/backend/db"
)

// Status is what the desktop shows about tracking.
type Status struct {
	Settings  Settings `json:"settings"`
	Snippet   string   `json:"snippet"`
	Hits      int64    `json:"hits"`      // stored hits
	Ingested  int64    `json:"ingested"`  // seq of the last hit turned into events
	Pending   int64    `json:"pending"`   // stored hits not yet ingested
	LastHitAt int64    `json:"lastHitAt"` // Unix ms, 0 = never
	Devices   int64    `json:"devices"`
	Merges    int64    `json:"merges"`
}

// GetStatus reads the tracking status of a store.
func GetStatus(ctx context.Context, d *db.DB) (Status, error) {
	var st Status
	var err error
	if st.Settings, err = LoadSettings(ctx, d); err != nil {
		return st, err
	}
	if st.Settings.PublicURL != "" {
		st.Snippet = Snippet(st.Settings.PublicURL)
	}
	cur, err := d.Meta(ctx, CursorKey)
	if err != nil {
		return st, err
	}
	st.Ingested, _ = strconv.ParseInt(cur, 10, 64)
	var maxSeq int64
	err = d.R.QueryRowContext(ctx, `SELECT count(*), coalesce(max(seq), 0), coalesce(max(at), 0),
		(SELECT count(*) FROM tracking_devices), (SELECT count(*) FROM contact_merges WHERE deleted = 0) FROM hits`).
		Scan(&st.Hits, &maxSeq, &st.LastHitAt, &st.Devices, &st.Merges)
	if err != nil {
		return st, err
	}
	if err := d.R.QueryRowContext(ctx, "SELECT count(*) FROM hits WHERE seq > ?", st.Ingested).Scan(&st.Pending); err != nil {
		return st, err
	}
	return st, nil
}

// HitRow is a stored hit as listed ("last hits" view, CLI).
type HitRow struct {
	Seq int64 `json:"seq"`
	Hit
	ContactNow string `json:"contactNow,omitempty"` // the contact the device belongs to now
}

// RecentHits lists the newest stored hits.
func RecentHits(ctx context.Context, d *db.DB, limit int) ([]HitRow, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := d.R.QueryContext(ctx, `SELECT h.seq, h.id, h.kind, h.at, coalesce(h.device_id,''), coalesce(h.contact_id,''),
		coalesce(h.email_id,''), coalesce(h.send_id,''), coalesce(h.form_id,''), coalesce(h.url,''), coalesce(h.title,''),
		coalesce(h.referrer,''), coalesce(h.lang,''), coalesce(h.user_agent,''), coalesce(h.ip,''), h.bot, coalesce(h.data,''),
		coalesce(td.contact_id, '')
		FROM hits h LEFT JOIN tracking_devices td ON td.device_id = h.device_id ORDER BY h.seq DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HitRow
	for rows.Next() {
		var r HitRow
		var data string
		if err := rows.Scan(&r.Seq, &r.ID, &r.Kind, &r.At, &r.Device, &r.Contact, &r.Email, &r.Send, &r.Form, &r.URL,
			&r.Title, &r.Referrer, &r.Lang, &r.UA, &r.IP, &r.Bot, &data, &r.ContactNow); err != nil {
			return nil, err
		}
		if data != "" {
			_ = json.Unmarshal([]byte(data), &r.Data)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
