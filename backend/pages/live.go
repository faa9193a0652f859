package pages

import (
	"context"
	"sort"
	"strings"
	"sync"

	"magpie/backend/db"
)

// liveCache keeps the published, live pages in memory for the tracker's hot path (Find and
// Choose), reloaded after any commit that touches the pages table. gen guards against a load
// that started before a change storing stale rows after it.
type liveCache struct {
	mu    sync.Mutex
	gen   uint64
	pages []Page // nil = not loaded
}

func (s *Service) watch(d *db.DB) {
	d.OnCommit(func(c db.Commit) {
		if c.Touches("pages") {
			s.live.mu.Lock()
			s.live.gen++
			s.live.pages = nil
			s.live.mu.Unlock()
		}
	})
}

// published returns the live, published pages (callers must not modify them).
func (s *Service) published(ctx context.Context) ([]Page, error) {
	s.live.mu.Lock()
	list, gen := s.live.pages, s.live.gen
	s.live.mu.Unlock()
	if list != nil {
		return list, nil
	}
	list, err := s.query(ctx, "deleted = 0 AND is_published = 1 ORDER BY date_added, id")
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []Page{}
	}
	s.live.mu.Lock()
	if s.live.gen == gen {
		s.live.pages = list
	}
	s.live.mu.Unlock()
	return list, nil
}

// findLive is Find over the cached pages: a root page (not a variant) by alias, or by custom
// path (with or without a trailing slash, case-insensitive).
func findLive(list []Page, path string) (Page, bool) {
	if alias, ok := strings.CutPrefix(path, "/p/"); ok {
		alias = strings.TrimSuffix(alias, "/")
		if alias == "" || strings.Contains(alias, "/") {
			return Page{}, false
		}
		for _, p := range list {
			if p.VariantParentID == "" && strings.EqualFold(p.Alias, alias) {
				return p, true
			}
		}
		return Page{}, false
	}
	for _, p := range list {
		if p.VariantParentID != "" || p.CustomPath == "" {
			continue
		}
		if strings.EqualFold(p.CustomPath, path) || strings.EqualFold(p.CustomPath, path+"/") || strings.EqualFold(p.CustomPath+"/", path) {
			return p, true
		}
	}
	return Page{}, false
}

// children returns the live published pages whose parent (translation or variant) is id.
func children(list []Page, id string, variants bool) []Page {
	var out []Page
	for _, p := range list {
		if (variants && p.VariantParentID == id) || (!variants && p.TranslationParentID == id) {
			out = append(out, p)
		}
	}
	if !variants {
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].Language != out[j].Language {
				return strings.ToLower(out[i].Language) < strings.ToLower(out[j].Language)
			}
			return out[i].ID < out[j].ID
		})
	}
	return out // variants keep the list's order: date_added, id
}
