package pages

import (
	"context"
	"strings"
)

// Counter is a page's hits (page.hit events with the page as object), unique visitors and
// conversions (visitors who saw this page and then submitted a form posted from its URL).
type Counter struct {
	Hits        int `json:"hits"`
	UniqueHits  int `json:"uniqueHits"`
	Conversions int `json:"conversions"`
}

func (s *Service) counters(ctx context.Context) (map[string]Counter, error) {
	out := map[string]Counter{}
	rows, err := s.db.R.QueryContext(ctx, `SELECT e.object_id, count(*), count(DISTINCT e.contact_id) FROM events e
		WHERE e.type = 'page.hit' AND e.object_id IN (SELECT id FROM pages) GROUP BY e.object_id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var c Counter
		if err := rows.Scan(&id, &c.Hits, &c.UniqueHits); err != nil {
			rows.Close()
			return nil, err
		}
		out[id] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Conversions, for pages that have hits only.
	all, err := s.query(ctx, "1=1")
	if err != nil {
		return nil, err
	}
	byID := map[string]Page{}
	for _, p := range all {
		byID[p.ID] = p
	}
	for id, c := range out {
		p, ok := byID[id]
		if !ok {
			continue
		}
		n, err := s.conversions(ctx, p, byID)
		if err != nil {
			return nil, err
		}
		c.Conversions = n
		out[id] = c
	}
	return out, nil
}

// paths are the URL paths a page is reached at (its own alias, its parent's alias and custom path).
func paths(p Page, byID map[string]Page) []string {
	var out []string
	add := func(q Page) {
		if q.Alias != "" {
			out = append(out, "/p/"+q.Alias)
		}
		if q.CustomPath != "" {
			out = append(out, strings.TrimSuffix(q.CustomPath, "/"))
		}
	}
	add(p)
	for _, parent := range []string{p.VariantParentID, p.TranslationParentID} {
		if q, ok := byID[parent]; ok {
			add(q)
			if q.TranslationParentID != "" {
				add(byID[q.TranslationParentID])
			}
		}
	}
	return out
}

func (s *Service) conversions(ctx context.Context, p Page, byID map[string]Page) (int, error) {
	ps := paths(p, byID)
	if len(ps) == 0 {
		return 0, nil
	}
	var cond []string
	var args []any
	for _, x := range ps {
		cond = append(cond, "f.url LIKE ? ESCAPE '\\' OR f.url LIKE ? ESCAPE '\\' OR f.url LIKE ? ESCAPE '\\'")
		e := escapeLike(x)
		args = append(args, "%"+e, "%"+e+"?%", "%"+e+"/")
	}
	args = append(args, p.ID)
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT count(DISTINCT f.contact_id) FROM events f WHERE f.type = 'form.submitted'
		AND (`+strings.Join(cond, " OR ")+`) AND EXISTS (SELECT 1 FROM events h WHERE h.contact_id = f.contact_id
		AND h.type = 'page.hit' AND h.object_id = ? AND h.at <= f.at)`, args...).Scan(&n)
	return n, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// VariantStat is one row of a page's A/B and translation results.
type VariantStat struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Language string  `json:"language"`
	Role     string  `json:"role"` // main | variant | translation
	Weight   int     `json:"weight"`
	Counter  Counter `json:"counter"`
	Rate     float64 `json:"rate"` // conversions / unique visitors
}

// Stats returns the counters of a page, its variants and translations.
func (s *Service) Stats(ctx context.Context, id string) ([]VariantStat, error) {
	root, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	fam, err := s.query(ctx, "deleted = 0 AND (variant_parent_id = ?1 OR translation_parent_id = ?1) ORDER BY date_added, id", root.ID)
	if err != nil {
		return nil, err
	}
	cs, err := s.counters(ctx)
	if err != nil {
		return nil, err
	}
	var out []VariantStat
	for _, p := range append([]Page{root}, fam...) {
		role := "main"
		if p.VariantParentID != "" {
			role = "variant"
		} else if p.TranslationParentID != "" {
			role = "translation"
		}
		c := cs[p.ID]
		v := VariantStat{ID: p.ID, Title: p.Title, Language: p.Language, Role: role, Weight: p.VariantWeight, Counter: c}
		if c.UniqueHits > 0 {
			v.Rate = float64(c.Conversions) / float64(c.UniqueHits)
		}
		out = append(out, v)
	}
	return out, nil
}
