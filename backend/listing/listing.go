// Package listing pages through big tables in a stable order, fast at any depth: the first
// phase walks a covering index for ids with keyset paging from the nearest cached anchor, the
// second loads only the rows of the page by id.
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
)

// Spec is one page request.
type Spec struct {
	Table  string // e.g. contacts
	Key    string // sort key SQL expression, non-NULL and indexed (with id) for the table
	Desc   bool
	Where  string // extra condition (AND-ed), may be ""
	Args   []any  // arguments of Where
	Offset int
	Limit  int
	// Deleted lists the trash instead of live rows.
	Deleted bool
}

type anchor struct {
	off int
	key any
	id  string
}

// Anchors caches keyset anchors per query signature.
type Anchors struct {
	mu      sync.Mutex
	version uint64
	m       map[string][]anchor
}

// Invalidate drops every anchor (call on any write to the table).
func (a *Anchors) Invalidate() {
	a.mu.Lock()
	a.version++
	a.m = nil
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

// IDs returns the ids of one page, in order.
func IDs(ctx context.Context, r *sql.DB, a *Anchors, s Spec) ([]string, error) {
	if s.Limit <= 0 {
		s.Limit = 100
	}
	ver := a.snapshot()
	dir, cmp := "ASC", ">"
	if s.Desc {
		dir, cmp = "DESC", "<"
	}
	deleted := "0"
	if s.Deleted {
		deleted = "1"
	}
	sig := fmt.Sprintf("%s|%s|%s|%s|%v|%s", s.Table, s.Key, dir, s.Where, s.Args, deleted)
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s, id FROM %s WHERE deleted = %s", s.Key, s.Table, deleted)
	args := append([]any(nil), s.Args...)
	if s.Where != "" {
		b.WriteString(" AND (" + s.Where + ")")
	}
	skip := s.Offset
	if an, ok := a.nearest(sig, s.Offset); ok {
		fmt.Fprintf(&b, " AND (%s, id) %s (?, ?)", s.Key, cmp)
		args = append(args, an.key, an.id)
		skip = s.Offset - an.off - 1
	}
	fmt.Fprintf(&b, " ORDER BY %s %s, id %s LIMIT ? OFFSET ?", s.Key, dir, dir)
	args = append(args, s.Limit, skip)
	rows, err := r.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	var last anchor
	for rows.Next() {
		if err := rows.Scan(&last.key, &last.id); err != nil {
			return nil, err
		}
		if b, ok := last.key.([]byte); ok {
			last.key = string(b) // bound back as TEXT, not BLOB (which sorts after all text)
		}
		out = append(out, last.id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) > 0 {
		last.off = s.Offset + len(out) - 1
		a.add(sig, ver, last)
	}
	return out, nil
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
