package dashboard

import (
	"context"
	"encoding/json"
	"strings"
)

// stagesFunnel: of the contacts created in the range, how many are in each stage, ordered
// by weight (contacts only move forward, MAUTIC.md §7.4). "No stages yet" until the stages
// table exists and has a stage.
func stagesFunnel(ctx context.Context, s *Service, sp span, l lbl, r *Result) error {
	ok, err := tableExists(ctx, s.db.R, "stages")
	if err != nil || !ok {
		r.Empty = "dashboard.empty.noStages"
		return err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name FROM stages WHERE deleted = 0 ORDER BY weight, name`)
	if err != nil {
		return err
	}
	var ids, names []string
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return err
		}
		ids, names = append(ids, id), append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(ids) == 0 {
		r.Empty = "dashboard.empty.noStages"
		return nil
	}
	counts := map[string]float64{}
	if s.contactsReady(ctx) {
		if err := s.rollupRows(ctx, "stage", sp, func(_, key string, n float64) { counts[key] += n }); err != nil {
			return err
		}
		return drawStages(names, ids, counts, l, r)
	}
	rows, err = s.db.R.QueryContext(ctx, `SELECT stage_id, count(*) FROM contacts `+s.db.IndexedBy(ctx, "dash_contacts_added")+`
		WHERE deleted = 0 AND date_added >= ? AND date_added < ? AND stage_id IS NOT NULL GROUP BY stage_id`, sp.startMs(), sp.endMs())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n float64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return drawStages(names, ids, counts, l, r)
}

func drawStages(names, ids []string, counts map[string]float64, l lbl, r *Result) error {
	d := Data{Categories: names, Series: []Series{{Name: l.t("contacts"), Values: make([]float64, len(ids))}}}
	for i, id := range ids {
		d.Series[0].Values[i] = counts[id]
	}
	return r.setChart(Funnel, d)
}

// topCampaigns ranks campaigns by contacts added to them in the range.
func topCampaigns(ctx context.Context, s *Service, sp span, _ lbl, r *Result) error {
	ok, err := tableExists(ctx, s.db.R, "campaign_members")
	if err != nil || !ok {
		r.Empty = "dashboard.empty.noCampaigns"
		return err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.name, count(*) AS n FROM campaign_members m
		JOIN campaign_keys k ON k.k = m.campaign_key
		JOIN campaigns c ON c.id = k.campaign_id AND c.deleted = 0
		WHERE m.date_added >= ? AND m.date_added < ? AND m.manually_removed = 0
		GROUP BY m.campaign_key ORDER BY n DESC, c.name LIMIT 10`, sp.startMs(), sp.endMs())
	if err != nil {
		return err
	}
	defer rows.Close()
	t := &Table{Columns: []Column{{Key: "campaign", Kind: "text"}, {Key: "contacts", Kind: "number"}}}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return err
		}
		t.Rows = append(t.Rows, []any{name, n})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return r.setTable(t, "dashboard.empty.noCampaigns")
}

// upcoming lists the next scheduled campaign actions (Mautic's upcoming.emails, for every
// action): when, campaign, action, contact. "No campaigns yet" until campaign_log exists.
func upcoming(ctx context.Context, s *Service, _ span, _ lbl, r *Result) error {
	ok, err := tableExists(ctx, s.db.R, "campaign_log")
	if err != nil || !ok {
		r.Empty = "dashboard.empty.noCampaigns"
		return err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT l.trigger_at, sk.campaign_id, coalesce(c.name, ''), sk.event_id,
			coalesce(nullif(k.email, ''), trim(coalesce(k.firstname, '') || ' ' || coalesce(k.lastname, '')), l.contact_id), l.contact_id
		FROM campaign_log l
		JOIN campaign_step_keys sk ON sk.k = l.step
		LEFT JOIN campaigns c ON c.id = sk.campaign_id
		LEFT JOIN contacts k ON k.id = l.contact_id
		WHERE l.status IN ('scheduled', 'waiting') AND l.status = 'scheduled' AND l.trigger_at >= ?
		ORDER BY l.trigger_at, l.id LIMIT 10`, s.db.Clock.Now().UnixMilli())
	if err != nil {
		return err
	}
	type row struct {
		at                                int64
		campID, camp, event, contact, cid string
	}
	var list []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.at, &x.campID, &x.camp, &x.event, &x.contact, &x.cid); err != nil {
			rows.Close()
			return err
		}
		list = append(list, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Action names live in the published graph of each campaign shown.
	names := map[string]map[string]string{}
	for _, x := range list {
		if _, done := names[x.campID]; done {
			continue
		}
		names[x.campID] = eventNames(ctx, s, x.campID)
	}
	t := &Table{Columns: []Column{{Key: "when", Kind: "time"}, {Key: "campaign", Kind: "text"},
		{Key: "action", Kind: "text"}, {Key: "contact", Kind: "contact"}}}
	for _, x := range list {
		action := names[x.campID][x.event]
		if action == "" {
			action = x.event
		}
		t.Rows = append(t.Rows, []any{x.at, x.camp, action, []string{x.cid, x.contact}})
	}
	return r.setTable(t, "dashboard.empty.noUpcoming")
}

// eventNames maps a campaign's event ids to names from its published graph (best effort).
func eventNames(ctx context.Context, s *Service, campaignID string) map[string]string {
	out := map[string]string{}
	var g string
	if err := s.db.R.QueryRowContext(ctx, "SELECT coalesce(published_graph, graph) FROM campaigns WHERE id = ?", campaignID).Scan(&g); err != nil {
		return out
	}
	var graph struct {
		Events []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"events"`
	}
	if json.Unmarshal([]byte(g), &graph) != nil {
		return out
	}
	for _, e := range graph.Events {
		n := e.Name
		if n == "" {
			n = e.Type
		}
		out[e.ID] = n
	}
	return out
}

// recent lists the newest events with their contact (Mautic's recent.activity): the
// behaviour log's last ten and the campaign steps finished among the last few hundred
// logged (campaign_events), newest first.
func recent(ctx context.Context, s *Service, _ span, _ lbl, r *Result) error {
	rows, err := s.db.R.QueryContext(ctx, `SELECT e.at, e.type, e.what, e.contact_id,
			coalesce(nullif(c.email, ''), nullif(trim(coalesce(c.firstname, '') || ' ' || coalesce(c.lastname, '')), ''), '')
		FROM (SELECT at, type, coalesce(object_name, title, url, '') AS what, contact_id, seq FROM (SELECT * FROM events ORDER BY seq DESC LIMIT 10)
			UNION ALL
			SELECT at, type, object_name, contact_id, 0 FROM campaign_events
			WHERE log_id IN (SELECT id FROM campaign_log ORDER BY id DESC LIMIT 500)) e
		LEFT JOIN contacts c ON c.id = e.contact_id ORDER BY e.at DESC, e.seq DESC LIMIT 10`)
	if err != nil {
		return err
	}
	defer rows.Close()
	t := &Table{Columns: []Column{{Key: "when", Kind: "time"}, {Key: "event", Kind: "event"},
		{Key: "what", Kind: "text"}, {Key: "contact", Kind: "contact"}}}
	for rows.Next() {
		var at int64
		var typ, what, cid, who string
		if err := rows.Scan(&at, &typ, &what, &cid, &who); err != nil {
			return err
		}
		if who == "" {
			who = "#" + shortID(cid)
		}
		t.Rows = append(t.Rows, []any{at, typ, what, []string{cid, who}})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return r.setTable(t, "dashboard.empty.noActivity")
}

func shortID(id string) string {
	id = strings.ReplaceAll(id, "-", "")
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}
