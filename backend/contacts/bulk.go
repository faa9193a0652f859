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
// Aliases lists every field alias any row may carry.
func (o *Ops) CreateMany(aliases []string, rows []NewContact, opt BulkOpts) error {
	if len(rows) == 0 {
		return nil
	}
	cols := append(append([]string{}, aliases...), "points", "date_added", "date_modified", "date_identified")
	base := len(aliases)
	dbRows := make([]db.Row, len(rows))
	ev := opt.Event
	if ev == "" {
		ev = events.ContactCreated
	}
	evs := make([]events.Event, 0, len(rows)*2+len(opt.Extra))
	var links, tagLinks []db.Row
	for i := range rows {
		r := &rows[i]
		if r.ID == "" {
			r.ID = ids.New()
		}
		at := o.tx.NowMs()
		if !r.At.IsZero() {
			at = r.At.UnixMilli()
		}
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
		e := events.Event{ContactID: r.ID, Type: ev, At: t, Source: o.source, ObjectID: opt.ObjectID, ObjectName: opt.ObjectName}
		if opt.EventID != nil {
			e.ID = opt.EventID(r.ID)
		}
		evs = append(evs, e)
		if identified && ev != events.ContactImported {
			evs = append(evs, events.Event{ContactID: r.ID, Type: events.ContactIdentified, At: t, Source: o.source})
		}
		if name, _ := r.Vals["company"].(string); name != "" {
			cid, err := o.companyID(name)
			if err != nil {
				return err
			}
			links = append(links, db.Row{ID: CompanyLinkID(r.ID, cid), Vals: []any{cid, r.ID, 1, at}})
		}
		for _, tg := range CleanTags(r.Tags) {
			if len(tg) > 1 && tg[0] == '-' {
				continue // nothing to remove from a new contact
			}
			tid, err := o.ensureTag(tg)
			if err != nil {
				return err
			}
			tagLinks = append(tagLinks, db.Row{ID: TagLinkID(r.ID, tid), Vals: []any{r.ID, tid, at}})
		}
	}
	if err := o.tx.InsertMany("contacts", cols, dbRows); err != nil {
		return err
	}
	if err := o.tx.InsertMany("company_contacts", []string{"company_id", "contact_id", "is_primary", "date_added"}, links); err != nil {
		return err
	}
	if err := o.tx.InsertMany("contact_tags", []string{"contact_id", "tag_id", "date_added"}, tagLinks); err != nil {
		return err
	}
	if opt.Hooked {
		_, err := events.NewBatch(o.tx).AppendMany(append(evs, opt.Extra...))
		return err
	}
	return events.AppendMany(o.tx, append(evs, opt.Extra...))
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

// DeferIndexes drops the secondary indexes of contacts that a bulk load (a big import, demo
// data) does not read, keeping the email lookup used to merge duplicates; call the
// returned function when done (db.Open also restores them after a crash). Indexes of the
// event log and link tables stay: their keys grow with UUIDv7 ids, so upkeep is cheap,
// while a rebuild would sort every event ever logged. Partial indexes that new contacts
// never enter (the trash's, stages') stay too: upkeep costs nothing, while a rebuild scans
// the whole table. nowDated says every new row has date_added = date_modified = the
// transaction's time (imports, not demo data): the indexes led by those dates then only
// append, and are kept as well.
func DeferIndexes(ctx context.Context, d *db.DB, nowDated bool) (func(context.Context) error, error) {
	keep := []string{"contacts_email", "contacts_deleted", "contacts_trash_sort", "contacts_stage"}
	if nowDated {
		keep = append(keep, "contacts_date_added", "contacts_date_modified", "dash_contacts_added")
	}
	return d.DeferIndexes(ctx, []string{"contacts"}, keep)
}
