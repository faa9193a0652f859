package events

import "magpie/backend/ids"

// carryStore holds a catch-up's carried aggregates without a pointer per contact: one
// record per contact and one node per URL, device and UTM set, in two slices, and the
// contacts' ids as ids.Keys. Held as Batch's pendingAggs (a map of strings to structs of
// three slices each), the 100k contacts of the 1M-hit bench were ≈ 500k pointers the
// collector followed on every cycle, with a cache miss each (docs/BENCHMARKS.md § Desktop
// ingest, branch ing5).
type carryStore struct {
	index ids.Map[int32] // contact → recs
	recs  []carriedAgg
	nodes []carriedSpan
}

// carriedAgg is a pendingAgg in the store: its lists are chains of nodes (-1: empty).
type carriedAgg struct {
	hits, sent, read, clicked, downloads int64
	firstHit                             int64
	pages                                pageRun
	urls, devices, utms                  int32
}

// carriedSpan is one element of a list: a URL id or a device or UTM set's number, its
// span, and the next element (-1: none).
type carriedSpan struct {
	key int64
	span
	next int32
}

func (s *carryStore) len() int { return s.index.Len() }

func (s *carryStore) has(contact string) bool {
	_, ok := s.index.Get(contact)
	return ok
}

// drop forgets a contact (its record stays unused until the store is emptied).
func (s *carryStore) drop(contact string) { s.index.Delete(contact) }

// add merges a later part of a contact into the store, as pendingAgg.merge does.
func (s *carryStore) add(contact string, o *pendingAgg) {
	i, ok := s.index.Get(contact)
	if !ok {
		i = int32(len(s.recs))
		s.recs = append(s.recs, carriedAgg{urls: -1, devices: -1, utms: -1})
		s.index.Set(contact, i)
	}
	a := &s.recs[i]
	if o.hits > 0 && (a.hits == 0 || o.firstHit < a.firstHit) {
		a.firstHit = o.firstHit
	}
	a.hits += o.hits
	a.sent += o.sent
	a.read += o.read
	a.clicked += o.clicked
	a.downloads += o.downloads
	a.pages.join(o.pages)
	for _, u := range o.urls {
		s.join(&s.recs[i].urls, u.key, u.span)
	}
	for _, d := range o.devices {
		s.join(&s.recs[i].devices, int64(d.key), d.span)
	}
	for _, u := range o.utms {
		s.join(&s.recs[i].utms, int64(u.key), u.span)
	}
}

// join adds sp to key's span in the list at *head, appending the key when new (lists keep
// first-seen order, as pendingAgg's do).
func (s *carryStore) join(head *int32, key int64, sp span) {
	at := head
	for *at >= 0 {
		n := &s.nodes[*at]
		if n.key == key {
			n.span.join(sp)
			return
		}
		at = &n.next
	}
	*at = int32(len(s.nodes))
	s.nodes = append(s.nodes, carriedSpan{key: key, span: sp, next: -1})
}

// pending returns a contact's carried part as a pendingAgg (nil: none).
func (s *carryStore) pending(contact string) *pendingAgg {
	i, ok := s.index.Get(contact)
	if !ok {
		return nil
	}
	a := s.recs[i]
	p := &pendingAgg{hits: a.hits, sent: a.sent, read: a.read, clicked: a.clicked, downloads: a.downloads,
		firstHit: a.firstHit, pages: a.pages}
	for j := a.urls; j >= 0; j = s.nodes[j].next {
		p.urls = append(p.urls, keyed[int64]{key: s.nodes[j].key, span: s.nodes[j].span})
	}
	for j := a.devices; j >= 0; j = s.nodes[j].next {
		p.devices = append(p.devices, keyed[int32]{key: int32(s.nodes[j].key), span: s.nodes[j].span})
	}
	for j := a.utms; j >= 0; j = s.nodes[j].next {
		p.utms = append(p.utms, keyed[int32]{key: int32(s.nodes[j].key), span: s.nodes[j].span})
	}
	return p
}

// contacts returns the ids of the contacts held.
func (s *carryStore) contacts() []string {
	out := make([]string, 0, s.index.Len())
	s.index.All(func(id string, _ int32) { out = append(out, id) })
	return out
}
