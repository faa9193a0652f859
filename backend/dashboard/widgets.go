package dashboard

import (
	"context"
	"database/sql"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Widget types (Mautic's module keys in MAUTIC.md §10 where one exists).
const (
	TWelcome         = "welcome"                  // getting started (empty database)
	TContactsCreated = "created.leads.in.time"    // all / identified / anonymous per day
	TPageVisits      = "page.hits.in.time"        // hits and unique visitors per day
	TEmails          = "emails.in.time"           // sent / read / clicked / failed per day
	TForms           = "submissions.in.time"      // form submissions per day
	TTopPages        = "popular.pages"            // top URLs by hits
	TTopReferrers    = "top.referrers"            // top referrer hosts of page hits
	TTopEmails       = "most.sent.emails"         // top emails: sent, read, clicked
	TTopCampaigns    = "top.campaigns"            // campaigns by contacts added in the range
	TCountries       = "map.of.leads"             // contacts by country (ranked bar)
	TSegments        = "top.lists"                // segment sizes
	TUpcoming        = "upcoming.campaign.events" // next scheduled campaign actions
	TRecent          = "recent.activity"          // newest events
	TPointsFunnel    = "points.funnel"            // contacts reaching point thresholds
	TStagesFunnel    = "stages.funnel"            // contacts per stage, by weight
)

type def struct {
	run func(ctx context.Context, s *Service, sp span, l lbl, r *Result) error
}

var order = []string{TContactsCreated, TPageVisits, TEmails, TForms, TTopPages, TTopReferrers, TTopEmails,
	TTopCampaigns, TCountries, TSegments, TUpcoming, TRecent, TPointsFunnel, TStagesFunnel, TWelcome}

var registry = map[string]def{
	TWelcome:         {run: func(context.Context, *Service, span, lbl, *Result) error { return nil }},
	TContactsCreated: {run: contactsCreated},
	TPageVisits:      {run: dailySeries(Line, []metricSeries{{"page.hit", false, "hits"}, {"page.hit", true, "visitors"}})},
	TEmails: {run: dailySeries(Line, []metricSeries{{"email.sent", false, "sent"}, {"email.read", false, "read"},
		{"email.clicked", false, "clicked"}, {"email.failed", false, "failed"}})},
	TForms:        {run: dailySeries(Bar, []metricSeries{{"form.submitted", false, "submissions"}})},
	TTopPages:     {run: topList("page", "url", "url")},
	TTopReferrers: {run: topList("referrer", "referrer", "text")},
	TTopEmails:    {run: topEmails},
	TTopCampaigns: {run: topCampaigns},
	TCountries:    {run: countries},
	TSegments:     {run: segmentSizes},
	TUpcoming:     {run: upcoming},
	TRecent:       {run: recent},
	TPointsFunnel: {run: pointsFunnel},
	TStagesFunnel: {run: stagesFunnel},
}

// metricSeries is one line of a daily chart: the metric's event count or distinct contacts.
type metricSeries struct {
	metric   string
	distinct bool
	label    string
}

func dailySeries(kind Kind, ms []metricSeries) func(context.Context, *Service, span, lbl, *Result) error {
	return func(ctx context.Context, s *Service, sp span, l lbl, r *Result) error {
		d := Data{Categories: sp.Labels}
		idx := sp.Bucket
		any := false
		for _, m := range ms {
			vals := make([]float64, len(sp.Labels))
			rows, err := s.db.R.QueryContext(ctx, "SELECT day, n, u FROM dash_daily WHERE metric = ? AND day >= ? AND day <= ?",
				m.metric, sp.from(), sp.to())
			if err != nil {
				return err
			}
			for rows.Next() {
				var day string
				var n, u float64
				if err := rows.Scan(&day, &n, &u); err != nil {
					rows.Close()
					return err
				}
				if i, ok := idx[day]; ok {
					if m.distinct {
						vals[i] += u // per day; a week or month adds its days' visitors
					} else {
						vals[i] += n
					}
					any = any || vals[i] != 0
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			d.Series = append(d.Series, Series{Name: l.t(m.label), Values: vals})
		}
		if !any {
			r.Empty = "dashboard.empty.noData"
			return nil
		}
		return r.setChart(kind, d)
	}
}

// contactsCreated counts contacts by creation day (or week/month), identified and anonymous
// (Mautic's created.leads.in.time): one range count per bucket over the covering index, in
// bucket order, so no sort of the contacts is needed.
func contactsCreated(ctx context.Context, s *Service, sp span, l lbl, r *Result) error {
	nb := len(sp.Labels)
	all, ident, anon := make([]float64, nb), make([]float64, nb), make([]float64, nb)
	if s.contactsReady(ctx) {
		// The per-day rollup: two rows per day whatever the number of contacts.
		total := 0.0
		err := s.rollupRows(ctx, "id", sp, func(day, key string, n float64) {
			i, ok := sp.Bucket[day]
			if !ok {
				return
			}
			all[i] += n
			total += n
			if key == "1" {
				ident[i] += n
			} else {
				anon[i] += n
			}
		})
		if err != nil {
			return err
		}
		if total == 0 {
			r.Empty = "dashboard.empty.noContacts"
			return nil
		}
		return r.setChart(Line, Data{Categories: sp.Labels, Series: []Series{
			{Name: l.t("all"), Values: all}, {Name: l.t("identified"), Values: ident}, {Name: l.t("anonymous"), Values: anon}}})
	}
	bounds := make([]int64, nb+1) // bucket i covers [bounds[i], bounds[i+1])
	for i, day := range sp.Days {
		if i == 0 || sp.Bucket[day] != sp.Bucket[sp.Days[i-1]] {
			t, _ := time.ParseInLocation(time.DateOnly, day, sp.loc)
			bounds[sp.Bucket[day]] = t.UnixMilli()
		}
	}
	bounds[nb] = sp.endMs()
	conn, err := s.db.R.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	st, err := conn.PrepareContext(ctx, `SELECT count(*), count(date_identified) FROM contacts `+s.db.IndexedBy(ctx, "dash_contacts_added")+`
		WHERE deleted = 0 AND date_added >= ? AND date_added < ?`)
	if err != nil {
		return err
	}
	defer st.Close()
	total := 0.0
	for i := 0; i < nb; i++ {
		var n, id float64
		if err := st.QueryRowContext(ctx, bounds[i], bounds[i+1]).Scan(&n, &id); err != nil {
			return err
		}
		all[i], ident[i], anon[i] = n, id, n-id
		total += n
	}
	if total == 0 {
		r.Empty = "dashboard.empty.noContacts"
		return nil
	}
	return r.setChart(Line, Data{Categories: sp.Labels, Series: []Series{
		{Name: l.t("all"), Values: all}, {Name: l.t("identified"), Values: ident}, {Name: l.t("anonymous"), Values: anon}}})
}

// topList ranks the keys of one dash_top kind over the range.
func topList(kind, col, colKind string) func(context.Context, *Service, span, lbl, *Result) error {
	return func(ctx context.Context, s *Service, sp span, _ lbl, r *Result) error {
		counts, err := topCounts(ctx, s, sp, kind)
		if err != nil {
			return err
		}
		t := &Table{Columns: []Column{{Key: col, Kind: colKind}, {Key: "hits", Kind: "number"}}}
		for _, e := range topN(counts, 10) {
			t.Rows = append(t.Rows, []any{e.v.label, e.v.n})
		}
		return r.setTable(t, "dashboard.empty.noData")
	}
}

// topEmails ranks emails by sends in the range, with their reads and clicks.
func topEmails(ctx context.Context, s *Service, sp span, _ lbl, r *Result) error {
	src, args := topSource(sp, "email.sent", "email.read", "email.clicked")
	rows, err := s.db.R.QueryContext(ctx, `SELECT key, max(label),
			sum(CASE WHEN kind = 'email.sent' THEN n END) AS sent,
			sum(CASE WHEN kind = 'email.read' THEN n END),
			sum(CASE WHEN kind = 'email.clicked' THEN n END)
		FROM (`+src+`) GROUP BY key ORDER BY coalesce(sent, 0) DESC, key LIMIT 10`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	t := &Table{Columns: []Column{{Key: "email", Kind: "text"}, {Key: "sent", Kind: "number"},
		{Key: "read", Kind: "number"}, {Key: "clicked", Kind: "number"}}}
	for rows.Next() {
		var key, label string
		var sent, read, clicked sql.NullInt64
		if err := rows.Scan(&key, &label, &sent, &read, &clicked); err != nil {
			return err
		}
		t.Rows = append(t.Rows, []any{label, sent.Int64, read.Int64, clicked.Int64})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return r.setTable(t, "dashboard.empty.noEmails")
}

// countries ranks the countries of the contacts created in the range. echarts 6 ships no
// world map (it needs a GeoJSON fetched from the internet), so this is a ranked bar.
func countries(ctx context.Context, s *Service, sp span, l lbl, r *Result) error {
	type cn = country
	var counts []*cn
	if s.contactsReady(ctx) {
		byKey := map[string]*cn{}
		err := s.rollupRows(ctx, "country", sp, func(_, key string, n float64) {
			low := strings.ToLower(key)
			c := byKey[low]
			if c == nil {
				c = &cn{name: key}
				byKey[low] = c
				counts = append(counts, c)
			}
			c.n += n
		})
		if err != nil {
			return err
		}
		return rankCountries(nonZero(counts), l, r)
	}
	// Skip-scan the distinct countries (one index seek each), then one range count per
	// country on (country, date_added): no contact of the range is read one by one.
	rows, err := s.db.R.QueryContext(ctx, `WITH RECURSIVE c(v) AS (
			SELECT min(coalesce(country, '') COLLATE NOCASE) FROM contacts WHERE deleted = 0
			UNION ALL
			SELECT (SELECT min(coalesce(country, '') COLLATE NOCASE) FROM contacts
			        WHERE deleted = 0 AND coalesce(country, '') COLLATE NOCASE > c.v) FROM c WHERE c.v IS NOT NULL)
		SELECT v, (SELECT count(*) FROM contacts `+s.db.IndexedBy(ctx, "dash_contacts_country")+`
			WHERE deleted = 0 AND coalesce(country, '') COLLATE NOCASE = c.v AND date_added >= ? AND date_added < ?)
		FROM c WHERE v IS NOT NULL`, sp.startMs(), sp.endMs())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c cn
		if err := rows.Scan(&c.name, &c.n); err != nil {
			return err
		}
		if c.n > 0 {
			counts = append(counts, &c)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rankCountries(nonZero(counts), l, r)
}

func nonZero(l []*country) []country {
	out := make([]country, 0, len(l))
	for _, c := range l {
		if c.n > 0 {
			out = append(out, *c)
		}
	}
	return out
}

type country struct {
	name string
	n    float64
}

// rankCountries draws the 12 largest countries, then "other" and "unknown".
func rankCountries(sorted []country, l lbl, r *Result) error {
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].n != sorted[j].n {
			return sorted[i].n > sorted[j].n
		}
		return strings.ToLower(sorted[i].name) < strings.ToLower(sorted[j].name)
	})
	var list []country
	var other, unknown float64
	for _, c := range sorted {
		switch {
		case c.name == "":
			unknown += c.n
		case len(list) < 12:
			list = append(list, c)
		default:
			other += c.n
		}
	}
	if len(list) == 0 && unknown == 0 {
		r.Empty = "dashboard.empty.noContacts"
		return nil
	}
	d := Data{Series: []Series{{Name: l.t("contacts")}}}
	for _, c := range list {
		d.Categories = append(d.Categories, c.name)
		d.Series[0].Values = append(d.Series[0].Values, c.n)
	}
	if other > 0 {
		d.Categories = append(d.Categories, l.t("other"))
		d.Series[0].Values = append(d.Series[0].Values, other)
	}
	if unknown > 0 {
		d.Categories = append(d.Categories, l.t("unknown"))
		d.Series[0].Values = append(d.Series[0].Values, unknown)
	}
	return r.setChart(HBar, d)
}

// segmentSizes ranks published segments by members (Mautic's top.lists).
func segmentSizes(ctx context.Context, s *Service, _ span, l lbl, r *Result) error {
	rows, err := s.db.R.QueryContext(ctx, `SELECT g.name, coalesce(b.members, 0) AS n FROM segments g
		LEFT JOIN segment_builds b ON b.segment_id = g.id WHERE g.deleted = 0
		ORDER BY n DESC, g.name LIMIT 10`)
	if err != nil {
		return err
	}
	defer rows.Close()
	d := Data{Series: []Series{{Name: l.t("contacts")}}}
	for rows.Next() {
		var name string
		var n float64
		if err := rows.Scan(&name, &n); err != nil {
			return err
		}
		d.Categories = append(d.Categories, name)
		d.Series[0].Values = append(d.Series[0].Values, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(d.Categories) == 0 {
		r.Empty = "dashboard.empty.noSegments"
		return nil
	}
	return r.setChart(HBar, d)
}

// pointsFunnel: of the contacts created in the range, how many reached each threshold.
func pointsFunnel(ctx context.Context, s *Service, sp span, l lbl, r *Result) error {
	var all, p1, p25, p50, p100 sql.NullFloat64
	if s.contactsReady(ctx) {
		err := s.rollupRows(ctx, "band", sp, func(_, key string, n float64) {
			all.Float64 += n
			b, _ := strconv.ParseInt(key, 10, 64)
			for _, x := range []struct {
				min int64
				v   *sql.NullFloat64
			}{{1, &p1}, {25, &p25}, {50, &p50}, {100, &p100}} {
				if b >= x.min {
					x.v.Float64 += n
				}
			}
		})
		if err != nil {
			return err
		}
		return drawPointsFunnel(all.Float64, p1.Float64, p25.Float64, p50.Float64, p100.Float64, l, r)
	}
	err := s.db.R.QueryRowContext(ctx, `SELECT count(*), sum(points >= 1), sum(points >= 25), sum(points >= 50), sum(points >= 100)
		FROM contacts `+s.db.IndexedBy(ctx, "dash_contacts_added")+` WHERE deleted = 0 AND date_added >= ? AND date_added < ?`,
		sp.startMs(), sp.endMs()).Scan(&all, &p1, &p25, &p50, &p100)
	if err != nil {
		return err
	}
	return drawPointsFunnel(all.Float64, p1.Float64, p25.Float64, p50.Float64, p100.Float64, l, r)
}

func drawPointsFunnel(all, p1, p25, p50, p100 float64, l lbl, r *Result) error {
	if all == 0 {
		r.Empty = "dashboard.empty.noContacts"
		return nil
	}
	return r.setChart(Funnel, Data{Categories: []string{l.t("created"), l.t("points1"), l.t("points25"), l.t("points50"), l.t("points100")},
		Series: []Series{{Name: l.t("contacts"), Values: []float64{all, p1, p25, p50, p100}}}})
}

// rollupRows calls f for every dash_cdaily row of one dimension over the range.
func (s *Service) rollupRows(ctx context.Context, dim string, sp span, f func(day, key string, n float64)) error {
	rows, err := s.db.R.QueryContext(ctx, "SELECT day, key, n FROM dash_cdaily WHERE dim = ? AND day >= ? AND day <= ?", dim, sp.from(), sp.to())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var day, key string
		var n float64
		if err := rows.Scan(&day, &key, &n); err != nil {
			return err
		}
		f(day, key, n)
	}
	return rows.Err()
}

// topSource selects (kind, key, label, n) of dash_top for kinds over the range: whole
// months from the monthly rows, the days before the first and after the last whole month
// from the daily rows.
func topSource(sp span, kinds ...string) (string, []any) {
	first, last := sp.Start, sp.End.AddDate(0, 0, -1)
	mFrom := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, sp.loc)
	if first.Day() != 1 {
		mFrom = mFrom.AddDate(0, 1, 0)
	}
	mTo := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, sp.loc) // first day of last's month
	if last.AddDate(0, 0, 1).Day() != 1 {
		mTo = mTo.AddDate(0, -1, 0) // last's month is not whole
	}
	in := "?" + strings.Repeat(", ?", len(kinds)-1)
	var args []any
	add := func(prefix string, from, to string) {
		for _, k := range kinds {
			args = append(args, prefix+k)
		}
		args = append(args, from, to)
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	var q string
	if mFrom.After(mTo) {
		add("", sp.from(), sp.to())
		q = "SELECT kind, key, label, n FROM dash_top WHERE kind IN (" + in + ") AND day >= ? AND day <= ?"
		return q, args
	}
	add("", sp.from(), day(mFrom.AddDate(0, 0, -1)))
	add("", day(mTo.AddDate(0, 1, 0)), sp.to())
	add("m:", mFrom.Format("2006-01"), mTo.Format("2006-01"))
	q = "SELECT kind, key, label, n FROM dash_top WHERE kind IN (" + in + ") AND day >= ? AND day <= ?" +
		" UNION ALL SELECT kind, key, label, n FROM dash_top WHERE kind IN (" + in + ") AND day >= ? AND day <= ?" +
		" UNION ALL SELECT substr(kind, 3), key, label, n FROM dash_top WHERE kind IN (" + in + ") AND day >= ? AND day <= ?"
	return q, args
}

func (r *Result) setTable(t *Table, emptyKey string) error {
	if len(t.Rows) == 0 {
		r.Empty = emptyKey
		return nil
	}
	r.Table = t
	return nil
}

// tableExists reports whether another area's table is there yet (campaigns, stages).
func tableExists(ctx context.Context, q *sql.DB, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&n)
	return n > 0, err
}
