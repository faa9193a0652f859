// Package listing pages through big tables in a stable order, fast at any depth: the first
// phase walks a covering index for rowids with keyset paging from the nearest cached anchor,
// the second loads only the rows of the page by rowid.
//
// An order is (key, rowid): every entry of an index on a rowid table already ends with the
// row's rowid (at most 8 bytes), so the sort indexes carry no 36-byte text id (migration
// 0093). A plain-column key is indexed as (key) WHERE deleted = d; an expression key as
// (deleted COLLATE NOCASE, key) WHERE deleted = d, sought with Seek(d) — see the migration
// for why the collation. Rowids of these tables are stable: they have secondary indexes, so
// VACUUM (INTO) keeps them (db's TestRowidsSurviveCompact).
//
// A virtualised grid asks for arbitrary offsets (a scrollbar drag to the middle of a million
// rows); anchors remembered from earlier pages turn those into short index walks. Anchors are
// dropped when the data version changes.
package listing

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Spec is one page request.
type Spec struct {
	Table  string // e.g. contacts
	Key    string // sort key SQL expression, non-NULL, indexed for the table (package comment)
	Desc   bool
	Where  string // extra condition (AND-ed), may be ""
	Args   []any  // arguments of Where
	Offset int
	Limit  int
	// Deleted lists the trash instead of live rows.
	Deleted bool
	// Total, when known (> 0), lets a page in the second half without a nearby anchor walk
	// the index from the other end.
	Total int
}

type anchor struct {
	off int
	key any
	row int64 // rowid
}

// Anchors caches keyset anchors per query signature: the last row of every page read
// (dropped on any write), and the sparse anchor index of each big unfiltered order
// (sparse.go). The zero value is ready to use.
type Anchors struct {
	// Step is the distance between sparse anchors (0: DefaultStep); MinRows the size of
	// an order from which it gets a sparse index (0: 2×Step); Quiet how long after the
	// last write a rebuild waits (0: DefaultQuiet, < 0: no wait). Set before first use.
	Step    int
	MinRows int
	Quiet   time.Duration
	// Store, when set, keeps sparse indexes across restarts (persist.go). Set before use.
	Store Store

	mu      sync.Mutex
	version uint64
	m       map[string][]anchor

	sparse   map[string]*sparseState // by table|key|deleted
	allGen   uint64                  // bumped by Invalidate
	keyGen   map[string]uint64       // bumped by InvalidateKeys per sort key
	allWrite time.Time               // last Invalidate
	keyWrite map[string]time.Time    // last InvalidateKeys per sort key
	loads    int                     // indexes taken from the Store
	wg       sync.WaitGroup
}

// Invalidate drops every anchor, sparse indexes included (call on any write that may add,
// remove or move rows: inserts, deletes, restores).
func (a *Anchors) Invalidate() {
	a.mu.Lock()
	a.version++
	a.m = nil
	a.allGen++
	a.allWrite = time.Now()
	a.mu.Unlock()
}

// InvalidateKeys drops the page anchors and the sparse indexes of the given sort keys
// (a write that changed only the columns these keys are computed from); with no keys
// the sparse indexes stay (a write that changes only filtered lists, e.g. tags).
func (a *Anchors) InvalidateKeys(keys ...string) {
	a.mu.Lock()
	a.version++
	a.m = nil
	if len(keys) > 0 {
		if a.keyGen == nil {
			a.keyGen, a.keyWrite = map[string]uint64{}, map[string]time.Time{}
		}
		now := time.Now()
		for _, k := range keys {
			a.keyGen[k]++
			a.keyWrite[k] = now
		}
	}
	a.mu.Unlock()
}

func (a *Anchors) nearest(sig string, off int) (anchor, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	list := a.m[sig]
	// The anchor must lie strictly before off: the page starts after it.
	i := sort.Search(len(list), func(i int) bool { return list[i].off >= off }) - 1
	if i < 0 {
		return anchor{}, false
	}
	return list[i], true
}

func (a *Anchors) add(sig string, version uint64, an anchor) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if version != a.version {
		return // data changed while we read: this anchor may be stale
	}
	if a.m == nil {
		a.m = map[string][]anchor{}
	}
	list := a.m[sig]
	i := sort.Search(len(list), func(i int) bool { return list[i].off >= an.off })
	if i < len(list) && list[i].off == an.off {
		return
	}
	if len(list) >= 4096 {
		return
	}
	list = append(list, anchor{})
	copy(list[i+1:], list[i:])
	list[i] = an
	a.m[sig] = list
}

func (a *Anchors) snapshot() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.version
}

// Rowids returns the rowids of one page, in order.
func Rowids(ctx context.Context, r *sql.DB, a *Anchors, s Spec) ([]int64, error) {
	if s.Limit <= 0 {
		s.Limit = 100
	}
	ver := a.snapshot()
	sig := s.signature()
	var pageFrom *anchor
	if an, ok := a.nearest(sig, s.Offset); ok {
		pageFrom = &an
	}
	sp := a.sparseFor(ctx, r, s)
	from := pageFrom
	q, args, reversed := s.plan(&from, sp)
	if sp != nil && sp.partial {
		// A build of this order is under way: when it will pass the page sooner than the
		// page's own walk would get there, wait for it (and walk the rest from its anchor).
		walk := args[len(args)-1].(int)
		if target, ok := a.waitWorthIt(s, sp, walk); ok {
			from = pageFrom
			q, args, reversed = s.plan(&from, a.waitFor(ctx, r, s, target))
		}
	}
	rows, err := r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	var keys []any
	for rows.Next() {
		var key any
		var row int64
		if err := rows.Scan(&key, &row); err != nil {
			return nil, err
		}
		if b, ok := key.([]byte); ok {
			key = string(b) // bound back as TEXT, not BLOB (which sorts after all text)
		}
		out = append(out, row)
		keys = append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if reversed {
		for i, k := 0, len(out)-1; i < k; i, k = i+1, k-1 {
			out[i], out[k] = out[k], out[i]
			keys[i], keys[k] = keys[k], keys[i]
		}
	}
	var last anchor
	if len(out) > 0 {
		last.key, last.row = keys[len(keys)-1], out[len(out)-1]
	}
	if len(out) > 0 {
		last.off = s.Offset + len(out) - 1
		a.add(sig, ver, last)
	}
	return out, nil
}

// plan picks the start of the page (the nearest page anchor *from, or a closer sparse
// anchor of x) and returns its query; reversed when it walks from the other end. The last
// argument of the query is the number of index entries it skips.
func (s Spec) plan(from **anchor, x *sparseIdx) (string, []any, bool) {
	if x != nil {
		if an, ok := x.nearest(s.Offset, s.Desc); ok && (*from == nil || an.off > (*from).off) {
			*from = &an
		}
	}
	if rs, ok := s.fromEnd(*from); ok {
		q, args := rs.query(nil)
		return q, args, true
	}
	q, args := s.query(*from)
	return q, args, false
}

func (s Spec) dir() (string, string) {
	if s.Desc {
		return "DESC", "<"
	}
	return "ASC", ">"
}

func (s Spec) signature() string {
	dir, _ := s.dir()
	return fmt.Sprintf("%s|%s|%s|%s|%v|%v", s.Table, s.Key, dir, s.Where, s.Args, s.Deleted)
}

// query is the SQL of one page, after an anchor or from the top (skipping s.Offset rows).
// Keys must not carry a COLLATE clause: with one, SQLite neither seeks the index for the
// keyset terms nor treats it as covering (index such keys on lower(expr), which orders
// the same way). contacts' TestSortPlansCovering checks the plans.
//
// After an anchor the page is the merge of two seeks: the rest of the anchor's run of equal
// keys (key = ? AND rowid > ?, the index's entries in rowid order) and the keys after it. A
// single range would seek the start of the run and filter through it: an imported million
// shares one or two date_added values and one last_active (0), most of its companies are
// empty, so each jump walked up to the whole run. On an expression index SQLite sorts the
// run's part instead of taking it in rowid order, so that part is bounded by a subquery's
// LIMIT (the rows the page can need: skip + limit).
func (s Spec) query(from *anchor) (string, []any) {
	dir, _ := s.dir()
	var b strings.Builder
	skip := s.Offset
	if from != nil {
		skip = s.Offset - from.off - 1
	}
	var args []any
	if from != nil {
		tie, rest := s.split(from)
		if plainColumn(s.Key) {
			fmt.Fprintf(&b, "SELECT %s, rowid FROM %s", s.Key, s.Table)
			args = tie(&b)
		} else {
			fmt.Fprintf(&b, "SELECT * FROM (SELECT %s, rowid FROM %s", s.Key, s.Table)
			args = tie(&b)
			fmt.Fprintf(&b, " ORDER BY rowid %s LIMIT ?)", dir)
			args = append(args, skip+s.Limit)
		}
		fmt.Fprintf(&b, " UNION ALL SELECT %s, rowid FROM %s", s.Key, s.Table)
		args = append(args, rest(&b)...)
		fmt.Fprintf(&b, " ORDER BY 1 %s, 2 %s LIMIT ? OFFSET ?", dir, dir)
		return b.String(), append(args, s.Limit, skip)
	}
	fmt.Fprintf(&b, "SELECT %s, rowid FROM %s", s.Key, s.Table)
	args = s.where(&b)
	fmt.Fprintf(&b, " ORDER BY %s %s, rowid %s LIMIT ? OFFSET ?", s.Key, dir, dir)
	return b.String(), append(args, s.Limit, skip)
}

// count is the SQL counting the rows of s's order after from (all of them when nil).
func (s Spec) count(from *anchor) (string, []any) {
	var b strings.Builder
	if from == nil {
		fmt.Fprintf(&b, "SELECT count(*) FROM %s", s.Table)
		return b.String(), s.where(&b)
	}
	tie, rest := s.split(from)
	fmt.Fprintf(&b, "SELECT (SELECT count(*) FROM %s", s.Table)
	args := tie(&b)
	fmt.Fprintf(&b, ") + (SELECT count(*) FROM %s", s.Table)
	args = append(args, rest(&b)...)
	b.WriteString(")")
	return b.String(), args
}

// split returns the WHERE clauses (writers returning their arguments) of the rows after
// from that share its key and of those with a key after it.
func (s Spec) split(from *anchor) (tie, rest func(*strings.Builder) []any) {
	_, cmp := s.dir()
	tie = func(b *strings.Builder) []any {
		args := s.where(b)
		fmt.Fprintf(b, " AND %s = ? AND rowid %s ?", s.Key, cmp)
		return append(args, from.key, from.row)
	}
	rest = func(b *strings.Builder) []any {
		args := s.where(b)
		fmt.Fprintf(b, " AND %s %s ?", s.Key, cmp)
		return append(args, from.key)
	}
	return tie, rest
}

// where writes the WHERE clause of s's rows and returns its arguments.
func (s Spec) where(b *strings.Builder) []any {
	deleted := "0"
	if s.Deleted {
		deleted = "1"
	}
	fmt.Fprintf(b, " WHERE deleted = %s", deleted)
	if !plainColumn(s.Key) {
		b.WriteString(" AND " + Seek(s.Deleted))
	}
	args := append([]any(nil), s.Args...)
	if s.Where != "" {
		b.WriteString(" AND (" + s.Where + ")")
	}
	return args
}

// fromEnd returns the reversed spec that reads the same page walking from the other end
// of the index: worth it when the page lies in the second half of a known total and no
// anchor is closer than the end.
func (s Spec) fromEnd(from *anchor) (Spec, bool) {
	if s.Total <= 0 || s.Offset >= s.Total {
		return s, false
	}
	pos := 0
	if from != nil {
		pos = from.off
	}
	fromStart := s.Offset - pos
	back := s.Total - s.Offset - s.Limit // rows after the page
	if back < 0 {
		back = 0
	}
	if back >= fromStart {
		return s, false
	}
	r := s
	r.Desc = !s.Desc
	r.Limit = min(s.Limit, s.Total-s.Offset)
	r.Offset = back
	return r, true
}

// QuerySQL is the SQL Rowids runs for a page of s (after an anchor when anchored), for
// tests that check query plans.
func QuerySQL(s Spec, anchored bool) (string, []any) {
	if anchored {
		return s.query(&anchor{off: 0, key: "m", row: 1})
	}
	return s.query(nil)
}

// Seek is the condition that lets SQLite seek an expression sort index, (deleted COLLATE
// NOCASE, key), for live rows or the trash: an equality on its leading column must have its
// collation. It holds for the same rows as deleted = 0 (1); write both (the plain one
// selects the partial index).
func Seek(deleted bool) string {
	if deleted {
		return "deleted = 1 COLLATE NOCASE"
	}
	return "deleted = 0 COLLATE NOCASE"
}

// plainColumn reports whether key is a bare column name (indexed without deleted).
func plainColumn(key string) bool {
	for _, r := range key {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return key != ""
}

// Placeholders returns "?, ?, ?" for n values.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// Strings converts ids to query arguments.
func Strings(ids []string) []any {
	out := make([]any, len(ids))
	for i, s := range ids {
		out[i] = s
	}
	return out
}

// Int64s converts rowids to query arguments.
func Int64s(rows []int64) []any {
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out
}
