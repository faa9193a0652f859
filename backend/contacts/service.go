package contacts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/listing"
)

// Service manages contacts.
type Service struct {
	db      *db.DB
	fields  *fields.Service
	anchors listing.Anchors

	warming atomic.Bool // WarmSorts running

	countMu  sync.Mutex
	counts   map[string]int // cached totals per list signature
	countGen uint64         // bumped on every invalidation
}

// New returns the service.
func New(d *db.DB, fs *fields.Service) *Service {
	s := &Service{db: d, fields: fs}
	s.anchors.Store = sparseStore{db: d}
	d.OnCommit(s.onCommit)
	return s
}

// sortSources lists the user columns each sort key is computed from: an update of other
// columns leaves that order (and its sparse anchor index) as it was.
var sortSources = map[string][]string{
	"date_added": {"date_added"}, "date_modified": {"date_modified"}, "last_active": {"last_active"},
	"email": {"email"}, "firstname": {"firstname", "firstname_key"}, "lastname": {"lastname", "lastname_key"},
	"company": {"company"}, "city": {"city"}, "country": {"country"}, "points": {"points"},
}

// onCommit drops cached totals and anchors a commit may have made wrong: inserts, deletes
// and restores move every order; an update moves only the orders of the columns it wrote;
// tags, DNC, company links and segment membership change only filtered lists.
func (s *Service) onCommit(c db.Commit) {
	lists, all := false, false
	var keys []string
	for _, ch := range c.Changes {
		switch ch.Table {
		case "contacts":
			lists = true
			_, del := ch.Col("deleted")
			_, delAt := ch.Col("deleted_at")
			if ch.Op != db.OpUpdate || del || delAt {
				all = true
				continue
			}
			for sort, cols := range sortSources {
				for _, col := range cols {
					if _, ok := ch.Col(col); ok {
						keys = append(keys, Sorts[sort])
						break
					}
				}
			}
		case "contact_tags", "dnc", "company_contacts":
			lists = true
		}
	}
	for _, sg := range c.Signals {
		if sg.Topic == ListChanged {
			lists = true
		}
	}
	for _, name := range c.Bulk { // a bulk write lists no change: every page and total may move
		switch name {
		case "contacts":
			all = true
		case "contact_tags", "dnc", "company_contacts":
			lists = true
		}
	}
	lists = lists || slices.Contains(c.BulkSignals, ListChanged)
	switch {
	case all:
		s.anchors.Invalidate()
	case lists:
		s.anchors.InvalidateKeys(keys...)
	default:
		return
	}
	s.countMu.Lock()
	s.counts = nil
	s.countGen++
	s.countMu.Unlock()
}

// ListChanged is a commit signal other packages send when they change what contact lists
// show (e.g. segment membership), so cached pages and totals are dropped.
const ListChanged = "contacts:list"

// DB returns the store (for features that batch contact writes with Ops).
func (s *Service) DB() *db.DB { return s.db }

// Fields returns the field service.
func (s *Service) Fields() *fields.Service { return s.fields }

// ParseValues validates raw user values against the contact fields and returns stored
// values ("" becomes nil = clear), or an error naming each bad field.
func (s *Service) ParseValues(ctx context.Context, raw map[string]string, opt fields.ParseOptions) (db.Cols, error) {
	return s.fields.ParseValues(ctx, fields.Contact, raw, opt)
}

// Input is a contact as the user edits it: raw text per field alias.
type Input struct {
	Values  map[string]string
	Tags    []string
	OwnerID string
}

// Create validates and adds a contact.
func (s *Service) Create(ctx context.Context, in Input, source string) (Detail, error) {
	cols, err := s.ParseValues(ctx, in.Values, fields.ParseOptions{})
	if err != nil {
		return Detail{}, err
	}
	if err := s.checkRequired(ctx, cols, true); err != nil {
		return Detail{}, err
	}
	if in.OwnerID != "" {
		cols["owner_id"] = in.OwnerID
	}
	var id string
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := emailFree(tx, cols, ""); err != nil {
			return err
		}
		id, err = NewOps(tx, source).Create(cols, CreateOpts{Tags: in.Tags})
		return err
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, id)
}

// Update validates and writes the given fields of a contact ("" clears a field).
func (s *Service) Update(ctx context.Context, id string, raw map[string]string, source string) (Detail, error) {
	cols, err := s.ParseValues(ctx, raw, fields.ParseOptions{})
	if err != nil {
		return Detail{}, err
	}
	if err := s.checkRequired(ctx, cols, false); err != nil {
		return Detail{}, err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := emailFree(tx, cols, id); err != nil {
			return err
		}
		return wrapNotFound(NewOps(tx, source).Update(id, cols), id)
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, id)
}

func (s *Service) checkRequired(ctx context.Context, cols db.Cols, creating bool) error {
	fs, err := s.fields.List(ctx, fields.Contact)
	if err != nil {
		return err
	}
	errs, msgs := map[string]string{}, map[string]string{}
	for _, f := range fs {
		if !f.Required {
			continue
		}
		v, present := cols[f.Alias]
		if (creating && v == nil) || (!creating && present && v == nil) {
			errs[f.Alias], msgs[f.Alias] = "fields.errors.required", f.Label+" is required"
		}
	}
	if len(errs) > 0 {
		return apperr.FieldErrors(errs, msgs)
	}
	return nil
}

// emailFree refuses an email already used by another live contact (email is Mautic's
// unique identifier).
func emailFree(tx *db.Tx, cols db.Cols, self string) error {
	email, _ := cols["email"].(string)
	if email == "" {
		return nil
	}
	var other string
	err := tx.QueryRow("SELECT id FROM contacts WHERE "+EmailEq+" AND deleted = 0 AND id <> ? LIMIT 1", email, email, self).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return &apperr.Error{Code: apperr.Conflict, Key: "contacts.errors.emailTaken", Err: ErrEmailTaken,
		Params: map[string]any{"email": email, "id": other}, Fields: map[string]string{"email": "contacts.errors.emailTaken"},
		Msg: fmt.Sprintf("%s is already the email of contact %s", email, other)}
}

func wrapNotFound(err error, id string) error {
	if errors.Is(err, ErrNotFound) {
		return apperr.NotFoundf("contacts.errors.notFound", map[string]any{"id": id}, "no contact %s", id)
	}
	return err
}

// ByEmail finds the live contact with this email.
func (s *Service) ByEmail(ctx context.Context, email string) (Detail, error) {
	var id string
	e := strings.TrimSpace(email)
	err := s.db.R.QueryRowContext(ctx, "SELECT id FROM contacts WHERE "+EmailEq+" AND deleted = 0 ORDER BY date_added DESC LIMIT 1",
		e, e).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Detail{}, apperr.NotFoundf("contacts.errors.emailNotFound", map[string]any{"email": email}, "no contact with email %s", email)
	}
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, id)
}

// Get loads a contact (live or in the trash) with tags, companies, DNC and notes.
func (s *Service) Get(ctx context.Context, id string) (Detail, error) {
	cs, err := s.Load(ctx, []string{id}, nil)
	if err != nil {
		return Detail{}, err
	}
	if len(cs) == 0 {
		return Detail{}, wrapNotFound(ErrNotFound, id)
	}
	d := Detail{Contact: cs[0]}
	if d.Tags, err = s.tagsOf(ctx, id); err != nil {
		return Detail{}, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT cc.company_id, c.companyname, cc.is_primary FROM company_contacts cc
		JOIN companies c ON c.id = cc.company_id AND c.deleted = 0
		WHERE cc.contact_id = ? AND cc.deleted = 0 ORDER BY cc.is_primary DESC, c.companyname`, id)
	if err != nil {
		return Detail{}, err
	}
	for rows.Next() {
		var l CompanyLink
		if err := rows.Scan(&l.CompanyID, &l.Name, &l.Primary); err != nil {
			rows.Close()
			return Detail{}, err
		}
		d.Companies = append(d.Companies, l)
	}
	rows.Close()
	rows, err = s.db.R.QueryContext(ctx, `SELECT channel, reason, coalesce(channel_id,''), coalesce(comments,''), date_added
		FROM dnc WHERE contact_id = ? AND deleted = 0 ORDER BY channel`, id)
	if err != nil {
		return Detail{}, err
	}
	for rows.Next() {
		var x DNC
		var at int64
		if err := rows.Scan(&x.Channel, &x.Reason, &x.ChannelID, &x.Comments, &at); err != nil {
			rows.Close()
			return Detail{}, err
		}
		x.DateAdded = time.UnixMilli(at).UTC()
		d.DNC = append(d.DNC, x)
	}
	rows.Close()
	rows, err = s.db.R.QueryContext(ctx, `SELECT id, type, text, at FROM notes WHERE contact_id = ? AND deleted = 0 ORDER BY at DESC LIMIT 200`, id)
	if err != nil {
		return Detail{}, err
	}
	for rows.Next() {
		n := Note{ContactID: id}
		var at int64
		if err := rows.Scan(&n.ID, &n.Type, &n.Text, &at); err != nil {
			rows.Close()
			return Detail{}, err
		}
		n.At = time.UnixMilli(at).UTC()
		d.Notes = append(d.Notes, n)
	}
	rows.Close()
	return d, rows.Err()
}

func (s *Service) tagsOf(ctx context.Context, id string) ([]string, error) {
	return db.Strings(s.db.R.QueryContext(ctx, `SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
		WHERE ct.contact_id = ? AND ct.deleted = 0 ORDER BY t.name`, id))
}

// Tags lists every live tag with its number of contacts, by name.
func (s *Service) Tags(ctx context.Context) ([]TagCount, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT t.name, (SELECT count(*) FROM contact_tags ct WHERE ct.tag_id = t.id AND ct.deleted = 0)
		FROM tags t WHERE t.deleted = 0 ORDER BY t.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TagCount
	for rows.Next() {
		var t TagCount
		if err := rows.Scan(&t.Name, &t.Contacts); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TagCount is a tag and how many contacts carry it.
type TagCount struct {
	Name     string `json:"name"`
	Contacts int    `json:"contacts"`
}

// Load reads contacts by id, in the given order; cols limits the field aliases read (nil =
// all fields).
func (s *Service) Load(ctx context.Context, idList []string, cols []string) ([]Contact, error) {
	if len(idList) == 0 {
		return nil, nil
	}
	byID := make(map[string]Contact, len(idList))
	err := s.load(ctx, "id", listing.Strings(idList), cols, func(_ int64, c Contact) { byID[c.ID] = c })
	if err != nil {
		return nil, err
	}
	out := make([]Contact, 0, len(idList))
	for _, id := range idList {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// loadRows reads contacts by rowid (a grid page: listing.Rowids), in the given order.
func (s *Service) loadRows(ctx context.Context, rowids []int64, cols []string) ([]Contact, error) {
	if len(rowids) == 0 {
		return nil, nil
	}
	byRow := make(map[int64]Contact, len(rowids))
	if err := s.load(ctx, "rowid", listing.Int64s(rowids), cols, func(r int64, c Contact) { byRow[r] = c }); err != nil {
		return nil, err
	}
	out := make([]Contact, 0, len(rowids))
	for _, r := range rowids {
		if c, ok := byRow[r]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// load reads the contacts whose column by (id or rowid) is one of keys and hands each to
// found with its rowid.
func (s *Service) load(ctx context.Context, by string, keys []any, cols []string, found func(int64, Contact)) error {
	fs, err := s.fields.List(ctx, fields.Contact)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, c := range cols {
		want[c] = true
	}
	var aliases []string
	for _, f := range fs {
		if f.Alias == "points" || f.Alias == "last_active" {
			continue // read as system columns below
		}
		if cols == nil || want[f.Alias] {
			aliases = append(aliases, f.Alias)
		}
	}
	sel := []string{"rowid", "id", "points", "coalesce(stage_id,'')", "coalesce(owner_id,'')", "date_added", "date_modified",
		"date_identified", "last_active", "deleted", "deleted_at"}
	for _, a := range aliases {
		sel = append(sel, db.Quote(a))
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM contacts WHERE " + by + " IN (" + listing.Placeholders(len(keys)) + ")"
	rows, err := s.db.R.QueryContext(ctx, q, keys...)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, len(aliases))
	for rows.Next() {
		var c Contact
		var rowid, added, modified int64
		var identified, active, deletedAt sql.NullInt64
		dest := []any{&rowid, &c.ID, &c.Points, &c.StageID, &c.OwnerID, &added, &modified, &identified, &active, &c.Deleted, &deletedAt}
		for i := range vals {
			vals[i] = nil
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		c.DateAdded, c.DateModified = time.UnixMilli(added).UTC(), time.UnixMilli(modified).UTC()
		c.DateIdentified, c.LastActive, c.DeletedAt = msPtr(identified), msPtr(active), msPtr(deletedAt)
		c.Values = make(map[string]any, len(aliases)+2)
		for i, a := range aliases {
			switch v := vals[i].(type) {
			case nil:
			case []byte:
				c.Values[a] = string(v)
			default:
				c.Values[a] = v
			}
		}
		c.Values["points"] = c.Points
		if c.LastActive != nil {
			c.Values["last_active"] = c.LastActive.Format("2006-01-02 15:04:05")
		}
		found(rowid, c)
	}
	return rows.Err()
}

// TagsOf returns the tags of many contacts (for grid rows).
func (s *Service) TagsOf(ctx context.Context, idList []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(idList) == 0 {
		return out, nil
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT ct.contact_id, t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
		WHERE ct.deleted = 0 AND ct.contact_id IN (`+listing.Placeholders(len(idList))+`)`, listing.Strings(idList)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, t string
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		out[id] = append(out[id], t)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out, rows.Err()
}

func msPtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.UnixMilli(n.Int64).UTC()
	return &t
}
