package events

import (
	"cmp"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"magpie/backend/db"
)

// Batch appends many events in one transaction (the tracker's ingest) like Append, one by
// one — each event row, its idempotency check, OnAppend hooks and signals — but keeps the
// behaviour aggregates (contact_stats, contact_urls, contact_devices, contact_utm) in memory
// and writes them once per contact with multi-row upserts when the transaction commits (or
// at Flush). The stored aggregates are exactly those Append would leave
// (TestBatchMatchesAppend).
//
// Anything in the same transaction that reads or moves a contact's aggregates first writes
// that contact's pending part: Append, MoveAggregates, RecountSessions, hooks registered with
// OnAppend (before they run; OnAppendLazy hooks call Settle themselves when they read
// aggregates), and contact merges (Settle, before they reassign the loser's events).
type Batch struct {
	tx     *db.Tx
	urlIDs map[string]int64
	order  []string // contacts in first-seen order
	aggs   map[string]*pendingAgg
	// carry, in carry mode (Carry.Batch): the aggregates stay pending past the commit; lo is
	// the first seq the transaction may give an event.
	carry *Carry
	lo    int64
	many  manyBufs // AppendMany's buffers
	// keys numbers the devices and UTM sets of the pending aggregates (the carry's in carry
	// mode, so parts of different transactions compare by number).
	keys *keyDict
}

type batchKey struct{}

// span is a pending aggregate row: a count and the first and last instants.
type span struct{ n, first, last int64 }

func (s *span) add(at int64) {
	if s.n == 0 || at < s.first {
		s.first = at
	}
	if s.n == 0 || at > s.last {
		s.last = at
	}
	s.n++
}

// pendingAgg is what one contact's appended events add to its aggregates.
type pendingAgg struct {
	hits, sent, read, clicked, downloads int64
	firstHit                             int64   // valid when hits > 0
	pages                                pageRun // the page hits, in append order
	// Per URL id, device and UTM set, in first-seen order: a contact has a few of each in a
	// batch, so a list searched linearly (no map per contact: less garbage per hit).
	// Devices and UTM sets are numbered by the batch's keyDict: a carried part then holds no
	// strings (fewer bytes and no pointers for the collector to follow, which at 100k carried
	// contacts under the catch-up's heap limit was most of its work).
	urls    []keyed[int64]
	devices []keyed[int32]
	utms    []keyed[int32]
}

// keyDict numbers devices and UTM sets.
type keyDict struct {
	devs numbering[Device]
	utms numbering[UTM]
}

func newKeyDict() *keyDict { return &keyDict{} }

func (k *keyDict) device(d Device) int32 { return k.devs.id(d) }
func (k *keyDict) utm(u UTM) int32       { return k.utms.id(u) }

// numbering gives each distinct value a number, in order of first sight (list[n] is the
// value numbered n).
type numbering[K comparable] struct {
	list []K
	idx  map[K]int32
}

func (n *numbering[K]) id(k K) int32 {
	i, ok := n.idx[k]
	if !ok {
		if n.idx == nil {
			n.idx = map[K]int32{}
		}
		i = int32(len(n.list))
		n.list = append(n.list, k)
		n.idx[k] = i
	}
	return i
}

// pageRun sums a contact's page hits in append order as aggregate() counts sessions hit by
// hit: the first and last instants, how many hits came more than SessionGap after the
// previous one (inner), and whether one came before the previous one (back: Append then
// recounts from the log). A session starts at the first hit too when the contact's stored
// last page hit is unknown or more than SessionGap older; a first hit older than it recounts.
type pageRun struct {
	n, first, last, inner int64
	back                  bool
}

func (p *pageRun) add(at int64) {
	p.join(pageRun{n: 1, first: at, last: at})
}

// join appends o (later hits) to p.
func (p *pageRun) join(o pageRun) {
	switch {
	case o.n == 0:
		return
	case p.n == 0:
		*p = o
		return
	case o.back || o.first < p.last:
		p.back = true
	case o.first-p.last > SessionGap:
		p.inner++
	}
	p.inner += o.inner
	p.n += o.n
	p.last = o.last
}

type keyed[K comparable] struct {
	key K
	span
}

// spanOf returns the span of k in *list, adding an empty one when new.
func spanOf[K comparable](list *[]keyed[K], k K) *span {
	for i := range *list {
		if (*list)[i].key == k {
			return &(*list)[i].span
		}
	}
	*list = append(*list, keyed[K]{key: k})
	return &(*list)[len(*list)-1].span
}

// NewBatch returns the transaction's batch, making it on first use; its aggregates are
// written before the transaction commits.
func NewBatch(tx *db.Tx) *Batch {
	if b, ok := tx.Local(batchKey{}).(*Batch); ok {
		return b
	}
	b := &Batch{tx: tx, urlIDs: map[string]int64{}, aggs: map[string]*pendingAgg{}, keys: newKeyDict()}
	tx.SetLocal(batchKey{}, b)
	tx.BeforeCommit(func(*db.Tx) error { return b.Flush() })
	return b
}

// Reserve sizes the batch for about n contacts (the tracker's ingest knows its batch):
// the pending aggregates then do not rehash as they grow.
func (b *Batch) Reserve(n int) {
	if len(b.aggs) == 0 && n > 0 {
		b.aggs = make(map[string]*pendingAgg, n)
	}
}

// Settle writes the pending aggregates of contacts held by the transaction's batch, if it
// has one. Code that rewrites a contact's log (a merge reassigning events) calls it first,
// because a pending out-of-order page hit recounts sessions from the log.
func Settle(tx *db.Tx, contacts ...string) error { return settle(tx, contacts...) }

func settle(tx *db.Tx, contacts ...string) error {
	b, ok := tx.Local(batchKey{}).(*Batch)
	if ok && b.carry != nil {
		return b.carry.settle(tx, b, contacts)
	}
	if c, held := carries.Load(tx.DB()); held {
		// Another transaction of a store that carries a catch-up's aggregates.
		if err := c.(*Carry).settle(tx, nil, contacts); err != nil {
			return err
		}
	}
	if !ok || len(b.aggs) == 0 {
		return nil
	}
	var due []string
	for _, c := range contacts {
		if _, ok := b.aggs[c]; ok {
			due = append(due, c)
		}
	}
	if len(due) == 0 {
		return nil
	}
	return b.write(due)
}

// Append stores e as Append does, deferring its aggregates.
func (b *Batch) Append(e Event) (bool, error) {
	at, ok, err := insert(b.tx, &e)
	if err != nil || !ok {
		return false, err
	}
	return b.stored(e, at)
}

// stored is Append after the row went in: aggregates pending, hooks, signals.
func (b *Batch) stored(e Event, at int64) (bool, error) {
	if err := b.add(e, at); err != nil {
		return false, fmt.Errorf("events: aggregates of %s: %w", e.Type, err)
	}
	if hs := appendHooks(); len(hs) > 0 {
		if needSettle() {
			if err := settle(b.tx, e.ContactID); err != nil {
				return false, err
			}
		}
		for _, h := range hs {
			if err := h(b.tx, e); err != nil {
				return false, err
			}
		}
	}
	b.tx.Signal(Topic, e.ContactID)
	b.tx.Signal(TypeTopic(e.Type), e.ContactID)
	return true, nil
}

func (b *Batch) agg(contact string) *pendingAgg {
	a := b.aggs[contact]
	if a == nil {
		a = &pendingAgg{}
		b.aggs[contact] = a
		b.order = append(b.order, contact)
	}
	return a
}

// add is aggregate() for later: the same counters, kept in memory.
func (b *Batch) add(e Event, at int64) error {
	// A contact settled during a catch-up owes the rest from the log (Carry): its URLs are
	// still looked up here, so URL ids come in the order Append gives them.
	skip := b.carry != nil && b.carry.skip(e.ContactID)
	switch e.Type {
	case PageHit, EmailClicked:
	case EmailSent, EmailRead, AssetDownloaded:
		if skip {
			return nil
		}
		a := b.agg(e.ContactID)
		switch e.Type {
		case EmailSent:
			a.sent++
		case EmailRead:
			a.read++
		default:
			a.downloads++
		}
		return nil
	default:
		return nil
	}
	var urlID int64
	if e.URL != "" {
		id, ok := b.urlIDs[e.URL]
		if !ok {
			var err error
			if id, err = lookupURL(b.tx, e.URL); err != nil {
				return err
			}
			b.urlIDs[e.URL] = id
		}
		urlID = id
	}
	if skip {
		return nil
	}
	a := b.agg(e.ContactID)
	if a.hits == 0 || at < a.firstHit {
		a.firstHit = at
	}
	a.hits++
	if e.Type == PageHit {
		a.pages.add(at)
	} else {
		a.clicked++
	}
	spanOf(&a.urls, urlID).add(at)
	if !e.Device.IsZero() {
		spanOf(&a.devices, b.keys.device(e.Device)).add(at)
	}
	if !e.UTM.IsZero() {
		spanOf(&a.utms, b.keys.utm(e.UTM)).add(at)
	}
	return nil
}

// lookupURL returns the id of a URL in urls, adding it when new.
func lookupURL(tx *db.Tx, url string) (int64, error) {
	if _, err := tx.Exec(`INSERT INTO urls(url) VALUES(?) ON CONFLICT(url) DO NOTHING`, url); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRow(`SELECT id FROM urls WHERE url = ?`, url).Scan(&id)
	return id, err
}

// Flush writes every pending aggregate (it also runs by itself before commit); in carry
// mode they stay pending (Carry).
func (b *Batch) Flush() error {
	if len(b.aggs) == 0 || b.carry != nil {
		return nil
	}
	return b.write(b.order)
}

// write stores the pending aggregates of contacts (each in b.aggs) and forgets them.
func (b *Batch) write(contacts []string) error {
	last, err := b.lastHits(contacts)
	if err != nil {
		return err
	}
	var stats, urls, devs, utms [][]any
	var recount []string
	for _, c := range contacts {
		a := b.aggs[c]
		// Sessions as aggregate() counts them hit by hit; a page hit older than the newest
		// one makes Append recount from the log, done here once after the upsert.
		var sessions int64
		var lastHit any
		l, known := last[c]
		if p := a.pages; p.n > 0 {
			if p.back || (known && p.first < l) {
				recount = append(recount, c)
			} else {
				sessions, lastHit = p.inner, p.last
				if !known || p.first-l > SessionGap {
					sessions++
				}
			}
		}
		var first any
		if a.hits > 0 {
			first = a.firstHit
		}
		stats = append(stats, []any{c, a.hits, a.pages.n, sessions, first, lastHit, a.sent, a.read, a.clicked, a.downloads})
		for _, u := range a.urls {
			urls = append(urls, []any{u.key, c, u.n, u.first, u.last})
		}
		for _, s := range a.devices {
			d := b.keys.devs.list[s.key]
			devs = append(devs, []any{c, d.Type, d.OS, d.Browser, d.Brand, s.first, s.last, s.n})
		}
		for _, s := range a.utms {
			u := b.keys.utms.list[s.key]
			utms = append(utms, []any{c, u.Source, u.Medium, u.Campaign, u.Content, u.Term, s.first, s.last, s.n})
		}
	}
	// Forget before writing.
	for _, c := range contacts {
		delete(b.aggs, c)
	}
	if len(b.aggs) == 0 {
		b.order = b.order[:0]
	} else {
		keep := b.order[:0]
		for _, c := range b.order {
			if _, ok := b.aggs[c]; ok {
				keep = append(keep, c)
			}
		}
		b.order = keep
	}
	// Each table's rows in its key order: the upserts walk every B-tree forwards, page by
	// page, instead of jumping between the contacts' places.
	sortRows(stats, 0)
	sortRows(urls, 0, 1)
	sortRows(devs, 0) // by contact only: the parts compare without case (COLLATE NOCASE),
	sortRows(utms, 0) // and the first of two spellings in append order is the one stored
	tx := b.tx
	if err := tx.ExecMany(`INSERT INTO contact_stats(contact_id, hits, page_hits, sessions, first_hit_at, last_hit_at,
		emails_sent, emails_read, emails_clicked, downloads)`, `
		ON CONFLICT(contact_id) DO UPDATE SET hits = hits + excluded.hits, page_hits = page_hits + excluded.page_hits,
		  sessions = sessions + excluded.sessions,
		  first_hit_at = coalesce(min(first_hit_at, excluded.first_hit_at), first_hit_at, excluded.first_hit_at),
		  last_hit_at = coalesce(excluded.last_hit_at, last_hit_at),
		  emails_sent = emails_sent + excluded.emails_sent, emails_read = emails_read + excluded.emails_read,
		  emails_clicked = emails_clicked + excluded.emails_clicked, downloads = downloads + excluded.downloads`, 10, stats); err != nil {
		return fmt.Errorf("events: contact stats: %w", err)
	}
	if err := tx.ExecMany(`INSERT INTO contact_urls(url_id, contact_id, n, first_at, last_at)`, `
		ON CONFLICT(url_id, contact_id) DO UPDATE SET n = n + excluded.n,
		  first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`, 5, urls); err != nil {
		return fmt.Errorf("events: contact urls: %w", err)
	}
	if err := tx.ExecMany(`INSERT INTO contact_devices(contact_id, device_type, device_os, device_browser, device_brand, first_at, last_at, n)`, `
		ON CONFLICT DO UPDATE SET n = n + excluded.n, first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`, 8, devs); err != nil {
		return fmt.Errorf("events: contact devices: %w", err)
	}
	if err := tx.ExecMany(`INSERT INTO contact_utm(contact_id, utm_source, utm_medium, utm_campaign, utm_content, utm_term, first_at, last_at, n)`, `
		ON CONFLICT DO UPDATE SET n = n + excluded.n, first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`, 9, utms); err != nil {
		return fmt.Errorf("events: contact utm: %w", err)
	}
	for _, c := range recount {
		if err := recountSessions(tx, c); err != nil {
			return err
		}
	}
	return nil
}

// lastHits reads contact_stats.last_hit_at of the contacts with pending page hits.
func (b *Batch) lastHits(contacts []string) (map[string]int64, error) {
	var ids []string
	for _, c := range contacts {
		if b.aggs[c].pages.n > 0 {
			ids = append(ids, c)
		}
	}
	out := make(map[string]int64, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, c := range ids[:n] {
			args[i] = c
		}
		ids = ids[n:]
		rows, err := b.tx.Query(`SELECT contact_id, last_hit_at FROM contact_stats WHERE last_hit_at IS NOT NULL AND contact_id IN (?`+
			strings.Repeat(", ?", n-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c string
			var at sql.NullInt64
			if err := rows.Scan(&c, &at); err != nil {
				rows.Close()
				return nil, err
			}
			out[c] = at.Int64
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sortRows orders rows by the values at cols (int64 or string), the table's key; rows equal
// there keep their order.
func sortRows(rows [][]any, cols ...int) {
	slices.SortStableFunc(rows, func(a, b []any) int {
		for _, c := range cols {
			var r int
			switch x := a[c].(type) {
			case int64:
				r = cmp.Compare(x, b[c].(int64))
			case string:
				r = strings.Compare(x, b[c].(string))
			}
			if r != 0 {
				return r
			}
		}
		return 0
	})
}
