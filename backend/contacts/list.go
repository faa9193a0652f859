package contacts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fold"
	"magpie/backend/listing"
)

// Sorts maps a sortable column name to its indexed key expression (migration 0093: the
// indexes are (deleted, key), covering, the rowid breaking ties; lower() instead of COLLATE
// NOCASE, same order, so that keyset anchors seek the index).
var Sorts = map[string]string{
	"date_added":    "date_added",
	"date_modified": "date_modified",
	"last_active":   "coalesce(last_active, 0)",
	"email":         "lower(coalesce(email, ''))",
	"firstname":     "coalesce(firstname_key, '')",
	"lastname":      "coalesce(lastname_key, '')",
	"company":       "lower(coalesce(company, ''))",
	"city":          "lower(coalesce(city, ''))",
	"country":       "lower(coalesce(country, ''))",
	"points":        "points",
}

// Query selects a page of contacts.
type Query struct {
	// Search is free text: words match the start of first name, last name, email or
	// company (case and accent-insensitive); "tag:x", "email:x", "company:x",
	// "is:anonymous", "is:identified", "is:dnc" narrow further. Words are AND-ed.
	Search  string
	Sort    string // a key of Sorts; default date_added
	Desc    bool
	Offset  int
	Limit   int
	Columns []string // field aliases to load (nil = all)
	Deleted bool     // the trash
	// CompanyID limits to contacts linked to a company.
	CompanyID string
	// Where/Args add a condition on contacts (internal callers, e.g. segment members).
	Where string
	Args  []any
}

// Page is one page of contacts.
type Page struct {
	Rows   []Contact
	Tags   map[string][]string
	Total  int
	Offset int
}

// Filter is the SQL condition and arguments of a search.
type Filter struct {
	Where string
	Args  []any
	// walk is Where for big results: the rowid sets are tested while walking the sort index
	// ("+rowid IN": the index entry's own rowid, no table access per entry) instead of
	// looked up one by one.
	walk string
	// sets, when every word of the search is a plain word, are its rowid sets (each read
	// from covering index ranges, deleted rows excluded): the count intersects them without
	// touching the table.
	sets []string
}

// walkThreshold is the result size above which a page walks the sort index and tests
// membership rather than looking every match up and sorting them.
var walkThreshold = 2000

// prefixRange is the condition "expr starts with term" on live contacts or the trash,
// seeking expr's sort index (listing.Seek).
func prefixRange(expr, term string, trash bool) (string, []any) {
	return fmt.Sprintf("(%s AND %s >= ? AND %s < ?)", listing.Seek(trash), expr, expr), []any{term, term + "\U0010ffff"}
}

// ParseSearch compiles a search string into a condition on live contacts.
func ParseSearch(search string) (Filter, error) { return parseSearch(search, false) }

// parseSearch compiles a search of live contacts or of the trash.
func parseSearch(search string, trash bool) (Filter, error) {
	del := 0
	if trash {
		del = 1
	}
	var conds, sets []string
	var args []any
	words := 0
	for _, tok := range tokenize(search) {
		key, val, hasKey := strings.Cut(tok, ":")
		if hasKey && val != "" {
			switch strings.ToLower(key) {
			case "tag":
				// Rowids through the primary key's index (id → rowid, covering), so the
				// walk form tests the sort index's own rowid.
				conds = append(conds, "rowid IN (SELECT c.rowid FROM contact_tags ct JOIN contacts c ON c.id = ct.contact_id WHERE ct.tag_id = ? AND ct.deleted = 0)")
				args = append(args, TagID(val))
				continue
			case "email":
				c, a := prefixRange(Sorts["email"], strings.ToLower(val), trash)
				conds, args = append(conds, c), append(args, a...)
				continue
			case "company":
				c, a := prefixRange(Sorts["company"], strings.ToLower(val), trash)
				conds, args = append(conds, c), append(args, a...)
				continue
			case "is":
				switch strings.ToLower(val) {
				case "anonymous":
					conds = append(conds, anonymousSQL)
				case "identified":
					conds = append(conds, "NOT "+anonymousSQL)
				case "dnc":
					conds = append(conds, "rowid IN (SELECT c.rowid FROM dnc d JOIN contacts c ON c.id = d.contact_id WHERE d.deleted = 0)")
				default:
					return Filter{}, apperr.Invalidf("contacts.errors.searchIs", map[string]any{"value": val},
						"unknown is:%s (use is:anonymous, is:identified or is:dnc)", val)
				}
				continue
			}
		}
		// One indexed range per column, united in a subquery: SQLite's OR optimisation
		// cannot use the partial (deleted = 0) indexes, so a plain OR scans the table.
		t := fold.String(tok)
		var ors []string
		for _, col := range []string{"firstname", "lastname", "email", "company"} {
			term := t
			if col == "email" || col == "company" {
				term = strings.ToLower(tok)
			}
			c, a := prefixRange(Sorts[col], term, trash)
			ors, args = append(ors, fmt.Sprintf("SELECT rowid AS r FROM contacts WHERE deleted = %d AND %s", del, c)), append(args, a...)
		}
		conds = append(conds, "rowid IN ("+strings.Join(ors, " UNION ALL ")+")")
		sets = append(sets, "SELECT r FROM ("+strings.Join(ors, " UNION ")+")")
		words++
	}
	f := Filter{Where: strings.Join(conds, " AND "), Args: args}
	walk := make([]string, len(conds))
	for i, c := range conds {
		if strings.HasPrefix(c, "rowid IN (") {
			c = "+" + c
		}
		walk[i] = c
	}
	f.walk = strings.Join(walk, " AND ")
	if words > 0 && words == len(conds) {
		f.sets = sets
	}
	return f, nil
}

var anonymousSQL = func() string {
	var p []string
	for _, a := range identifying {
		p = append(p, "coalesce("+a+", '') = ''")
	}
	return "(" + strings.Join(p, " AND ") + ")"
}()

// tokenize splits on blanks, keeping "double quoted" phrases together.
func tokenize(s string) []string {
	var out []string
	var cur strings.Builder
	inQ := false
	for _, r := range s {
		switch {
		case r == '"':
			inQ = !inQ
		case (r == ' ' || r == '\t') && !inQ:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// List returns one page of contacts in a stable order, fast at any offset.
func (s *Service) List(ctx context.Context, q Query) (Page, error) {
	f, err := parseSearch(q.Search, q.Deleted)
	if err != nil {
		return Page{}, err
	}
	where, args := f.Where, f.Args
	plain := q.CompanyID == "" && q.Where == ""
	and := func(c string, a ...any) {
		if c == "" {
			return
		}
		if where != "" {
			where += " AND "
		}
		where += c
		args = append(args, a...)
	}
	if q.CompanyID != "" {
		and("id IN (SELECT contact_id FROM company_contacts WHERE company_id = ? AND deleted = 0)", q.CompanyID)
	}
	and(q.Where, q.Args...)
	key, ok := Sorts[q.Sort]
	if !ok {
		if q.Sort != "" {
			return Page{}, apperr.Invalidf("contacts.errors.sort", map[string]any{"sort": q.Sort}, "cannot sort by %q", q.Sort)
		}
		key = Sorts["date_added"]
	}
	desc := q.Desc
	if q.Deleted {
		key, desc = "coalesce(deleted_at, 0)", true
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	// The (cached) total first: it lets a deep page walk the index from the nearer end,
	// and a big result walk the sort index instead of looking every match up.
	var total int
	if plain && len(f.sets) > 0 {
		total, err = s.countSets(ctx, where, args, f.sets, q.Deleted)
	} else {
		total, err = s.Count(ctx, where, args, q.Deleted)
	}
	if err != nil {
		return Page{}, err
	}
	if plain && f.walk != "" && total > walkThreshold {
		where = f.walk
	}
	spec := listing.Spec{Table: "contacts", Key: key, Desc: desc, Where: where, Args: args,
		Offset: q.Offset, Limit: q.Limit, Deleted: q.Deleted, Total: total}
	rowids, err := listing.Rowids(ctx, s.db.R, &s.anchors, spec)
	if err != nil {
		return Page{}, err
	}
	rows, err := s.loadRows(ctx, rowids, q.Columns)
	if err != nil {
		return Page{}, err
	}
	idList := make([]string, len(rows))
	for i, c := range rows {
		idList[i] = c.ID
	}
	tags, err := s.TagsOf(ctx, idList)
	if err != nil {
		return Page{}, err
	}
	return Page{Rows: rows, Tags: tags, Total: total, Offset: q.Offset}, nil
}

// countSets counts a search made of plain words by intersecting their rowid sets (covering
// index ranges only); cached like Count under the search's condition.
func (s *Service) countSets(ctx context.Context, where string, args []any, sets []string, deleted bool) (int, error) {
	q := "SELECT count(*) FROM (" + strings.Join(sets, " INTERSECT ") + ")"
	return s.count(ctx, where, args, deleted, q)
}

// Count counts contacts matching a condition; totals are cached until contacts change.
func (s *Service) Count(ctx context.Context, where string, args []any, deleted bool) (int, error) {
	d := 0
	if deleted {
		d = 1
	}
	q := fmt.Sprintf("SELECT count(*) FROM contacts WHERE deleted = %d", d)
	if where != "" {
		q += " AND (" + where + ")"
	}
	return s.count(ctx, where, args, deleted, q)
}

// count runs q (a count with args) unless the total of where/args is cached.
func (s *Service) count(ctx context.Context, where string, args []any, deleted bool, q string) (int, error) {
	d := 0
	if deleted {
		d = 1
	}
	sig := fmt.Sprintf("%d|%s|%v", d, where, args)
	s.countMu.Lock()
	n, ok := s.counts[sig]
	gen := s.countGen
	s.countMu.Unlock()
	if ok {
		return n, nil
	}
	if err := s.db.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, err
	}
	s.countMu.Lock()
	if gen == s.countGen { // nothing changed while we counted
		if s.counts == nil {
			s.counts = map[string]int{}
		}
		s.counts[sig] = n
	}
	s.countMu.Unlock()
	return n, nil
}

// IDs returns every contact id matching a search (for batch actions on "all results"),
// capped at max.
func (s *Service) IDs(ctx context.Context, search string, max int) ([]string, error) {
	f, err := ParseSearch(search)
	if err != nil {
		return nil, err
	}
	q := "SELECT id FROM contacts WHERE deleted = 0"
	if f.Where != "" {
		q += " AND (" + f.Where + ")"
	}
	q += " ORDER BY date_added, rowid LIMIT ?"
	return db.Strings(s.db.R.QueryContext(ctx, q, append(f.Args, max)...))
}

// sortSpec is the unfiltered order of a sort (the trash is always by deletion time).
func sortSpec(sort string, deleted bool) (listing.Spec, error) {
	key, ok := Sorts[sort]
	if !ok {
		return listing.Spec{}, apperr.Invalidf("contacts.errors.sort", map[string]any{"sort": sort}, "cannot sort by %q", sort)
	}
	if deleted {
		key = "coalesce(deleted_at, 0)"
	}
	return listing.Spec{Table: "contacts", Key: key, Deleted: deleted}, nil
}

// PrepareSort builds the sparse anchor index of an unfiltered sort now, if it is missing or
// stale (List builds it in the background on first use): warm-up and benchmarks.
func (s *Service) PrepareSort(ctx context.Context, sort string, deleted bool) error {
	spec, err := sortSpec(sort, deleted)
	if err != nil {
		return err
	}
	return s.anchors.Prepare(ctx, s.db.R, spec)
}

// SparseAnchors reports how many sparse anchors the unfiltered sort has ready (0: none yet).
func (s *Service) SparseAnchors(sort string, deleted bool) int {
	spec, err := sortSpec(sort, deleted)
	if err != nil {
		return 0
	}
	return s.anchors.SparseLen(spec)
}

// WarmSorts readies, in the background, the sparse anchor index of every unfiltered sort
// (and the trash's) that is big enough and has none yet — the copy kept from an earlier
// run when it is current, else a build, one sort after the other — so a sort picked in the
// grid jumps at once. The grid calls it when it opens; a call while warming does nothing.
func (s *Service) WarmSorts(ctx context.Context) {
	if !s.warming.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer s.warming.Store(false)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
		defer cancel()
		var specs []listing.Spec
		for _, trash := range []bool{false, true} {
			total, err := s.Count(ctx, "", nil, trash)
			if err != nil {
				return
			}
			names := warmOrder
			if trash {
				names = names[:1] // the trash has one order
			}
			for _, name := range names {
				spec, err := sortSpec(name, trash)
				if err != nil {
					return
				}
				spec.Total = total
				specs = append(specs, spec)
			}
		}
		s.anchors.Warm(ctx, s.db.R, specs)
	}()
}

// warmOrder is the order WarmSorts readies sorts in: the grid's default first.
var warmOrder = []string{"date_added", "lastname", "email", "firstname", "company", "city", "country", "points", "last_active", "date_modified"}

// SortsLoaded reports how many sparse anchor indexes were read from the store (kept from
// an earlier run) instead of built.
func (s *Service) SortsLoaded() int { return s.anchors.Loads() }

// WaitSorts waits for the sparse anchor indexes being built in the background.
func (s *Service) WaitSorts() { s.anchors.Wait() }
