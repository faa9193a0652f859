package listing

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// The sparse anchor index: for an unfiltered order (no Where) of a big table, every
// Step-th (key, rowid) of the whole order with its offset, built in the background by a chain
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
	// partial: the anchors a build in progress has reached so far (n is the request's
	// total); frontier is the last ascending offset they cover (-1: none yet).
	partial  bool
	frontier int
}

type sparseState struct {
	idx      *sparseIdx // nil until built; stale when idx.gen != the key's generation
	building bool
	// While building: the anchors found so far (valid while partGen is the key's
	// generation) and a channel closed at every new one and at the end of the build.
	part     []anchor
	partGen  uint64
	progress chan struct{}
	// loadTried: the Store was asked once for this order (at its first use in the process).
	loadTried, loading bool
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

// sparseFor returns the valid sparse index of s's order, or the partial one of a build in
// progress, or nil. On the order's first use in the process it reads the Store's copy
// (valid only at the current data generation); when there is none and the order is big
// enough, it starts building one in the background (r is the read pool).
func (a *Anchors) sparseFor(ctx context.Context, r *sql.DB, s Spec) *sparseIdx {
	if s.Where != "" || len(s.Args) > 0 {
		return nil
	}
	sig := sparseSig(s)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sparse == nil {
		a.sparse = map[string]*sparseState{}
	}
	st := a.sparse[sig]
	if st == nil {
		st = &sparseState{}
		a.sparse[sig] = st
	}
	if x := a.validLocked(st, s); x != nil || (st.idx != nil && st.idx.gen == a.genLocked(s.Key)) {
		return x
	}
	if r == nil || s.Total < a.minRows() || st.loading {
		return nil
	}
	if a.Store != nil && !st.loadTried {
		st.loadTried, st.loading = true, true
		gen := a.genLocked(s.Key)
		a.mu.Unlock()
		x := a.load(ctx, r, s, sig)
		a.mu.Lock()
		st.loading = false
		if x != nil && a.genLocked(s.Key) == gen {
			x.gen = gen
			st.idx = x
			a.loads++
			if v := a.validLocked(st, s); v != nil {
				return v
			}
		}
	}
	if st.building {
		if st.partGen != a.genLocked(s.Key) || s.Total <= 0 {
			return nil
		}
		x := &sparseIdx{n: s.Total, asc: st.part[:len(st.part):len(st.part)], partial: true, frontier: -1}
		if len(x.asc) > 0 {
			x.frontier = x.asc[len(x.asc)-1].off
		}
		return x.withDesc()
	}
	st.building = true
	st.part, st.partGen, st.progress = nil, a.genLocked(s.Key), make(chan struct{})
	a.wg.Add(1)
	go a.rebuild(r, s, sig, st)
	return nil
}

// validLocked returns st's index when it is current and counted against the same total
// as s (a.mu held).
func (a *Anchors) validLocked(st *sparseState, s Spec) *sparseIdx {
	if st.idx == nil || st.idx.gen != a.genLocked(s.Key) {
		return nil
	}
	if s.Total > 0 && s.Total != st.idx.n {
		return nil // the total was counted against other data: do not mix them
	}
	return st.idx
}

// waitWorthIt reports the ascending offset the build in progress must reach for a sparse
// anchor to lie within a step before the page of s, when waiting for it walks fewer
// entries than the page's own walk (walk: entries the page query would skip now).
func (a *Anchors) waitWorthIt(s Spec, x *sparseIdx, walk int) (int, bool) {
	step := a.step()
	target := s.Offset - 1 // ascending: an anchor just before the page
	if s.Desc {
		target = s.Total - s.Offset + step - 1 // the first ascending anchor after the page's end position
	}
	if target >= x.n {
		return 0, false
	}
	return target, target-x.frontier+step/2 < walk
}

// waitFor waits until the build of s's order has passed ascending offset target (or
// ended, or changed generation, or ctx ended, or 2 s passed) and returns the index then.
func (a *Anchors) waitFor(ctx context.Context, r *sql.DB, s Spec, target int) *sparseIdx {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	sig := sparseSig(s)
	for {
		a.mu.Lock()
		st := a.sparse[sig]
		if st == nil || !st.building || st.partGen != a.genLocked(s.Key) ||
			(len(st.part) > 0 && st.part[len(st.part)-1].off >= target) {
			a.mu.Unlock()
			return a.sparseFor(ctx, r, s)
		}
		ch := st.progress
		a.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return a.sparseFor(context.Background(), r, s)
		}
	}
}

// rebuild builds the sparse index of s's order once writes are quiet; a write during the
// build discards it and tries again (three times at most, then the next request retries).
func (a *Anchors) rebuild(r *sql.DB, s Spec, sig string, st *sparseState) {
	defer a.wg.Done()
	defer func() {
		a.mu.Lock()
		st.building = false
		st.part = nil
		close(st.progress)
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
		if a.buildOnce(ctx, r, s, sig, st) != nil {
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

// buildOnce walks the order once and stores the index if nothing changed meanwhile (in
// memory, and in the Store when its generation did not move during the walk either). With
// st set (a background build) the anchors found are published as they come.
func (a *Anchors) buildOnce(ctx context.Context, r *sql.DB, s Spec, sig string, st *sparseState) error {
	a.mu.Lock()
	gen := a.genLocked(s.Key)
	if st != nil {
		st.part, st.partGen = nil, gen
	}
	a.mu.Unlock()
	var sgen int64
	stored := false
	if a.Store != nil {
		g, err := a.Store.Gen(ctx, r, s.Key)
		stored = err == nil
		sgen = g
	}
	var publish func(anchor)
	if st != nil {
		publish = func(an anchor) {
			a.mu.Lock()
			if st.partGen == a.genLocked(s.Key) {
				st.part = append(st.part, an)
				close(st.progress)
				st.progress = make(chan struct{})
			}
			a.mu.Unlock()
		}
	}
	idx, err := buildSparse(ctx, r, s, a.step(), publish)
	if err != nil {
		return err
	}
	idx.gen = gen
	a.mu.Lock()
	if a.genLocked(s.Key) != gen {
		a.mu.Unlock()
		return nil // written meanwhile: stale
	}
	if a.sparse == nil {
		a.sparse = map[string]*sparseState{}
	}
	cur := a.sparse[sig]
	if cur == nil {
		cur = &sparseState{}
		a.sparse[sig] = cur
	}
	cur.idx = idx
	a.mu.Unlock()
	if stored {
		if g, err := a.Store.Gen(ctx, r, s.Key); err == nil && g == sgen {
			a.save(ctx, sig, sgen, idx)
		}
	}
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
		if err := a.buildOnce(ctx, r, s, sig, nil); err != nil {
			return err
		}
	}
	return nil
}

// Warm makes the sparse index of each spec's order ready, one order after the other (the
// stored copy when it is current, else a build, waited for before the next one starts so
// that warming never takes more than one core). Specs need their Total.
func (a *Anchors) Warm(ctx context.Context, r *sql.DB, specs []Spec) {
	for _, s := range specs {
		if x := a.sparseFor(ctx, r, s); x != nil && !x.partial {
			continue
		}
		sig := sparseSig(s)
		for {
			a.mu.Lock()
			st := a.sparse[sig]
			if st == nil || !st.building {
				a.mu.Unlock()
				break
			}
			ch := st.progress
			a.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return
			}
		}
	}
}

// Loads reports how many sparse indexes were taken from the Store (tests, benchmarks).
func (a *Anchors) Loads() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.loads
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

// buildSparse reads every step-th (key, rowid) of the ascending order of s, and counts it;
// publish (when set) sees each anchor as soon as it is read.
func buildSparse(ctx context.Context, r *sql.DB, s Spec, step int, publish func(anchor)) (*sparseIdx, error) {
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
		var row int64
		err := r.QueryRowContext(ctx, q, args...).Scan(&key, &row)
		if err == sql.ErrNoRows {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("listing: sparse anchors of %s by %s: %w", s.Table, s.Key, err)
		}
		if b, ok := key.([]byte); ok {
			key = string(b)
		}
		idx.asc = append(idx.asc, anchor{off: s.Offset, key: key, row: row})
		from = &idx.asc[len(idx.asc)-1]
		if publish != nil {
			publish(*from)
		}
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
	return idx.withDesc(), nil
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
