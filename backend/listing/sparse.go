package listing

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// The sparse anchor index: for an unfiltered order (no Where) of a big table, every
// Step-th (key, id) of the whole order with its offset, built in the background by a chain
// of short index walks (each skips Step-1 entries inside SQLite). A jump to any offset then
// starts from the sparse anchor just before it and walks fewer than Step index entries,
// instead of up to half the index when no page near it was read yet. One ascending index
// serves both directions (a descending offset is n-1 minus the ascending one).
//
// It stays valid until a write may have moved rows in that order: InvalidateKeys names the
// sort keys a write touched (an update of other columns leaves them valid), Invalidate drops
// them all (inserts, deletes, restores). The next page request of that order rebuilds it in
// the background, once writes that moved that order have been quiet for Quiet (a tracker
// updating last_active every second does not hold back the date_added order).

// DefaultStep is the distance between sparse anchors.
const DefaultStep = 10000

// DefaultQuiet is how long after the last write a rebuild waits (an import that commits
// every few hundred milliseconds does not rebuild after each batch).
const DefaultQuiet = 500 * time.Millisecond

type sparseIdx struct {
	gen       uint64
	n         int      // rows in the order when built
	asc, desc []anchor // by increasing offset in each direction
}

type sparseState struct {
	idx      *sparseIdx // nil until built; stale when idx.gen != the key's generation
	building bool
}

func (a *Anchors) step() int {
	if a.Step > 0 {
		return a.Step
	}
	return DefaultStep
}

func (a *Anchors) minRows() int {
	if a.MinRows > 0 {
		return a.MinRows
	}
	return 2 * a.step()
}

func (a *Anchors) quiet() time.Duration {
	if a.Quiet != 0 {
		return max(a.Quiet, 0)
	}
	return DefaultQuiet
}

// genLocked is the invalidation generation of a sort key (a.mu held).
func (a *Anchors) genLocked(key string) uint64 { return a.allGen + a.keyGen[key] }

func sparseSig(s Spec) string { return fmt.Sprintf("%s|%s|%v", s.Table, s.Key, s.Deleted) }

// sparseFor returns the valid sparse index of s's order, or nil; when there is none and the
// order is big enough, it starts building one in the background (r is the read pool).
func (a *Anchors) sparseFor(r *sql.DB, s Spec) *sparseIdx {
	if s.Where != "" || len(s.Args) > 0 {
		return nil
	}
	sig := sparseSig(s)
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.sparse[sig]
	if st != nil && st.idx != nil && st.idx.gen == a.genLocked(s.Key) {
		if s.Total > 0 && s.Total != st.idx.n {
			return nil // the total was counted against other data: do not mix them
		}
		return st.idx
	}
	if r == nil || s.Total < a.minRows() || (st != nil && st.building) {
		return nil
	}
	if a.sparse == nil {
		a.sparse = map[string]*sparseState{}
	}
	if st == nil {
		st = &sparseState{}
		a.sparse[sig] = st
	}
	st.building = true
	a.wg.Add(1)
	go a.rebuild(r, s, sig, st)
	return nil
}

// rebuild builds the sparse index of s's order once writes are quiet; a write during the
// build discards it and tries again (three times at most, then the next request retries).
func (a *Anchors) rebuild(r *sql.DB, s Spec, sig string, st *sparseState) {
	defer a.wg.Done()
	defer func() {
		a.mu.Lock()
		st.building = false
		a.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for attempt := 0; attempt < 3; attempt++ {
		for {
			a.mu.Lock()
			last := a.allWrite
			if t := a.keyWrite[s.Key]; t.After(last) {
				last = t
			}
			wait := a.quiet() - time.Since(last)
			a.mu.Unlock()
			if wait <= 0 {
				break
			}
			time.Sleep(wait)
		}
		if a.buildOnce(ctx, r, s, sig) != nil {
			return // closed store, cancelled: the next request tries again
		}
		a.mu.Lock()
		ok := st.idx != nil && st.idx.gen == a.genLocked(s.Key)
		a.mu.Unlock()
		if ok {
			return
		}
	}
}

// buildOnce walks the order once and stores the index if nothing changed meanwhile.
func (a *Anchors) buildOnce(ctx context.Context, r *sql.DB, s Spec, sig string) error {
	a.mu.Lock()
	gen := a.genLocked(s.Key)
	a.mu.Unlock()
	idx, err := buildSparse(ctx, r, s, a.step())
	if err != nil {
		return err
	}
	idx.gen = gen
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.genLocked(s.Key) != gen {
		return nil // written meanwhile: stale
	}
	if a.sparse == nil {
		a.sparse = map[string]*sparseState{}
	}
	st := a.sparse[sig]
	if st == nil {
		st = &sparseState{}
		a.sparse[sig] = st
	}
	st.idx = idx
	return nil
}

// Prepare builds the sparse index of s's order now (when missing or stale) and waits for it:
// for warm-up and tests. Filtered specs (Where) have none.
func (a *Anchors) Prepare(ctx context.Context, r *sql.DB, s Spec) error {
	if s.Where != "" || len(s.Args) > 0 {
		return nil
	}
	sig := sparseSig(s)
	for attempt := 0; attempt < 3; attempt++ {
		a.mu.Lock()
		st := a.sparse[sig]
		ok := st != nil && st.idx != nil && st.idx.gen == a.genLocked(s.Key)
		a.mu.Unlock()
		if ok {
			return nil
		}
		if err := a.buildOnce(ctx, r, s, sig); err != nil {
			return err
		}
	}
	return nil
}

// Wait waits for the background builds started so far (tests, shutdown).
func (a *Anchors) Wait() { a.wg.Wait() }

// SparseLen reports how many sparse anchors the valid index of s's order holds (0: none).
func (a *Anchors) SparseLen(s Spec) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.sparse[sparseSig(s)]
	if st == nil || st.idx == nil || st.idx.gen != a.genLocked(s.Key) {
		return 0
	}
	return len(st.idx.asc)
}

// buildSparse reads every step-th (key, id) of the ascending order of s, and counts it.
func buildSparse(ctx context.Context, r *sql.DB, s Spec, step int) (*sparseIdx, error) {
	s.Desc, s.Limit, s.Where, s.Args = false, 1, "", nil
	idx := &sparseIdx{}
	var from *anchor
	for {
		s.Offset = step - 1
		if from != nil {
			s.Offset = from.off + step
		}
		q, args := s.query(from)
		var key any
		var id string
		err := r.QueryRowContext(ctx, q, args...).Scan(&key, &id)
		if err == sql.ErrNoRows {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("listing: sparse anchors of %s by %s: %w", s.Table, s.Key, err)
		}
		if b, ok := key.([]byte); ok {
			key = string(b)
		}
		idx.asc = append(idx.asc, anchor{off: s.Offset, key: key, id: id})
		from = &idx.asc[len(idx.asc)-1]
	}
	// Fewer than step rows follow the last anchor: count them.
	q, args := s.count(from)
	var tail int
	if err := r.QueryRowContext(ctx, q, args...).Scan(&tail); err != nil {
		return nil, fmt.Errorf("listing: sparse anchors of %s by %s: %w", s.Table, s.Key, err)
	}
	idx.n = tail
	if from != nil {
		idx.n += from.off + 1
	}
	idx.desc = make([]anchor, len(idx.asc))
	for i, an := range idx.asc {
		an.off = idx.n - 1 - an.off
		idx.desc[len(idx.asc)-1-i] = an
	}
	return idx, nil
}

// nearest returns the sparse anchor strictly before off in the given direction.
func (x *sparseIdx) nearest(off int, desc bool) (anchor, bool) {
	list := x.asc
	if desc {
		list = x.desc
	}
	i := sort.Search(len(list), func(i int) bool { return list[i].off >= off }) - 1
	if i < 0 {
		return anchor{}, false
	}
	return list[i], true
}
