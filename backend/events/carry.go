package events

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"magpie/backend/db"
)

// Carry keeps the behaviour aggregates (contact_stats, contact_urls, contact_devices,
// contact_utm) of a catch-up's events in memory across transactions and writes them once
// per contact and key for many batches (Write), instead of once per batch: a backlog of
// page views touches each visitor once every few batches, so per-batch upserts cost one
// B-tree update per hit and table (docs/BENCHMARKS.md § Desktop ingest, fourth pass).
//
// What is owed is durable: every transaction whose batch runs in carry mode (Carry.Batch)
// records its seq range in event_agg_ranges, and a contact whose aggregates are written
// early (Settle: a merge, a points rule, an OnAppend hook) records in event_agg_settled the
// seq up to which they are — from then on that contact's owed part is computed from the log,
// not from memory. Write clears both tables in the transaction that writes the aggregates.
// After a crash, RecoverCarried computes what the ranges owe from the log; a failed Write
// does the same next time. The values are those Append leaves (TestCarryMatchesAppend).
//
// Until Write, readers see the aggregates as they were before the catch-up (like the
// deferred indexes, a catch-up is a bulk load); everything inside a write transaction that
// reads them calls Settle first, as it already must under a Batch.
type Carry struct {
	d  *db.DB
	mu sync.Mutex
	// aggs: the committed events' part not yet written, per contact.
	aggs *carryStore
	// fromLog: contacts settled since the last Write; what they still owe is read from the log.
	fromLog map[string]bool
	// staged: the part of the last transaction, merged into aggs once it committed (Commit).
	staged *Batch
	// all: memory is not trusted (a recovery, a failed Write): Write computes every owed
	// aggregate from the log.
	all bool
	// keys numbers the devices and UTM sets of aggs and of the carry-mode batches.
	keys *keyDict
}

var carries sync.Map // *db.DB → *Carry: Settle in any transaction of that store follows it

// NewCarry starts carrying aggregates for d (one Carry per store at a time). When a
// previous one left owed ranges (a crash), its memory starts distrusted.
func NewCarry(ctx context.Context, d *db.DB) (*Carry, error) {
	c := &Carry{d: d, aggs: &carryStore{}, fromLog: map[string]bool{}, keys: newKeyDict()}
	owed, err := owedRanges(ctx, d)
	if err != nil {
		return nil, err
	}
	c.all = owed
	// The owner, for another process sharing the store (a local tracker beside the
	// desktop): it must not write what this one carries (RecoverCarried).
	if err := d.Write(ctx, func(tx *db.Tx) error { return tx.SetMeta(ownerKey, strconv.Itoa(os.Getpid())) }); err != nil {
		return nil, err
	}
	carries.Store(d, c)
	return c, nil
}

// ownerKey is the meta key naming the process that carries a catch-up's aggregates.
const ownerKey = "events.carry_pid"

// ownedElsewhere reports whether another live process carries the owed aggregates.
func ownedElsewhere(q interface {
	QueryRow(string, ...any) *sql.Row
}) bool {
	var v string
	if q.QueryRow("SELECT v FROM meta WHERE k = ?", ownerKey).Scan(&v) != nil {
		return false
	}
	pid, _ := strconv.Atoi(v)
	return pid != 0 && pid != os.Getpid() && db.ProcessAlive(pid)
}

func owedRanges(ctx context.Context, d *db.DB) (bool, error) {
	var owed bool
	err := d.R.QueryRowContext(ctx, "SELECT EXISTS(SELECT 1 FROM event_agg_ranges)").Scan(&owed)
	return owed, err
}

// Close stops carrying: what is still owed stays owed (RecoverCarried computes it).
func (c *Carry) Close() { carries.CompareAndDelete(c.d, c) }

// Len is the number of contacts held in memory.
func (c *Carry) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.aggs.len()
}

// Batch returns tx's batch in carry mode: events appended in tx (through it, Append or
// AppendMany's hooks) keep their aggregates pending, the transaction records its seq range
// before commit, and the caller hands the part to the Carry with Commit (or drops it with
// Abort when the transaction failed).
func (c *Carry) Batch(tx *db.Tx) (*Batch, error) {
	if b, ok := tx.Local(batchKey{}).(*Batch); ok {
		if b.carry != c {
			return nil, fmt.Errorf("events: the transaction already has a batch")
		}
		return b, nil
	}
	var top sql.NullInt64
	if err := tx.QueryRow("SELECT max(seq) FROM events").Scan(&top); err != nil {
		return nil, err
	}
	c.mu.Lock()
	keys := c.keys
	c.mu.Unlock()
	b := &Batch{tx: tx, urlIDs: map[string]int64{}, aggs: map[string]*pendingAgg{}, carry: c, lo: top.Int64 + 1, keys: keys}
	tx.SetLocal(batchKey{}, b)
	tx.BeforeCommit(func(tx *db.Tx) error { return c.stage(tx, b) })
	return b, nil
}

// stage records the transaction's seq range as owed and holds its part until Commit.
func (c *Carry) stage(tx *db.Tx, b *Batch) error {
	var hi sql.NullInt64
	if err := tx.QueryRow("SELECT max(seq) FROM events").Scan(&hi); err != nil {
		return err
	}
	if hi.Int64 >= b.lo {
		if _, err := tx.Exec("INSERT INTO event_agg_ranges(lo, hi) VALUES(?, ?)", b.lo, hi.Int64); err != nil {
			return fmt.Errorf("events: owed aggregates: %w", err)
		}
	}
	c.mu.Lock()
	c.staged = b
	c.mu.Unlock()
	return nil
}

// Commit merges the part of the transaction that just committed into memory.
func (c *Carry) Commit() {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.staged
	c.staged = nil
	if b == nil || c.all {
		return
	}
	if b.keys != c.keys {
		// Numbered by a dictionary memory no longer uses (cannot happen while one ingester
		// writes in turn): what is owed comes from the log.
		c.aggs, c.fromLog, c.all, c.keys = &carryStore{}, map[string]bool{}, true, newKeyDict()
		return
	}
	for _, k := range b.order {
		a := b.aggs[k]
		if a == nil || c.fromLog[k] {
			continue
		}
		c.aggs.add(k, a)
	}
}

// Abort drops the part of a transaction that failed.
func (c *Carry) Abort() {
	c.mu.Lock()
	c.staged = nil
	c.mu.Unlock()
}

func (s *span) join(o span) {
	if s.n == 0 || o.first < s.first {
		s.first = o.first
	}
	if s.n == 0 || o.last > s.last {
		s.last = o.last
	}
	s.n += o.n
}

// skip reports whether contact's events are no longer counted in memory (settled).
func (c *Carry) skip(contact string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.all || c.fromLog[contact]
}

// settle writes what contacts owe, computed from the log, and records up to which event.
// b is the carry-mode batch of tx (nil: another transaction of the store).
func (c *Carry) settle(tx *db.Tx, b *Batch, contacts []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var due []string
	for _, x := range contacts {
		if c.all || c.fromLog[x] || c.aggs.has(x) || (c.staged != nil && c.staged.aggs[x] != nil) ||
			(b != nil && b.aggs[x] != nil) {
			due = append(due, x)
		}
	}
	if len(due) == 0 {
		return nil
	}
	open := int64(math.MaxInt64) // the carry-mode transaction's own events are owed too
	if b != nil {
		open = b.lo
	}
	if err := writeFromLog(tx, due, open); err != nil {
		return err
	}
	for _, x := range due {
		if _, err := tx.Exec(`INSERT INTO event_agg_settled(contact_id, seq) SELECT ?, coalesce(max(seq), 0) FROM events WHERE true
			ON CONFLICT(contact_id) DO UPDATE SET seq = excluded.seq`, x); err != nil {
			return fmt.Errorf("events: settle carried aggregates: %w", err)
		}
		c.fromLog[x] = true
		c.aggs.drop(x)
		if c.staged != nil {
			delete(c.staged.aggs, x)
		}
		if b != nil {
			delete(b.aggs, x)
		}
	}
	return nil
}

// Write writes everything owed in tx — memory's part in key order, settled contacts' part
// from the log — and clears the owed ranges; after tx commits, call Written.
func (c *Carry) Write(tx *db.Tx) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.staged != nil {
		return fmt.Errorf("events: carried aggregates written with a transaction's part not committed")
	}
	return writeOwed(tx, c.all, c.aggs, c.keys, c.fromLog)
}

func writeOwed(tx *db.Tx, all bool, aggs *carryStore, keys *keyDict, fromLog map[string]bool) error {
	if all {
		if err := writeFromLog(tx, nil, math.MaxInt64); err != nil {
			return err
		}
	} else {
		if aggs != nil && aggs.len() > 0 {
			all := aggs.contacts()
			slices.Sort(all)
			for _, k := range all {
				tx.Signal(Topic, k) // segments re-check what the aggregates now say
			}
			// Each chunk is written from a copy: memory stays whole if tx fails.
			err := inChunks(all, func(part []string) error {
				tmp := &Batch{tx: tx, urlIDs: map[string]int64{}, aggs: make(map[string]*pendingAgg, len(part)), keys: keys}
				for _, k := range part {
					tmp.aggs[k] = aggs.pending(k)
				}
				return tmp.write(part)
			})
			if err != nil {
				return err
			}
		}
		if len(fromLog) > 0 {
			due := make([]string, 0, len(fromLog))
			for k := range fromLog {
				due = append(due, k)
			}
			slices.Sort(due)
			if err := writeFromLog(tx, due, math.MaxInt64); err != nil {
				return err
			}
		}
	}
	for _, q := range []string{"DELETE FROM event_agg_ranges", "DELETE FROM event_agg_settled"} {
		if _, err := tx.Exec(q); err != nil {
			return fmt.Errorf("events: carried aggregates: %w", err)
		}
	}
	return nil
}

// Written forgets what Write wrote once its transaction committed; Failed makes the next
// Write compute everything from the log when it did not.
func (c *Carry) Written() {
	c.mu.Lock()
	c.aggs, c.fromLog, c.all, c.keys = &carryStore{}, map[string]bool{}, false, newKeyDict()
	c.mu.Unlock()
}

// Failed distrusts memory after a failed Write (or anything that may have left it unlike
// the owed ranges): the next Write reads the owed aggregates from the log.
func (c *Carry) Failed() {
	c.mu.Lock()
	c.aggs, c.fromLog, c.all, c.keys = &carryStore{}, map[string]bool{}, true, newKeyDict()
	c.mu.Unlock()
}

// RecoverCarried writes the aggregates a catch-up still owes when no Carry holds them (the
// process stopped before writing them): computed from the log, in one transaction.
func RecoverCarried(ctx context.Context, d *db.DB) error {
	if _, ok := carries.Load(d); ok {
		return nil
	}
	owed, err := owedRanges(ctx, d)
	if err != nil || !owed || ownedElsewhere(d.R) {
		return err
	}
	return d.Write(ctx, func(tx *db.Tx) error { return writeOwed(tx, true, nil, nil, nil) })
}

// aggregateTypes are the event types with behaviour aggregates (Batch.add).
const aggregateTypes = `('page.hit', 'email.clicked', 'email.sent', 'email.read', 'asset.downloaded')`

// writeFromLog writes the owed aggregates of contacts (nil: every contact with owed events)
// from the log: events in an owed range (or from seq open on: the running carry-mode
// transaction's), after the contact's settled seq, in log order, through Batch.add and
// write — the code and the order Append's aggregates follow.
func writeFromLog(tx *db.Tx, contacts []string, open int64) error {
	const cols = `SELECT e.seq, e.contact_id, e.type, e.at, coalesce(e.url, ''), coalesce(e.device_type, ''), coalesce(e.device_os, ''),
		coalesce(e.device_browser, ''), coalesce(e.device_brand, ''), coalesce(e.utm_source, ''), coalesce(e.utm_medium, ''),
		coalesce(e.utm_campaign, ''), coalesce(e.utm_content, ''), coalesce(e.utm_term, '') FROM events e `
	const after = ` AND e.seq > coalesce((SELECT s.seq FROM event_agg_settled s WHERE s.contact_id = e.contact_id), 0)
		AND e.type IN ` + aggregateTypes
	tmp := &Batch{tx: tx, urlIDs: map[string]int64{}, aggs: map[string]*pendingAgg{}, keys: newKeyDict()}
	// read adds the events a query returns (in seq order; the last seq first) and reports
	// how many and the last seq.
	read := func(q string, args ...any) (int, int64, error) {
		rows, err := tx.Query(q, args...)
		if err != nil {
			return 0, 0, fmt.Errorf("events: owed aggregates: %w", err)
		}
		defer rows.Close()
		var evs []Event
		var ats []int64
		var last int64
		for rows.Next() {
			var e Event
			var at int64
			var typ string
			if err := rows.Scan(&e.Seq, &e.ContactID, &typ, &at, &e.URL, &e.Device.Type, &e.Device.OS, &e.Device.Browser, &e.Device.Brand,
				&e.UTM.Source, &e.UTM.Medium, &e.UTM.Campaign, &e.UTM.Content, &e.UTM.Term); err != nil {
				return 0, 0, err
			}
			e.Type = Type(typ)
			evs, ats, last = append(evs, e), append(ats, at), e.Seq
		}
		if err := rows.Err(); err != nil {
			return 0, 0, err
		}
		rows.Close() // add looks URLs up on the same connection
		for i, e := range evs {
			if err := tmp.add(e, ats[i]); err != nil {
				return 0, 0, err
			}
		}
		return len(evs), last, nil
	}
	if contacts == nil {
		// Every owed event, range by range, a page at a time (memory: the contacts' sums,
		// not the events).
		var ranges [][2]int64
		rows, err := tx.Query("SELECT lo, hi FROM event_agg_ranges ORDER BY lo")
		if err != nil {
			return fmt.Errorf("events: owed aggregates: %w", err)
		}
		for rows.Next() {
			var r [2]int64
			if err := rows.Scan(&r[0], &r[1]); err != nil {
				rows.Close()
				return err
			}
			ranges = append(ranges, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		const page = 5000
		for _, r := range ranges {
			for from := r[0] - 1; ; {
				n, last, err := read(cols+`WHERE e.seq > ? AND e.seq <= ?`+after+` ORDER BY e.seq LIMIT ?`, from, r[1], page)
				if err != nil {
					return err
				}
				if n < page {
					break
				}
				from = last
			}
		}
	}
	for len(contacts) > 0 {
		n := min(len(contacts), 200)
		args := make([]any, 0, n+1)
		for _, x := range contacts[:n] {
			args = append(args, x)
		}
		contacts = contacts[n:]
		args = append(args, open)
		if _, _, err := read(cols+`WHERE e.contact_id IN (?`+strings.Repeat(", ?", n-1)+`)`+after+`
			AND (e.seq >= ? OR EXISTS (SELECT 1 FROM event_agg_ranges r WHERE e.seq BETWEEN r.lo AND r.hi)) ORDER BY e.seq`, args...); err != nil {
			return err
		}
	}
	if len(tmp.order) == 0 {
		return nil
	}
	for _, k := range tmp.order {
		tx.Signal(Topic, k)
	}
	return tmp.writeChunks()
}

// writeChunks writes every pending aggregate, in key order, in chunks (inChunks).
func (b *Batch) writeChunks() error {
	all := slices.Clone(b.order)
	slices.Sort(all)
	return inChunks(all, b.write)
}

// inChunks calls write for the contacts, 4,096 at a time: the aggregate rows of 100k
// contacts written at once took the process's peak RSS from 340 to 480 MB.
func inChunks(contacts []string, write func(part []string) error) error {
	for len(contacts) > 0 {
		n := min(len(contacts), 4096)
		if err := write(contacts[:n]); err != nil {
			return err
		}
		contacts = contacts[n:]
	}
	return nil
}

// settledBoth records, while a catch-up carries aggregates, that neither contact of a merge
// owes anything up to now — also the one that owed nothing: the loser's events become the
// winner's, and a recovery must not count them again for it.
func settledBoth(tx *db.Tx, winner, loser string) error {
	var c *Carry
	if b, ok := tx.Local(batchKey{}).(*Batch); ok && b.carry != nil {
		c = b.carry
	} else if v, ok := carries.Load(tx.DB()); ok {
		c = v.(*Carry)
	} else {
		// Owed by a catch-up that stopped (RecoverCarried not run yet): write it all first.
		var owed bool
		if err := tx.QueryRow("SELECT EXISTS(SELECT 1 FROM event_agg_ranges)").Scan(&owed); err != nil || !owed || ownedElsewhere(tx) {
			return err // another process's catch-up: it writes what it carries
		}
		return writeOwed(tx, true, nil, nil, nil)
	}
	for _, x := range []string{winner, loser} {
		if _, err := tx.Exec(`INSERT INTO event_agg_settled(contact_id, seq) SELECT ?, coalesce(max(seq), 0) FROM events WHERE true
			ON CONFLICT(contact_id) DO UPDATE SET seq = excluded.seq`, x); err != nil {
			return fmt.Errorf("events: settle carried aggregates: %w", err)
		}
	}
	if c != nil {
		c.mu.Lock()
		c.fromLog[winner], c.fromLog[loser] = true, true
		c.mu.Unlock()
	}
	return nil
}
