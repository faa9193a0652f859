package app

import (
	"strings"
	"time"
)

// FindHit is one named object the command palette found (or the trash holds): its kind
// (the route's first part: segments, campaigns, emails …), id, name and, in the trash, when
// it was deleted.
type FindHit struct {
	Kind      string `json:"kind"`
	ID        string `json:"id"`
	Name      string `json:"name"`
	DeletedAt string `json:"deletedAt"`
}

// findable are the named objects the palette finds: route kind, table, name column.
var findable = [][3]string{
	{"segments", "segments", "name"}, {"campaigns", "campaigns", "name"}, {"emails", "emails", "name"},
	{"forms", "forms", "name"}, {"pages", "pages", "title"}, {"reports", "reports", "name"},
	{"assets", "assets", "title"}, {"dwc", "dwc_slots", "name"}, {"focus", "focus_items", "name"},
	{"companies", "companies", "companyname"},
}

// Find returns up to perKind objects of each kind whose name contains q (case-insensitive,
// the trash left out), names starting with q first.
func (a *System) Find(q string, perKind int) ([]FindHit, error) {
	q = strings.TrimSpace(q)
	out := []FindHit{}
	if len([]rune(q)) < 2 {
		return out, nil
	}
	if perKind <= 0 || perKind > 20 {
		perKind = 5
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
	var parts []string
	var args []any
	for _, f := range findable {
		parts = append(parts, `SELECT * FROM (SELECT '`+f[0]+`', id, `+f[2]+` FROM `+f[1]+
			` WHERE deleted = 0 AND `+f[2]+` LIKE ? ESCAPE '\' ORDER BY `+f[2]+` LIKE ? ESCAPE '\' DESC, `+f[2]+` LIMIT ?)`)
		args = append(args, like, like[1:], perKind)
	}
	rows, err := a.s.core.DB.R.QueryContext(a.s.context(), strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var h FindHit
		if err := rows.Scan(&h.Kind, &h.ID, &h.Name); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Trashed lists the named objects in the trash, last deleted first (at most limit; contacts
// and companies have their own lists): each kind restores with its own Restore.
func (a *System) Trashed(limit int) ([]FindHit, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var parts []string
	for _, f := range append(findable, [3]string{"users", "users", "name"}) { // team members too
		if f[0] != "companies" {
			parts = append(parts, `SELECT '`+f[0]+`', id, `+f[2]+`, coalesce(deleted_at, 0) FROM `+f[1]+` WHERE deleted = 1`)
		}
	}
	rows, err := a.s.core.DB.R.QueryContext(a.s.context(), strings.Join(parts, " UNION ALL ")+" ORDER BY 4 DESC, 3 LIMIT ?", limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []FindHit{}
	for rows.Next() {
		var h FindHit
		var at int64
		if err := rows.Scan(&h.Kind, &h.ID, &h.Name, &at); err != nil {
			return nil, err
		}
		h.DeletedAt = ts(time.UnixMilli(at))
		out = append(out, h)
	}
	return out, rows.Err()
}
