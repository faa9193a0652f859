package emails

import (
	"context"
	"sort"

	"magpie/backend/listing"
)

// Counts are the numbers of one email or variant.
type Counts struct {
	Queued     int64 `json:"queued"`
	Pending    int64 `json:"pending"`
	Sent       int64 `json:"sent"`
	Failed     int64 `json:"failed"`
	Bounced    int64 `json:"bounced"`
	Skipped    int64 `json:"skipped"`
	SkippedDNC int64 `json:"skippedDnc"`
	// SkippedCategory: unsubscribed from the email's category (preference center).
	SkippedCategory int64 `json:"skippedCategory"`
	Invalid         int64 `json:"invalid"`
	Read            int64 `json:"read"`      // unique (a click counts as a read)
	ReadTotal       int64 `json:"readTotal"` // every pixel load
	Clicked         int64 `json:"clicked"`   // unique per message
	ClickedTotal    int64 `json:"clickedTotal"`
	Unsubscribed    int64 `json:"unsubscribed"`
	// ResentUncertain counts messages resent after a crash left them in an unknown state
	// (transmission started, acceptance not recorded): same Message-ID, maybe delivered twice.
	ResentUncertain int64   `json:"resentUncertain"`
	ReadRate        float64 `json:"readRate"`  // read / sent
	ClickRate       float64 `json:"clickRate"` // clicked / sent
}

func (c *Counts) add(metric string, n int64) {
	switch metric {
	case "queued":
		c.Queued += n
	case "sent":
		c.Sent += n
	case "failed":
		c.Failed += n
	case "bounced":
		c.Bounced += n
	case "skipped":
		c.Skipped += n
	case "skipped_dnc":
		c.SkippedDNC += n
	case "skipped_category":
		c.SkippedCategory += n
	case "skipped_invalid":
		c.Invalid += n
	case "read":
		c.Read += n
	case "read_total":
		c.ReadTotal += n
	case "clicked":
		c.Clicked += n
	case "clicked_total":
		c.ClickedTotal += n
	case "resent_uncertain":
		c.ResentUncertain += n
	case "unsubscribed":
		c.Unsubscribed += n
	}
}

func (c *Counts) rates() {
	if c.Sent > 0 {
		c.ReadRate = float64(c.Read) / float64(c.Sent)
		c.ClickRate = float64(c.Clicked) / float64(c.Sent)
	}
}

// VariantStats are one variant's (or translation's) numbers.
type VariantStats struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"` // parent | variant | translation
	Weight int    `json:"weight"`
	Counts Counts `json:"counts"`
	Winner bool   `json:"winner"`
}

// DayStats are the numbers of one day.
type DayStats struct {
	Day     string `json:"day"`
	Sent    int64  `json:"sent"`
	Read    int64  `json:"read"`
	Clicked int64  `json:"clicked"`
	Failed  int64  `json:"failed"`
}

// DeviceStats are reads and clicks per device type.
type DeviceStats struct {
	Device  string `json:"device"`
	Read    int64  `json:"read"`
	Clicked int64  `json:"clicked"`
}

// LinkStats are the clicks of one link.
type LinkStats struct {
	URL    string `json:"url"`
	Clicks int64  `json:"clicks"`
	Unique int64  `json:"unique"`
}

// Stats are an email's statistics, from the counters (never a scan of the sends).
type Stats struct {
	EmailID  string         `json:"emailId"`
	Totals   Counts         `json:"totals"`
	Variants []VariantStats `json:"variants"`
	ByDay    []DayStats     `json:"byDay"`
	ByDevice []DeviceStats  `json:"byDevice"`
	Links    []LinkStats    `json:"links"`
	// WinnerDecided is true once the A/B test's winner is chosen (winner criteria set).
	WinnerDecided bool `json:"winnerDecided"`
	// AB is the A/B test (criteria, clock, winner, rates, held recipients); nil without one.
	AB *ABState `json:"ab"`
}

// Stats computes an email's statistics (the parent with its variants and translations).
func (s *Service) Stats(ctx context.Context, emailID string) (Stats, error) {
	out := Stats{EmailID: emailID, Variants: []VariantStats{}, ByDay: []DayStats{}, ByDevice: []DeviceStats{}, Links: []LinkStats{}}
	fam, err := s.Family(ctx, emailID)
	if err != nil {
		return out, err
	}
	idList := make([]string, len(fam))
	per := map[string]*VariantStats{}
	for i, e := range fam {
		idList[i] = e.ID
		kind := "parent"
		if e.VariantParentID != "" {
			kind = "variant"
		} else if e.TranslationParentID != "" {
			kind = "translation"
		}
		out.Variants = append(out.Variants, VariantStats{ID: e.ID, Name: e.Name, Kind: kind, Weight: e.VariantWeight})
	}
	for i := range out.Variants {
		per[out.Variants[i].ID] = &out.Variants[i]
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT email_id, day, device, metric, n FROM email_counts
		WHERE email_id IN (`+listing.Placeholders(len(idList))+`)`, listing.Strings(idList)...)
	if err != nil {
		return out, err
	}
	days := map[string]*DayStats{}
	devs := map[string]*DeviceStats{}
	for rows.Next() {
		var id, day, dev, metric string
		var n int64
		if err := rows.Scan(&id, &day, &dev, &metric, &n); err != nil {
			rows.Close()
			return out, err
		}
		out.Totals.add(metric, n)
		if v := per[id]; v != nil {
			v.Counts.add(metric, n)
		}
		d := days[day]
		if d == nil {
			d = &DayStats{Day: day}
			days[day] = d
		}
		switch metric {
		case "sent":
			d.Sent += n
		case "read":
			d.Read += n
		case "clicked":
			d.Clicked += n
		case "failed":
			d.Failed += n
		}
		if dev != "" && (metric == "read" || metric == "clicked") {
			x := devs[dev]
			if x == nil {
				x = &DeviceStats{Device: dev}
				devs[dev] = x
			}
			if metric == "read" {
				x.Read += n
			} else {
				x.Clicked += n
			}
		}
	}
	rows.Close()
	out.Totals.Pending = out.Totals.Queued - out.Totals.Sent - out.Totals.Failed - out.Totals.Skipped
	out.Totals.rates()
	for i := range out.Variants {
		out.Variants[i].Counts.rates()
	}
	for _, d := range days {
		out.ByDay = append(out.ByDay, *d)
	}
	sort.Slice(out.ByDay, func(i, j int) bool { return out.ByDay[i].Day < out.ByDay[j].Day })
	for _, d := range devs {
		out.ByDevice = append(out.ByDevice, *d)
	}
	sort.Slice(out.ByDevice, func(i, j int) bool { return out.ByDevice[i].Device < out.ByDevice[j].Device })
	lrows, err := s.db.R.QueryContext(ctx, `SELECT url, sum(clicks), sum(unique_clicks) FROM email_link_counts
		WHERE email_id IN (`+listing.Placeholders(len(idList))+`) GROUP BY url ORDER BY 2 DESC, 1 LIMIT 200`, listing.Strings(idList)...)
	if err != nil {
		return out, err
	}
	for lrows.Next() {
		var l LinkStats
		if err := lrows.Scan(&l.URL, &l.Clicks, &l.Unique); err != nil {
			lrows.Close()
			return out, err
		}
		out.Links = append(out.Links, l)
	}
	lrows.Close()
	// A/B winner: decided once by the send loop (ab.go), shown from its record.
	ab, err := s.AB(ctx, fam[0])
	if err != nil {
		return out, err
	}
	out.AB = ab
	if ab != nil && ab.DecidedAt != nil {
		out.WinnerDecided = true
		for i := range out.Variants {
			out.Variants[i].Winner = out.Variants[i].ID == ab.WinnerID
		}
	}
	return out, rows.Err()
}
