package contacts

import (
	"context"
	"time"

	"magpie/backend/companies"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fold"
	"magpie/backend/ids"
)

// NewContact is one contact for CreateMany.
type NewContact struct {
	ID     string  // empty = new UUIDv7
	Vals   db.Cols // stored values (already parsed) by field alias; nil or absent = empty
	Points int64
	Tags   []string
	At     time.Time // date_added; zero = the transaction's time
}

// BulkOpts are the extras of CreateMany.
type BulkOpts struct {
	// Event is the creation event (contact.created by default, contact.imported for imports).
	Event events.Type
	// ObjectID and ObjectName go on the creation event (an import's id and file name).
	ObjectID, ObjectName string
	// EventID, when set, gives the creation event's id from the contact id (imports derive
	// it, so finding "created by this import" needs no index but the event id's).
	EventID func(contactID string) string
	// Extra events to append with the contacts (demo page hits, email events...).
	Extra []events.Event
	// Hooked appends the events through the transaction's events.Batch (AppendMany):
	// aggregates and OnAppend hooks run for each, as Create's events.Append does (the
	// tracker's ingest creating visitors in bulk).
	Hooked bool
}

// CreateMany inserts many new contacts with set-based statements: multi-row inserts of the
// contacts, their company links and tags, and their creation events. It is Create's
// semantics for a batch (date_identified for identified contacts, the primary company made
// from the "company" value, tags created on first use), without per-row round trips.
// Aliases lists every field alias any row may carry. It is PrepareMany, then
// CreatePrepared.
func (o *Ops) CreateMany(aliases []string, rows []NewContact, opt BulkOpts) error {
	if len(rows) == 0 {
		return nil
	}
	p, err := PrepareMany(aliases, rows, opt, o.tx.NowMs(), o.source, false)
	if err != nil {
		return err
	}
	return o.CreatePrepared(p)
}

// Prepared is the part of CreateMany that needs no transaction, done ahead: ids, the stored
// values, tag links and creation events, laid out for their statements. A bulk load
// prepares batch N+1 on another goroutine while the writer stores batch N (an import in a
// side file); CreatePrepared then does the rest in the transaction.
type Prepared struct {
	rows     []NewContact
	at       []int64 // each row's date_added
	cols     []string
	dbRows   []db.Row
	tags     []string // each tag name the links name, once (ensured by CreatePrepared)
	tagLinks []db.Row
	evs      []events.Event // the creation events, and opt.Extra
	hooked   bool
	// Packed statements (PrepareMany's ahead): nil when the writer lays them out itself.
	contacts, tagLinksIns *db.PreparedInsert
	evsIns                *events.Prepared
}

// Rows are the contacts of p, ids given.
func (p *Prepared) Rows() []NewContact { return p.rows }

// PrepareMany prepares CreateMany(aliases, rows, opt) for a transaction whose time is now
// (Unix ms) and an Ops of source; it gives each row without an id a fresh UUIDv7 in place.
// ahead says the statements' arguments are packed too, for a caller that prepares on
// another goroutine than the writer's (CreateMany's writer packs into reused buffers).
func PrepareMany(aliases []string, rows []NewContact, opt BulkOpts, now int64, source string, ahead bool) (*Prepared, error) {
	cols := append(append([]string{}, aliases...), "points", "date_added", "date_modified", "date_identified")
	base := len(aliases)
	p := &Prepared{rows: rows, at: make([]int64, len(rows)), cols: cols, hooked: opt.Hooked}
	dbRows := make([]db.Row, len(rows))
	ev := opt.Event
	if ev == "" {
		ev = events.ContactCreated
	}
	evs := make([]events.Event, 0, len(rows)*2+len(opt.Extra))
	var tagLinks []db.Row
	tagIDs := map[string]string{} // tag name → id
	for i := range rows {
		r := &rows[i]
		if r.ID == "" {
			r.ID = ids.New()
		}
		at := now
		if !r.At.IsZero() {
			at = r.At.UnixMilli()
		}
		p.at[i] = at
		vals := make([]any, len(cols))
		for j, a := range aliases {
			vals[j] = r.Vals[a]
		}
		vals[base] = r.Points
		vals[base+1], vals[base+2] = at, at
		identified := !anonymous(r.Vals)
		if identified {
			vals[base+3] = at
		}
		dbRows[i] = db.Row{ID: r.ID, Vals: vals}
		t := time.UnixMilli(at)
		e := events.Event{ContactID: r.ID, Type: ev, At: t, Source: source, ObjectID: opt.ObjectID, ObjectName: opt.ObjectName}
		if opt.EventID != nil {
			e.ID = opt.EventID(r.ID)
		}
		evs = append(evs, e)
		if identified && ev != events.ContactImported {
			evs = append(evs, events.Event{ContactID: r.ID, Type: events.ContactIdentified, At: t, Source: source})
		}
		for _, tg := range CleanTags(r.Tags) {
			if len(tg) > 1 && tg[0] == '-' {
				continue // nothing to remove from a new contact
			}
			tid, ok := tagIDs[tg]
			if !ok {
				tid = TagID(tg)
				tagIDs[tg] = tid
				p.tags = append(p.tags, tg)
			}
			tagLinks = append(tagLinks, db.Row{ID: TagLinkID(r.ID, tid), Vals: []any{r.ID, tid, at}})
		}
	}
	p.dbRows, p.tagLinks, p.evs = dbRows, tagLinks, append(evs, opt.Extra...)
	if !ahead {
		return p, nil
	}
	var err error
	if p.contacts, err = db.PrepareInsert("contacts", cols, dbRows); err != nil {
		return nil, err
	}
	if p.tagLinksIns, err = db.PrepareInsert("contact_tags", tagLinkCols, tagLinks); err != nil {
		return nil, err
	}
	if !opt.Hooked {
		if p.evsIns, err = events.PrepareMany(p.evs, now); err != nil {
			return nil, err
		}
	}
	return p, nil
}

var tagLinkCols = []string{"contact_id", "tag_id", "date_added"}

// CreatePrepared stores the contacts of p (see CreateMany): their tags are created when
// new, their companies found or created by name.
func (o *Ops) CreatePrepared(p *Prepared) error {
	if len(p.rows) == 0 {
		return nil
	}
	for _, tg := range p.tags {
		if _, err := o.ensureTag(tg); err != nil {
			return err
		}
	}
	var links []db.Row
	for i := range p.rows {
		r := &p.rows[i]
		if name, _ := r.Vals["company"].(string); name != "" {
			cid, err := o.companyID(name)
			if err != nil {
				return err
			}
			links = append(links, db.Row{ID: CompanyLinkID(r.ID, cid), Vals: []any{cid, r.ID, 1, p.at[i]}})
		}
	}
	if err := o.insert("contacts", p.cols, p.dbRows, p.contacts); err != nil {
		return err
	}
	if err := o.tx.InsertMany("company_contacts", []string{"company_id", "contact_id", "is_primary", "date_added"}, links); err != nil {
		return err
	}
	if err := o.insert("contact_tags", tagLinkCols, p.tagLinks, p.tagLinksIns); err != nil {
		return err
	}
	switch {
	case p.hooked:
		_, err := events.NewBatch(o.tx).AppendMany(p.evs)
		return err
	case p.evsIns != nil:
		return events.AppendPrepared(o.tx, p.evsIns)
	}
	return events.AppendMany(o.tx, p.evs)
}

// insert stores rows with their packed statements when given, else with InsertMany.
func (o *Ops) insert(table string, cols []string, rows []db.Row, ready *db.PreparedInsert) error {
	if ready != nil {
		return o.tx.InsertPrepared(ready)
	}
	return o.tx.InsertMany(table, cols, rows)
}

// EnsureTag returns the id of a tag, creating (or restoring) it when needed.
func (o *Ops) EnsureTag(name string) (string, error) { return o.ensureTag(name) }

// companyID finds or creates a company by name, remembering it for the transaction.
func (o *Ops) companyID(name string) (string, error) {
	k := fold.String(name)
	if id, ok := o.companies[k]; ok {
		return id, nil
	}
	id, _, err := companies.FindOrCreateTx(o.tx, name)
	if err != nil {
		return "", err
	}
	if o.companies == nil {
		o.companies = map[string]string{}
	}
	o.companies[k] = id
	return id, nil
}

// ShareCompanies makes CreateMany find companies in m (fold.String(name) → id) and add the
// ones it looks up or creates, so a caller writing many batches (an import, demo data)
// looks each company up once per run instead of once per transaction. Only for callers
// that stop at the first failed transaction: a rolled-back creation would leave in m the
// id of a company that was never stored.
func (o *Ops) ShareCompanies(m map[string]string) { o.companies = m }

// RememberCompany tells CreateMany the id of a company by name (callers that just made
// the companies, e.g. demo data), saving a lookup per name.
func (o *Ops) RememberCompany(name, id string) {
	if o.companies == nil {
		o.companies = map[string]string{}
	}
	o.companies[fold.String(name)] = id
}

// Deferred says which indexes DeferIndexes drops beyond the ones no bulk load reads.
type Deferred struct {
	// NowDated says every new row has date_added = date_modified = the transaction's time
	// and no last_active (imports, not demo data): the indexes led by those dates then only
	// append, and are kept; so are the points' (an import's points are a few values, most
	// often all 0: each row lands at the right edge of its value's run) and last_active's
	// ((0, id): appends). Kept live, those two cost 0.7 s of a 1M import against 1.4 s to
	// rebuild them (docs/BENCHMARKS.md § Contacts, branch imp6).
	NowDated bool
	// Email defers the email index too — the only random B-tree of a load —, for a caller
	// that looks no email up until it has built it (an import into a store or side file
	// that began without contacts, which holds back the rows whose email it may have
	// written and builds the index in its transaction: db.Tx.RestoreIndex).
	Email bool
	// CompanyLinks defers the company links' by-company index (company_contacts_company:
	// one insertion point per company, ≈ 0.7 s of a 1M import's writer against 0.3 s to
	// rebuild it), for a side file, where nobody lists a company's contacts while it loads.
	CompanyLinks bool
}

// DeferIndexes drops the secondary indexes of contacts that a bulk load (a big import, demo
// data) does not read, keeping the email lookup used to merge duplicates unless opt.Email;
// call the returned function when done (db.Open also restores them after a crash). Indexes
// of the event log and link tables stay (but the by-company one with opt.CompanyLinks):
// their keys grow with UUIDv7 ids, so upkeep is cheap, while a rebuild would sort every
// event ever logged. Partial indexes that new contacts never enter (the trash's: db keeps
// them; stages') stay too: upkeep costs nothing, while a rebuild scans the whole table.
func DeferIndexes(ctx context.Context, d *db.DB, opt Deferred) (func(context.Context) error, error) {
	tables := []string{"contacts"}
	keep := []string{"contacts_stage"}
	if !opt.Email {
		keep = append(keep, EmailIndex)
	}
	if opt.NowDated {
		keep = append(keep, "contacts_date_added", "contacts_date_modified", "dash_contacts_added",
			"contacts_points", "contacts_last_active")
	}
	if opt.CompanyLinks {
		tables = append(tables, "company_contacts")
		keep = append(keep, "company_contacts_contact")
	}
	return d.DeferIndexes(ctx, tables, keep)
}

// RestoreEmailIndex builds the email index DeferIndexes (Deferred.Email) deferred (no-op
// when it is live), outside a transaction: from then on emails can be looked up and the
// index is kept live.
func RestoreEmailIndex(ctx context.Context, d *db.DB) error {
	return d.RestoreIndex(ctx, EmailIndex)
}

// EmailIndex is the name of the index of contacts by email.
const EmailIndex = "contacts_email"
