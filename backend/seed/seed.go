// Package seed makes deterministic synthetic data: contacts with realistic (accented
// French, German and Spanish) names, unique emails, countries, tags, points, 10 custom
// fields, companies, and page hits and email events in the event log. The same seed over
// the same store gives the same values. It writes through contacts.Ops.CreateMany, the
// same set-based path imports use, in batches of one transaction each.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/fold"
	"magpie/backend/ids"
)

// Options size the data.
type Options struct {
	Contacts  int    `json:"contacts"`
	Companies int    `json:"companies"` // -1 = contacts/50 (at least 1 when there are contacts)
	Events    int    `json:"events"`    // -1 = 2 per contact
	Seed      uint64 `json:"seed"`
	BatchSize int    `json:"batchSize,omitempty"`
}

// Result counts what was made.
type Result struct {
	Contacts  int `json:"contacts"`
	Companies int `json:"companies"`
	Events    int `json:"events"`
}

// Defaults fills unset sizes.
func (o Options) Defaults() Options {
	if o.Companies < 0 {
		o.Companies = o.Contacts / 50
		if o.Companies == 0 && o.Contacts > 0 {
			o.Companies = 1
		}
	}
	if o.Events < 0 {
		o.Events = 2 * o.Contacts
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	return o
}

// Run generates the data. progress (may be nil) gets contacts done and total.
func Run(ctx context.Context, cs *contacts.Service, opt Options, progress func(done, total int64)) (res Result, err error) {
	opt = opt.Defaults()
	if opt.Contacts < 0 || opt.Companies < 0 || opt.Events < 0 {
		return Result{}, apperr.Invalidf("seed.errors.negative", nil, "sizes must not be negative")
	}
	d := cs.DB()
	// Fewer collections while streaming (the live heap is two batches, a few tens of MB),
	// but never past 160 MiB of Go memory: SQLite's caches and sorter live outside it. Put
	// back, and the freed heap returned to the OS, before the index rebuilds (whose sorter
	// needs the room) or on any early return.
	gcPercent, memLimit := debug.SetGCPercent(400), debug.SetMemoryLimit(160<<20)
	settle := sync.OnceFunc(func() {
		debug.SetGCPercent(gcPercent)
		debug.SetMemoryLimit(memLimit)
		debug.FreeOSMemory()
	})
	defer settle()
	if err := ensureFields(ctx, cs.Fields()); err != nil {
		return Result{}, err
	}
	var existing int
	if err := d.R.QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&existing); err != nil {
		return Result{}, err
	}
	g := &gen{rnd: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)), now: d.Clock.Now(), offset: existing, n: opt.Contacts}
	companyNames, err := g.companies(ctx, d, opt.Companies)
	if err != nil {
		return res, err
	}
	res.Companies = len(companyNames)
	for name := range companyNames {
		g.companyList = append(g.companyList, name)
	}
	sort.Strings(g.companyList)
	companyIDs := make(map[string]string, len(companyNames)) // folded name → id, for CreateMany
	for name, id := range companyNames {
		companyIDs[fold.String(name)] = id
	}
	aliases := []string{"firstname", "lastname", "email", "phone", "mobile", "position", "company", "city", "country",
		"preferred_locale", "timezone", "last_active", "birthday", "newsletter_optin", "plan", "interests", "nps", "lead_source",
		"customer_since", "last_order_at", "lifetime_value", "loyalty_card"}
	if opt.Contacts >= 50000 && opt.Contacts >= existing {
		keep := keepContactIndexes
		if d.Scratch() {
			// Nobody looks contacts up by email in a side file: its email index (random
			// inserts) is rebuilt like the other ones.
			keep = slices.DeleteFunc(slices.Clone(keep), func(s string) bool { return s == "contacts_email" })
		}
		restore, err := d.DeferIndexes(ctx, []string{"contacts"}, keep)
		if err != nil {
			return res, err
		}
		defer func() {
			if rerr := restore(context.Background()); rerr != nil && err == nil {
				err = rerr
			}
		}()
	}
	if d.Scratch() {
		restoreTriggers, err := contacts.DeferInsertTriggers(ctx, d)
		if err != nil {
			return res, err
		}
		defer func() {
			if rerr := restoreTriggers(context.Background()); rerr != nil && err == nil {
				err = rerr
			}
		}()
	}
	// The event log: 2 events per new contact (created, identified) plus the behaviour ones.
	restoreEvents, err := events.DeferIndexes(ctx, d, int64(opt.Events)+2*int64(opt.Contacts))
	if err != nil {
		return res, err
	}
	defer func() {
		if rerr := restoreEvents(context.Background()); rerr != nil && err == nil {
			err = rerr
		}
	}()
	defer settle() // runs before the rebuilds above, after the producer has stopped
	// (No db.BulkCache here: with it a 1M seed peaked at 418 MB RSS during the index
	// rebuilds — the cache's freed pages stay in the C heap — for no CPU gain measured at
	// 200k; docs/BENCHMARKS.md § Contacts.)
	// A producer goroutine generates the next batch — values, ids, events — while this one
	// is written (the generator's random draws stay in one goroutine, so the data is the
	// same), and the WAL is copied back by another connection: both on the second core.
	if g.urlID, err = urlIDs(ctx, d); err != nil {
		return res, err
	}
	releaseCkpt := d.BackgroundCheckpoints(ctx)
	defer releaseCkpt()
	batches := make(chan seedBatch, 1)
	stop, stopped := make(chan struct{}), make(chan struct{})
	defer func() { close(stop); <-stopped }()
	go func() { defer close(stopped); g.produce(opt, existing, batches, stop) }()
	write := func(tx *db.Tx, b seedBatch) error {
		o := contacts.NewOps(tx, "seed")
		o.ShareCompanies(companyIDs)
		if err := o.CreateMany(aliases, b.rows, contacts.BulkOpts{}); err != nil {
			return err
		}
		// Behaviour events by shape, so each statement binds only the columns its events
		// fill (events.AppendMany leaves out the ones no event of a call has).
		for _, evs := range b.extra {
			if err := events.AppendMany(tx, evs); err != nil {
				return err
			}
		}
		return writeAggs(tx, b.stats, b.urls)
	}
	done := func(b seedBatch) {
		res.Contacts += len(b.rows)
		for _, evs := range b.extra {
			res.Events += len(evs)
		}
		if progress != nil {
			progress(int64(res.Contacts), int64(opt.Contacts))
		}
	}
	if d.Scratch() {
		// Nothing in a side file needs a batch to be durable before the next (a failure
		// throws the file away): one transaction, so the pages every batch touches — the
		// right edges of the tables and kept indexes — are written once, not at every
		// commit. The store's commit hooks are not told: the file is closed once built.
		err := d.Write(ctx, func(tx *db.Tx) error {
			tx.Unannounced()
			for b := range batches {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := write(tx, b); err != nil {
					return err
				}
				done(b)
			}
			return nil
		})
		return res, err
	}
	for b := range batches {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := d.Write(ctx, func(tx *db.Tx) error { return write(tx, b) }); err != nil {
			return res, err
		}
		d.RestartWALIfBig(ctx)
		done(b)
	}
	return res, nil
}

// seedBatch is one transaction's worth of generated contacts and behaviour events, the
// events grouped by the columns they fill: page hits (url, title, referrer), emails sent
// and read (object name), email clicks (object name, url).
type seedBatch struct {
	rows  []contacts.NewContact
	extra [3][]events.Event
	// stats and urls are the contact_stats and contact_urls rows of the batch's contacts.
	stats, urls [][]any
}

func shape(t events.Type) int {
	switch t {
	case events.PageHit:
		return 0
	case events.EmailClicked:
		return 2
	default:
		return 1
	}
}

// produce generates the batches in order into out, until done or stop is closed.
func (g *gen) produce(opt Options, existing int, out chan<- seedBatch, stop <-chan struct{}) {
	defer close(out)
	evLeft := opt.Events
	for done := 0; done < opt.Contacts; {
		n := min(opt.BatchSize, opt.Contacts-done)
		evN := int(int64(opt.Events)*int64(done+n)/int64(opt.Contacts)) - (opt.Events - evLeft)
		rows := make([]contacts.NewContact, n)
		for i := range rows {
			rows[i] = g.contact(existing + done + i)
		}
		var extra [3][]events.Event
		for i := 0; i < evN; i++ {
			c := &rows[g.rnd.IntN(n)]
			e := g.event(c)
			extra[shape(e.Type)] = append(extra[shape(e.Type)], e)
			if e.Type != events.EmailSent { // a visit, an open or a click is activity
				if la, _ := c.Vals["last_active"].(int64); la < e.At.UnixMilli() {
					c.Vals["last_active"] = e.At.UnixMilli()
				}
			}
		}
		order := make([]string, len(rows))
		for i := range rows {
			order[i] = rows[i].ID
		}
		stats, urls := aggRows(order, extra, g.urlID)
		select {
		case out <- seedBatch{rows: rows, extra: extra, stats: stats, urls: urls}:
		case <-stop:
			return
		}
		done += n
		evLeft -= evN
	}
}

func ensureFields(ctx context.Context, fs *fields.Service) error {
	have, err := fs.List(ctx, fields.Contact)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, f := range have {
		known[f.Alias] = true
	}
	for _, in := range customFields {
		if known[in.Alias] {
			continue
		}
		in.Listable = true
		if _, err := fs.Add(ctx, in); err != nil {
			return fmt.Errorf("seed: custom field %s: %w", in.Alias, err)
		}
	}
	return nil
}

type gen struct {
	rnd         *rand.Rand
	now         time.Time
	offset      int
	n           int // contacts of this run
	urlID       map[string]int64
	companyList []string // sorted company names (map order is random; this is not)
	asciiOf     map[string]string
}

func pick[T any](g *gen, list []T) T { return list[g.rnd.IntN(len(list))] }

func (g *gen) companies(ctx context.Context, d *db.DB, n int) (map[string]string, error) {
	out := make(map[string]string, n)
	if n == 0 {
		return out, nil
	}
	var rows []db.Row
	at := g.now.UnixMilli()
	for i := 0; len(rows) < n; i++ {
		name := pick(g, companyWords) + " " + pick(g, companyWords) + " " + pick(g, companySuffix)
		if _, dup := out[name]; dup || i >= 3*n {
			name = fmt.Sprintf("%s %d", name, g.offset+i)
		}
		if _, dup := out[name]; dup {
			continue
		}
		id := ids.New()
		out[name] = id
		p := pick(g, places)
		rows = append(rows, db.Row{ID: id, Vals: []any{name, p.city, p.country, pick(g, fields.Industries),
			"https://www." + asciiWord(name) + ".example", float64(1 + g.rnd.IntN(5000)), at, at}})
	}
	err := d.Write(ctx, func(tx *db.Tx) error {
		return tx.InsertMany("companies", []string{"companyname", "companycity", "companycountry", "companyindustry",
			"companywebsite", "companynumber_of_employees", "date_added", "date_modified"}, rows)
	})
	return out, err
}

// padInt appends n in decimal, zero-padded to width digits (fmt's %0*d for n >= 0).
func padInt(b []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for k := len(s); k < width; k++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// ascii is asciiWord of a pooled name, remembered.
func (g *gen) ascii(name string) string {
	if w, ok := g.asciiOf[name]; ok {
		return w
	}
	if g.asciiOf == nil {
		g.asciiOf = map[string]string{}
	}
	w := asciiWord(name)
	g.asciiOf[name] = w
	return w
}

func asciiWord(s string) string {
	var b strings.Builder
	for _, r := range fold.String(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// history is how far back demo contacts were added.
const history = 730 * 24 * time.Hour

// keepContactIndexes are the contact indexes a seed keeps up while it loads (the others are
// dropped and rebuilt once at the end). Contacts are generated in the order they were added
// (date_added grows with the UUIDv7 id), so every index led by date_added, and every index
// whose leading value has few distinct values followed by the id or date_added (points,
// first and last name, city, country), only appends at a few right edges; the trash's
// (kept by db.DeferIndexes) and stages' indexes get no entry from new contacts. Email,
// company and last_active would be random inserts: those are rebuilt.
var keepContactIndexes = []string{"contacts_email", "contacts_stage",
	"contacts_date_added", "contacts_date_modified", "dash_contacts_added"}

// contact makes the i-th contact of the store; k-th of this run (k = i - offset). Contacts of
// a run are added in order over the last two years: contact k in its own slot of
// history/n, at a random instant of it.
func (g *gen) contact(i int) contacts.NewContact {
	r := g.rnd
	slot := int64(history) / int64(max(g.n, 1))
	added := g.now.Add(-history).Add(time.Duration(int64(i-g.offset)*slot + r.Int64N(max(slot, 1))))
	c := contacts.NewContact{ID: ids.New(), At: added, Vals: make(db.Cols, 24)}
	v := c.Vals
	p := pick(g, places)
	v["city"], v["country"], v["preferred_locale"], v["timezone"] = p.city, p.country, p.locale, p.tz
	v["lead_source"] = pick(g, leadSources)
	if r.IntN(100) < 5 {
		// An anonymous visitor: only what tracking would know.
		v["last_active"] = added.Add(time.Duration(r.IntN(3600)) * time.Second).UnixMilli()
		return c
	}
	first, last := pick(g, firstNames), pick(g, lastNames)
	v["firstname"], v["lastname"] = first, last
	// (Formatted by hand, not with fmt: the same strings, a tenth of the producer's time.)
	v["email"] = g.ascii(first) + "." + g.ascii(last) + strconv.Itoa(i) + "@" + pick(g, domains)
	b := append(make([]byte, 0, 20), "+33 1"...)
	for k := 0; k < 4; k++ {
		b = padInt(append(b, ' '), r.IntN(100), 2)
	}
	v["phone"] = string(b)
	if r.IntN(2) == 0 {
		b = padInt(append(b[:0], "+49 151 "...), r.IntN(10000), 4)
		v["mobile"] = string(padInt(append(b, ' '), r.IntN(10000), 4))
	}
	if r.IntN(2) == 0 {
		v["position"] = pick(g, positions)
	}
	if len(g.companyList) > 0 && r.IntN(100) < 30 {
		v["company"] = pick(g, g.companyList)
	}
	if r.IntN(2) == 0 {
		v["last_active"] = added.Add(time.Duration(r.Int64N(int64(g.now.Sub(added)) + 1))).UnixMilli()
	}
	v["birthday"] = time.Date(1950+r.IntN(55), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	v["newsletter_optin"] = int64(r.IntN(2))
	v["plan"] = pick(g, []string{"free", "free", "free", "pro", "pro", "enterprise"})
	if r.IntN(2) == 0 {
		v["interests"] = pick(g, []string{"email", "seo", "email|social", "events", "seo|social|events"})
	}
	v["nps"] = float64(r.IntN(11))
	if r.IntN(3) == 0 {
		since := added.Add(time.Duration(r.Int64N(int64(g.now.Sub(added)) + 1)))
		v["customer_since"] = since.Format("2006-01-02")
		v["last_order_at"] = since.Add(time.Duration(r.IntN(90*24)) * time.Hour).UTC().Format("2006-01-02 15:04:05")
		v["lifetime_value"] = float64(r.IntN(500000)) / 100
		v["loyalty_card"] = string(padInt(append(b[:0], "LC-"...), r.IntN(100000000), 8))
	}
	c.Points = int64(r.IntN(200))
	if r.IntN(100) < 60 {
		for k := 1 + r.IntN(3); k > 0; k-- {
			c.Tags = append(c.Tags, pick(g, tagPool))
		}
	}
	return c
}

func (g *gen) event(c *contacts.NewContact) events.Event {
	r := g.rnd
	span := g.now.Sub(c.At)
	at := c.At.Add(time.Duration(r.Int64N(int64(span) + 1)))
	e := events.Event{ID: ids.New(), ContactID: c.ID, At: at, Source: "seed"}
	switch k := r.IntN(100); {
	case k < 60:
		pg := pick(g, pages)
		e.Type, e.URL, e.Title = events.PageHit, pg.url, pg.title
		e.Referrer = pick(g, []string{"", "https://www.google.com/", "https://www.linkedin.com/", "https://duckduckgo.com/"})
	case k < 80:
		e.Type, e.ObjectName = events.EmailSent, pick(g, emailNames)
	case k < 92:
		e.Type, e.ObjectName = events.EmailRead, pick(g, emailNames)
	default:
		e.Type, e.ObjectName = events.EmailClicked, pick(g, emailNames)
		e.URL = pick(g, pages).url
	}
	return e
}
