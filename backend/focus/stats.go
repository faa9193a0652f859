package focus

import (
	"context"
	"encoding/json"
	"time"

	"magpie/backend/charts"
	"magpie/backend/events"
)

// Stats are an item's views and conversions (Mautic's focus_stats: views, and clicks or form
// submissions), in total, per distinct visitor, and per UTC day over the last Days days.
type Stats struct {
	Views             int             `json:"views"`
	UniqueViews       int             `json:"uniqueViews"`
	Conversions       int             `json:"conversions"`
	UniqueConversions int             `json:"uniqueConversions"`
	Rate              float64         `json:"rate"` // unique conversions / unique views
	Days              []string        `json:"days"` // YYYY-MM-DD, oldest first
	ViewsByDay        []int           `json:"viewsByDay"`
	ConversionsByDay  []int           `json:"conversionsByDay"` // unique visitors converting that day
	Chart             json.RawMessage `json:"chart"`            // echarts line option (backend/charts)
}

// Stats counts an item's focus.viewed and focus.converted events (recorded by the tracker)
// up to the db clock's now; days (1–366, default 30) is the length of the daily series.
func (s *Service) Stats(ctx context.Context, id string, days int) (Stats, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return Stats{}, err
	}
	if days <= 0 || days > 366 {
		days = 30
	}
	var st Stats
	err := s.db.R.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE type = ?1), count(DISTINCT contact_id) FILTER (WHERE type = ?1),
		count(*) FILTER (WHERE type = ?2), count(DISTINCT contact_id) FILTER (WHERE type = ?2)
		FROM events WHERE type IN (?1, ?2) AND object_id = ?3`, events.FocusViewed, events.FocusConverted, id).
		Scan(&st.Views, &st.UniqueViews, &st.Conversions, &st.UniqueConversions)
	if err != nil {
		return st, err
	}
	if st.UniqueViews > 0 {
		st.Rate = float64(st.UniqueConversions) / float64(st.UniqueViews)
	}
	now := s.db.Clock.Now().UTC()
	first := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(days - 1))
	index := map[string]int{}
	for i := 0; i < days; i++ {
		d := first.AddDate(0, 0, i).Format("2006-01-02")
		index[d] = i
		st.Days = append(st.Days, d)
	}
	st.ViewsByDay, st.ConversionsByDay = make([]int, days), make([]int, days)
	rows, err := s.db.R.QueryContext(ctx, `SELECT strftime('%Y-%m-%d', at / 1000, 'unixepoch') AS day, type,
		count(*), count(DISTINCT contact_id) FROM events
		WHERE type IN (?1, ?2) AND object_id = ?3 AND at >= ?4 GROUP BY day, type`,
		events.FocusViewed, events.FocusConverted, id, first.UnixMilli())
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var day, typ string
		var n, uniq int
		if err := rows.Scan(&day, &typ, &n, &uniq); err != nil {
			return st, err
		}
		i, ok := index[day]
		if !ok {
			continue
		}
		if typ == string(events.FocusViewed) {
			st.ViewsByDay[i] = n
		} else {
			st.ConversionsByDay[i] = uniq
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	views, convs := make([]float64, days), make([]float64, days)
	for i := range views {
		views[i], convs[i] = float64(st.ViewsByDay[i]), float64(st.ConversionsByDay[i])
	}
	st.Chart, err = charts.Option(charts.Line, charts.Data{Categories: st.Days,
		Series: []charts.Series{{Name: "Views", Values: views}, {Name: "Conversions", Values: convs}}})
	return st, err
}
