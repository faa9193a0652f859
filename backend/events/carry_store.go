package events

import "magpie/backend/ids"

// carryStore holds a catch-up's carried aggregates without a pointer per contact: one
// record per contact and one node per URL, device and UTM set, in two slices, and the
// contacts' ids as ids.Keys. Held as Batch's pendingAggs (a map of strings to structs of
// three slices each), the 100k contacts of the 1M-hit bench were ≈ 500k pointers the
// collector followed on every cycle, with a cache miss each (docs/BENCHMARKS.md § Desktop
// ingest, branch ing5). Records and nodes are never moved: a.urls and the like stay valid
// pointers while nodes are added.
type carryStore struct {
	index ids.Map[int32] // contact → recs
	recs  chunked[carriedAgg]
	nodes chunked[carriedSpan]
}

// chunked is a growing list in fixed chunks: growing never copies it, so the store never
// holds an old and a new array at once as a growing slice does (≈ 30 MB of records and
// nodes for the 1M-hit bench's carry; no difference in peak RSS was measurable beside the
// runs' ±15 MB, docs/BENCHMARKS.md § Desktop ingest, branch ing5).
type chunked[T any] struct {
	chunks []*[chunkLen]T
	n      int32
}

const chunkLen = 4096

func (c *chunked[T]) at(i int32) *T { return &c.chunks[i/chunkLen][i%chunkLen] }

// push appends v and returns its index.
func (c *chunked[T]) push(v T) int32 {
	if int(c.n) == len(c.chunks)*chunkLen {
		c.chunks = append(c.chunks, new([chunkLen]T))
	}
	i := c.n
	*c.at(i) = v
	c.n++
	return i
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

// add merges a later part of a contact (appended after what the store holds) into it.
func (s *carryStore) add(contact string, o *pendingAgg) {
	i, ok := s.index.Get(contact)
	if !ok {
		i = s.recs.push(carriedAgg{urls: -1, devices: -1, utms: -1})
		s.index.Set(contact, i)
	}
	a := s.recs.at(i)
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
		s.join(&a.urls, u.key, u.span)
	}
	for _, d := range o.devices {
		s.join(&a.devices, int64(d.key), d.span)
	}
	for _, u := range o.utms {
		s.join(&a.utms, int64(u.key), u.span)
	}
}

// join adds sp to key's span in the list at *head, appending the key when new (lists keep
// first-seen order, as pendingAgg's do).
func (s *carryStore) join(head *int32, key int64, sp span) {
	at := head
	for *at >= 0 {
		n := s.nodes.at(*at)
		if n.key == key {
			n.span.join(sp)
			return
		}
		at = &n.next
	}
	*at = s.nodes.push(carriedSpan{key: key, span: sp, next: -1})
}

// pending returns a contact's carried part as a pendingAgg (nil: none).
func (s *carryStore) pending(contact string) *pendingAgg {
	i, ok := s.index.Get(contact)
	if !ok {
		return nil
	}
	a := s.recs.at(i)
	p := &pendingAgg{hits: a.hits, sent: a.sent, read: a.read, clicked: a.clicked, downloads: a.downloads,
		firstHit: a.firstHit, pages: a.pages}
	for j := a.urls; j >= 0; j = s.nodes.at(j).next {
		n := s.nodes.at(j)
		p.urls = append(p.urls, keyed[int64]{key: n.key, span: n.span})
	}
	for j := a.devices; j >= 0; j = s.nodes.at(j).next {
		n := s.nodes.at(j)
		p.devices = append(p.devices, keyed[int32]{key: int32(n.key), span: n.span})
	}
	for j := a.utms; j >= 0; j = s.nodes.at(j).next {
		n := s.nodes.at(j)
		p.utms = append(p.utms, keyed[int32]{key: int32(n.key), span: n.span})
	}
	return p
}

// contacts returns the ids of the contacts held.
func (s *carryStore) contacts() []string {
	out := make([]string, 0, s.index.Len())
	s.index.All(func(id string, _ int32) { out = append(out, id) })
	return out
}
