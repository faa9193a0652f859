package segments

import (
	"context"
	"log"
	"strconv"
	"strings"
	"sync"
	"time"

	"magpie/backend/db"
	"magpie/backend/events"
)

// plan is a live segment's compiled per-contact condition.
type plan struct {
	id   string
	cond string
	args []any
	day  string // the date the condition was compiled for (relative dates)
}

type liveState struct {
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	// pending are commit facts not yet resolved to contacts: contact ids, or table:id.
	pending []string
}

// tables whose rows carry a contact_id the live evaluation follows.
var contactTables = map[string]bool{"contact_tags": true, "dnc": true, "company_contacts": true, "segment_manual": true, "point_group_scores": true}

// allContacts, among the pending facts and in the durable queue, stands for every contact
// (a bulk write's).
const allContacts = "*"

// onCommit collects what a commit touched; it never blocks.
func (s *Service) onCommit(c db.Commit) {
	var touched []string
	stale := false
	for _, ch := range c.Changes {
		switch {
		case ch.Table == "contacts":
			touched = append(touched, ch.ID)
		case contactTables[ch.Table]:
			v, _ := ch.Col("contact_id")
			if cid, ok := v.(string); ok {
				touched = append(touched, cid)
			} else {
				touched = append(touched, ch.Table+":"+ch.ID)
			}
		case ch.Table == "companies":
			touched = append(touched, "companies:"+ch.ID)
		case ch.Table == "segments" || ch.Table == "fields" || ch.Table == "point_groups":
			stale = true
		}
	}
	for _, sg := range c.Signals {
		if sg.Topic == events.Topic || sg.Topic == Topic {
			touched = append(touched, sg.ID)
		}
	}
	// A bulk write lists no contact: every one may have moved.
	for _, topic := range c.BulkSignals {
		if topic == events.Topic || topic == Topic {
			touched = append(touched, allContacts)
		}
	}
	for _, name := range c.Bulk {
		switch {
		case name == "contacts" || contactTables[name] || name == "companies":
			touched = append(touched, allContacts)
		case name == "segments" || name == "fields" || name == "point_groups":
			stale = true
		}
	}
	if stale {
		s.mu.Lock()
		s.plans = nil
		s.plansGen++
		s.mu.Unlock()
	}
	s.mu.Lock()
	l := s.live
	s.mu.Unlock()
	if l == nil || len(touched) == 0 {
		return
	}
	l.mu.Lock()
	l.pending = append(l.pending, touched...)
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Start runs live membership in the background: contacts touched by commits are queued
// durably (segment_dirty) and re-evaluated against every live segment. Contacts left in the
// queue by a crash are processed first.
func (s *Service) Start() {
	s.mu.Lock()
	if s.live != nil {
		s.mu.Unlock()
		return
	}
	l := &liveState{kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	s.live = l
	s.mu.Unlock()
	l.kick <- struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.backfillManual(ctx); err != nil {
		log.Printf("segments: recording manual memberships for sync: %v", err)
	}
	daily := time.NewTimer(DailyDelay)
	go func() {
		defer close(l.done)
		defer cancel()
		defer daily.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-l.kick:
				if err := s.drain(ctx); err != nil && ctx.Err() == nil {
					log.Printf("segments: live update: %v", err)
				}
			case <-daily.C:
				if err := s.dailyRebuild(ctx); err != nil && ctx.Err() == nil {
					log.Printf("segments: daily rebuild: %v", err)
				}
				daily.Reset(5 * time.Minute)
			}
		}
	}()
	go func() { <-l.stop; cancel() }()
}

// DailyDelay is how long a running shell waits before its first check for the daily
// rebuild (relative dates move at midnight in the user's zone); short-lived CLI commands
// end before it.
var DailyDelay = time.Minute

// dailyRebuild rebuilds every segment once per calendar day in the user's zone, so filters
// on relative dates ("last 7 days", birthdays) follow the calendar.
func (s *Service) dailyRebuild(ctx context.Context) error {
	day := s.db.Clock.Now().In(s.Loc).Format(dateFmt)
	if last, err := s.db.Meta(ctx, "segments.rebuilt_day"); err != nil || last == day {
		return err
	}
	if _, err := s.RebuildAll(ctx, time.Time{}, nil); err != nil {
		return err
	}
	return s.db.SetMeta(ctx, "segments.rebuilt_day", day)
}

// Stop ends live membership (pending contacts stay queued on disk).
func (s *Service) Stop() {
	s.mu.Lock()
	l := s.live
	s.live = nil
	s.mu.Unlock()
	if l != nil {
		close(l.stop)
		<-l.done
		// What the last commits touched goes to the durable queue (or is done now).
		l.mu.Lock()
		items := l.pending
		l.pending = nil
		l.mu.Unlock()
		if len(items) > 0 {
			if err := s.enqueue(context.Background(), items); err != nil {
				log.Printf("segments: saving the live queue: %v", err)
			}
		}
	}
}

// LoadTimezone reads the user's time zone for date filters from the settings (meta key
// "timezone", an IANA name); it stays UTC when unset or unknown.
func (s *Service) LoadTimezone(ctx context.Context) {
	name, err := s.db.Meta(ctx, "timezone")
	if err != nil || name == "" {
		return
	}
	if loc, err := time.LoadLocation(name); err == nil {
		s.Loc = loc
	}
}

// Flush processes everything queued now (tests, CLI).
func (s *Service) Flush(ctx context.Context) error { return s.drain(ctx) }

func (s *Service) drain(ctx context.Context) (err error) {
	s.draining.Lock()
	defer s.draining.Unlock()
	s.mu.Lock()
	l := s.live
	s.mu.Unlock()
	var items []string
	if l != nil {
		l.mu.Lock()
		items, l.pending = l.pending, nil
		l.mu.Unlock()
	}
	queued := false
	defer func() {
		if err != nil && !queued && l != nil && len(items) > 0 {
			// Not durably queued yet: keep them for the next round (or Stop).
			l.mu.Lock()
			l.pending = append(items, l.pending...)
			l.mu.Unlock()
		}
	}()
	plans, err := s.livePlans(ctx, s.db.Clock.Now())
	if err != nil {
		return err
	}
	var manualRows bool
	if err := s.db.R.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM segment_manual)").Scan(&manualRows); err != nil {
		return err
	}
	if len(plans) == 0 && !manualRows { // no live segment, no manual decision: nothing can change
		queued = true
		var n int
		if err := s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM segment_dirty").Scan(&n); err != nil || n == 0 {
			return err
		}
		return s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec("DELETE FROM segment_dirty")
			return err
		})
	}
	if err := s.enqueue(ctx, items); err != nil {
		return err
	}
	queued = true
	return s.processQueue(ctx)
}

// BulkThreshold is the queue length above which one full rebuild of every segment is
// cheaper than per-contact evaluation (imports, seeding, batch edits).
var BulkThreshold = 20000

// enqueue resolves commit facts to contacts and writes them to the durable queue.
func (s *Service) enqueue(ctx context.Context, items []string) error {
	cids, err := s.resolve(ctx, items)
	if err != nil {
		return err
	}
	if len(cids) > 0 {
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			for _, id := range cids {
				if _, err := tx.Exec("INSERT INTO segment_dirty(contact_id, queued_at) VALUES(?, ?) ON CONFLICT DO NOTHING", id, tx.NowMs()); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// processQueue evaluates the queued contacts, or rebuilds every segment when the queue is
// long or holds allContacts (a bulk write's, queued as it is).
func (s *Service) processQueue(ctx context.Context) error {
	var n int
	var mark int64
	var all bool
	if err := s.db.R.QueryRowContext(ctx, "SELECT count(*), coalesce(max(queued_at), 0), EXISTS(SELECT 1 FROM segment_dirty WHERE contact_id = ?) FROM segment_dirty",
		allContacts).Scan(&n, &mark, &all); err != nil {
		return err
	}
	if all || n > BulkThreshold {
		if _, err := s.RebuildAll(ctx, time.Time{}, nil); err != nil {
			return err
		}
		return s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec("DELETE FROM segment_dirty WHERE queued_at <= ?", mark)
			return err
		})
	}
	for {
		batch, err := db.Strings(s.db.R.QueryContext(ctx, "SELECT contact_id FROM segment_dirty LIMIT 500"))
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		if _, err := s.Evaluate(ctx, batch, time.Time{}, true); err != nil {
			return err
		}
	}
}

// resolve turns collected facts into contact ids.
func (s *Service) resolve(ctx context.Context, items []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, it := range items {
		table, id, ok := strings.Cut(it, ":")
		if !ok {
			add(it)
			continue
		}
		q := "SELECT contact_id FROM " + db.Quote(table) + " WHERE id = ?"
		if table == "companies" {
			q = "SELECT contact_id FROM company_contacts WHERE company_id = ?"
		}
		rows, err := s.db.R.QueryContext(ctx, q, id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var cid string
			if err := rows.Scan(&cid); err == nil {
				add(cid)
			}
		}
		rows.Close()
	}
	return out, nil
}

// livePlans returns the compiled One-mode conditions of the published dynamic segments,
// recompiled when segments or fields change or the day turns (relative dates). A set
// compiled from segments read before a change that committed meanwhile is compiled again:
// cached, it would hide the changed segments from live membership until the next change.
func (s *Service) livePlans(ctx context.Context, now time.Time) ([]*plan, error) {
	day := now.In(s.Loc).Format(dateFmt)
	for {
		s.mu.Lock()
		gen := s.plansGen
		if s.plans != nil {
			var out []*plan
			fresh := true
			for _, p := range s.plans {
				if p.day != day {
					fresh = false
				}
				out = append(out, p)
			}
			if fresh {
				s.mu.Unlock()
				return out, nil
			}
		}
		s.mu.Unlock()
		plans, out, err := s.compilePlans(ctx, now, day)
		if err != nil {
			return nil, err
		}
		if plansCompiled != nil {
			plansCompiled()
		}
		s.mu.Lock()
		current := gen == s.plansGen
		if current {
			s.plans = plans
		}
		s.mu.Unlock()
		if current {
			return out, nil
		}
	}
}

// plansCompiled, when set (tests), runs between a compilation and its caching.
var plansCompiled func()

// compilePlans compiles the live conditions of the published dynamic segments.
func (s *Service) compilePlans(ctx context.Context, now time.Time, day string) (map[string]*plan, []*plan, error) {
	list, err := s.List(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	plans := map[string]*plan{}
	var out []*plan
	for _, g := range list {
		tree, err := Parse(g.Filters)
		if err != nil || tree == nil || !g.Published {
			continue
		}
		comp, err := s.Compiler(ctx, now, One)
		if err != nil {
			return nil, nil, err
		}
		comp.PushSegment(g.ID)
		cond, args, err := comp.Compile(tree)
		if err != nil {
			if ctx.Err() != nil {
				// Canceled while reading a referenced segment: not a broken reference, and a
				// plan set missing this segment must not be cached.
				return nil, nil, ctx.Err()
			}
			continue // a broken reference: skipped, as Mautic does
		}
		p := &plan{id: g.ID, cond: cond, args: args, day: day}
		plans[g.ID] = p
		out = append(out, p)
	}
	return plans, out, nil
}

// Evaluate re-evaluates the given contacts against every live segment in one transaction
// and applies the rebuild rules to them only; it returns how many memberships changed.
// dequeue also removes them from the durable queue. All segments are tested in one
// statement per batch of contacts.
func (s *Service) Evaluate(ctx context.Context, contactIDs []string, now time.Time, dequeue bool) (int, error) {
	if now.IsZero() {
		now = s.db.Clock.Now()
	}
	plans, err := s.livePlans(ctx, now)
	if err != nil {
		return 0, err
	}
	changed := 0
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		changed = 0
		for start := 0; start < len(contactIDs); start += evalBatch {
			batch := contactIDs[start:min(start+evalBatch, len(contactIDs))]
			args := make([]any, len(batch))
			for i, id := range batch {
				args[i] = id
			}
			n, err := reconcileManual(tx, contactIn(len(batch)), args...)
			if err != nil {
				return err
			}
			changed += n
			if len(plans) > 0 {
				n, err := s.evaluateBatch(tx, plans, batch)
				if err != nil {
					return err
				}
				changed += n
			}
			if dequeue {
				if _, err := tx.Exec("DELETE FROM segment_dirty WHERE contact_id IN ("+placeholders(len(batch))+")", args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return changed, err
}

const evalBatch = 200

func (s *Service) evaluateBatch(tx *db.Tx, plans []*plan, cids []string) (int, error) {
	idArgs := make([]any, len(cids))
	for i, id := range cids {
		idArgs[i] = id
	}
	// Stored rows of these contacts.
	type row struct{ ma, mr int }
	have := map[[2]string]row{}
	rows, err := tx.Query("SELECT segment_id, contact_id, manually_added, manually_removed FROM segment_members WHERE contact_id IN ("+
		placeholders(len(cids))+")", idArgs...)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var sid, cid string
		var r row
		if err := rows.Scan(&sid, &cid, &r.ma, &r.mr); err != nil {
			rows.Close()
			return 0, err
		}
		have[[2]string{sid, cid}] = r
	}
	rows.Close()
	// One statement tests every segment for every contact of the batch.
	var q strings.Builder
	var args []any
	q.WriteString("SELECT c.id, c.deleted")
	for _, p := range plans {
		q.WriteString(", coalesce((" + p.cond + "), 0)")
		args = append(args, p.args...)
	}
	q.WriteString(" FROM contacts c WHERE c.id IN (" + placeholders(len(cids)) + ")")
	args = append(args, idArgs...)
	match := map[string][]bool{}
	rows, err = tx.Query(q.String(), args...)
	if err != nil {
		return 0, err
	}
	dest := make([]any, len(plans)+2)
	vals := make([]bool, len(plans))
	var id string
	var deleted bool
	dest[0], dest[1] = &id, &deleted
	for i := range vals {
		dest[i+2] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return 0, err
		}
		m := make([]bool, len(plans))
		if !deleted {
			copy(m, vals)
		}
		match[id] = m
	}
	rows.Close()
	changed := 0
	for _, cid := range cids {
		m := match[cid] // nil: no such contact, matches nothing
		for i, p := range plans {
			r, exists := have[[2]string{p.id, cid}]
			matches := m != nil && m[i]
			switch {
			case matches && !exists:
				if _, err := tx.Exec("INSERT INTO segment_members(segment_id, contact_id, date_added, manually_added, manually_removed) VALUES(?, ?, ?, 0, 0)",
					p.id, cid, tx.NowMs()); err != nil {
					return changed, err
				}
				if err := s.liveEvent(tx, p.id, cid, events.SegmentAdded); err != nil {
					return changed, err
				}
			case !matches && exists && r.ma == 0:
				if _, err := tx.Exec("DELETE FROM segment_members WHERE segment_id = ? AND contact_id = ?", p.id, cid); err != nil {
					return changed, err
				}
				if r.mr == 1 { // was not a member: the sticky exclusion just lapses (Q8)
					if err := lapseManual(tx, p.id, cid); err != nil {
						return changed, err
					}
					continue
				}
				if err := s.liveEvent(tx, p.id, cid, events.SegmentRemoved); err != nil {
					return changed, err
				}
			default:
				continue
			}
			changed++
			delta := 1
			if !matches {
				delta = -1
			}
			if _, err := tx.Exec("UPDATE segment_builds SET members = members + ? WHERE segment_id = ?", delta, p.id); err != nil {
				return changed, err
			}
			tx.Signal(Topic+"s", p.id)
		}
	}
	return changed, nil
}

func (s *Service) liveEvent(tx *db.Tx, segID, cid string, t events.Type) error {
	_, err := tx.Exec(`INSERT INTO events(id, contact_id, type, at, object_id, source) VALUES(?, ?, ?, ?, ?, 'segment')
		ON CONFLICT(id) DO NOTHING`, "seg:"+segID+":"+cid+":"+string(t)+":"+itoa(tx.NowMs()), cid, string(t), tx.NowMs(), segID)
	return err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
