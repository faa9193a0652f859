package campaigns

import (
	"database/sql"
	"errors"
	"fmt"
)

// Pipelining: the children of a step that run immediately (no wait, not a decision) are not
// inserted as due rows for a later batch; their contacts are queued in the temp table
// camp_pipe and run in the same transaction, right after their parent, and their
// campaign_log rows are inserted once, with the outcome (done, skipped, failed, or
// scheduled for a retry). A kill loses the whole transaction or keeps it whole, as before;
// the unique key (contact, campaign, event, rotation) still guards against a second row.
// Steps whose effect must be seen by the rows of their own campaign first (jump, change
// campaigns), webhooks (called after commit) and decisions keep the due-row path.

// pipelined reports whether ev runs in its parent's transaction.
func pipelined(ev *Event) bool {
	return pipelinable(ev) && (ev.Trigger.Mode == "" || ev.Trigger.Mode == "immediate")
}

// pipelinable reports whether ev may run in the transaction that finds it due.
func pipelinable(ev *Event) bool {
	if ev.Kind == KindDecision {
		return false
	}
	switch ev.Type {
	case "webhook", "jump", "campaign.change":
		return false
	}
	return true
}

func (x *execCtx) prepPipe() error {
	for _, q := range []string{
		`CREATE TEMP TABLE IF NOT EXISTS camp_pipe(seq INTEGER PRIMARY KEY, step INTEGER NOT NULL,
			contact_id TEXT NOT NULL, rotation INTEGER NOT NULL, due INTEGER)`,
		"DELETE FROM camp_pipe",
		// Contacts trashed or deleted during this transaction (by an action or a hook), on
		// this connection: the queued contacts were alive when their parent ran, so only
		// these need skipping (instead of looking every queued contact up again).
		"CREATE TEMP TABLE IF NOT EXISTS camp_gone(id TEXT PRIMARY KEY) WITHOUT ROWID",
		`CREATE TEMP TRIGGER IF NOT EXISTS camp_gone_upd AFTER UPDATE OF deleted ON main.contacts WHEN new.deleted <> 0 BEGIN
			INSERT OR IGNORE INTO camp_gone(id) VALUES(new.id); END`,
		`CREATE TEMP TRIGGER IF NOT EXISTS camp_gone_del AFTER DELETE ON main.contacts BEGIN
			INSERT OR IGNORE INTO camp_gone(id) VALUES(old.id); END`,
		"DELETE FROM camp_gone",
	} {
		if _, err := x.tx.Exec(q); err != nil {
			return err
		}
	}
	return nil
}

// next schedules the children kids for the rows of camp_batch matching where: pipelined
// ones are queued in camp_pipe, the others inserted as due/waiting rows (fanout) with the
// batch's execution time as their reference.
func (x *execCtx) next(c *compiled, kids []*Event, where string) error {
	var later []*Event
	for _, k := range kids {
		if !pipelined(k) {
			later = append(later, k)
			continue
		}
		step, err := stepKey(x.tx, c.id, k.ID)
		if err != nil {
			return err
		}
		if _, err := x.tx.Exec(`INSERT INTO camp_pipe(step, contact_id, rotation)
			SELECT ?, contact_id, rotation FROM camp_batch WHERE `+where+` ORDER BY log_id`, step); err != nil {
			return err
		}
	}
	return fanout(x.tx, c, later, fmt.Sprintf("SELECT contact_id, rotation, %d AS ref_at FROM camp_batch WHERE %s", x.nowMs(), where), nil)
}

// nextNo schedules the no children of a decision whose inactivity moment passed, from the
// parent's execution (camp_batch.ref_at, Q15): the rows of a pipelinable child whose wait
// has elapsed too are queued in camp_pipe (run in this transaction, their log row stamped
// with the moment they were due), the others inserted as due rows (fanout).
func (x *execCtx) nextNo(c *compiled, kids []*Event) error {
	var later []*Event
	for _, k := range kids {
		if !pipelinable(k) || restricted(k.Trigger) {
			later = append(later, k)
			continue
		}
		step, err := stepKey(x.tx, c.id, k.ID)
		if err != nil {
			return err
		}
		due := triggerSQL(k.Trigger, "ref_at")
		if _, err := x.tx.Exec(`INSERT INTO camp_pipe(step, contact_id, rotation, due)
			SELECT ?, contact_id, rotation, `+due+` FROM camp_batch WHERE `+due+` <= ? ORDER BY log_id`, step, x.nowMs()); err != nil {
			return err
		}
		if err := fanout(x.tx, c, []*Event{k}, "SELECT contact_id, rotation, ref_at FROM camp_batch WHERE "+due+" > ?", []any{x.nowMs()}); err != nil {
			return err
		}
	}
	return fanout(x.tx, c, later, "SELECT contact_id, rotation, ref_at FROM camp_batch", nil)
}

// drain runs the queued pipelined steps, event by event in queue order, until none is left
// (each may queue its own children; the graph has no cycle without a jump, which is never
// pipelined).
func (x *execCtx) drain(st *RunStats) error {
	for {
		var step int64
		err := x.tx.QueryRow("SELECT step FROM camp_pipe ORDER BY seq LIMIT 1").Scan(&step)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			return err
		}
		n, d, f, err := x.pipe(step)
		if err != nil {
			return err
		}
		st.Steps += n
		st.Done += d
		st.Failed += f
	}
}

// pipe runs the queued contacts of one event: new log ids are reserved (a placeholder row
// above them keeps rows inserted meanwhile — by hooks the actions run — out of the range),
// the rows are inserted with their outcome by finish (insertOutcomes).
func (x *execCtx) pipe(step int64) (n, done, failed int, err error) {
	tx := x.tx
	campaign, event, err := stepOf(tx, step)
	if err != nil {
		return 0, 0, 0, err
	}
	c, err := load(txQuerier{tx}, campaign)
	if err != nil {
		return 0, 0, 0, err
	}
	if err := prepTemp(tx); err != nil {
		return 0, 0, 0, err
	}
	var ev *Event
	if c != nil {
		ev = c.byID[event]
	}
	if ev == nil { // cannot happen within a transaction; drop the queue rather than loop
		_, err := tx.Exec("DELETE FROM camp_pipe WHERE step = ?", step)
		return 0, 0, 0, err
	}
	var base, lo, hi, mine, all int64
	if err := tx.QueryRow("SELECT coalesce(max(id), 0) FROM campaign_log").Scan(&base); err != nil {
		return 0, 0, 0, err
	}
	if err := tx.QueryRow("SELECT min(seq), max(seq), count(*), (SELECT count(*) FROM camp_pipe) FROM camp_pipe WHERE step = ?",
		step).Scan(&lo, &hi, &mine, &all); err != nil {
		return 0, 0, 0, err
	}
	// Log ids follow the queue order: base + the row's place in the queue (gaps where other
	// events' rows sit between; no window function, no sort). A row already there for the
	// same key (contact, campaign, event, rotation) wins: the step is not run twice.
	res, err := tx.Exec(`INSERT INTO camp_batch(log_id, contact_id, rotation, ref_at)
		SELECT ? + p.seq, p.contact_id, p.rotation, coalesce(p.due, ?) FROM camp_pipe p
		WHERE p.step = ? AND NOT EXISTS (SELECT 1 FROM campaign_log l
			WHERE l.contact_id = p.contact_id AND l.step = p.step AND l.rotation = p.rotation)`,
		base+1-lo, x.nowMs(), step)
	if err != nil {
		return 0, 0, 0, err
	}
	k, _ := res.RowsAffected()
	// Mostly the queue holds this event's rows only (a chain of immediate steps): emptied
	// whole (SQLite's truncation, no per-row delete) — which is also why camp_pipe has no
	// index on (campaign, event): the scans above read the rows they use anyway.
	if mine == all {
		_, err = tx.Exec("DELETE FROM camp_pipe")
	} else {
		_, err = tx.Exec("DELETE FROM camp_pipe WHERE step = ?", step)
	}
	if err != nil {
		return 0, 0, 0, err
	}
	if k == 0 {
		return 0, 0, 0, nil
	}
	reserve := base + hi - lo + 2
	if _, err := tx.Exec(`INSERT INTO campaign_log(id, step, contact_id, rotation, status, trigger_at, ref_at)
		VALUES(?, 0, '', 0, 'reserved', 0, 0)`, reserve); err != nil {
		return 0, 0, 0, err
	}
	// Contacts deleted meanwhile (in this transaction: camp_gone) are skipped; their path ends.
	var gone int
	if err := tx.QueryRow("SELECT EXISTS (SELECT 1 FROM camp_gone)").Scan(&gone); err != nil {
		return 0, 0, 0, err
	}
	if gone == 1 {
		if _, err := tx.Exec(`UPDATE camp_batch SET ok = -1, reason = 'contact deleted' WHERE contact_id IN (SELECT id FROM camp_gone)`); err != nil {
			return 0, 0, 0, err
		}
	}
	if gone == 1 {
		r, err := tx.Exec(`INSERT INTO campaign_log(id, step, contact_id, rotation, status, trigger_at, ref_at, done_at, attempts, reason)
			SELECT log_id, ?, contact_id, rotation, 'skipped', ref_at, ?, ?, 1, reason FROM camp_batch WHERE ok = -1`, step, x.nowMs(), x.nowMs())
		if err != nil {
			return 0, 0, 0, err
		}
		k, _ := r.RowsAffected()
		if err := addCount(tx, step, stSkipped, k); err != nil {
			return 0, 0, 0, err
		}
	}
	if _, err := tx.Exec("DELETE FROM camp_batch WHERE ok = -1"); err != nil {
		return 0, 0, 0, err
	}
	tx.Signal(countsTopic, c.id)
	d, f, err := x.exec(c, ev, true)
	if err != nil {
		return 0, 0, 0, err
	}
	if _, err := tx.Exec("DELETE FROM campaign_log WHERE id = ?", reserve); err != nil {
		return 0, 0, 0, err
	}
	return int(k), d, f, nil
}

// insertOutcomes inserts the campaign_log rows of a pipelined batch with their outcome (the
// same rules as markOutcomes for a first attempt): done / done on the no path / skipped /
// failed for good, or scheduled again a minute later after a failure; n is camp_batch's
// rows by outcome (outcomes).
func (x *execCtx) insertOutcomes(c *compiled, ev *Event, n outcomeCounts, yes, no string) error {
	step, err := stepKey(x.tx, c.id, ev.ID)
	if err != nil {
		return err
	}
	if err := x.insertRows(step, yes, no); err != nil {
		return err
	}
	// The rows were just inserted with a status that is a function of ok (insertStatus):
	// they are counted from the outcomes, without reading them back.
	if err := addOutcomes(x.tx, step, n); err != nil {
		return err
	}
	retry := stScheduled // a first failure, as insertStatus
	if 1 >= maxAttempts {
		retry = stFailed
	}
	return addCount(x.tx, step, retry, n[okFail])
}

// insertStatus is the status of a pipelined step's row inserted with outcome b.ok (?2 is
// maxAttempts): the first attempt of a failure is retried unless one attempt is the maximum.
const insertStatus = `CASE b.ok WHEN 1 THEN 'done' WHEN 4 THEN 'done' WHEN 2 THEN 'skipped' WHEN 3 THEN 'failed'
				ELSE CASE WHEN 1 >= ?2 THEN 'failed' ELSE 'scheduled' END END`

func (x *execCtx) insertRows(step int64, yes, no string) error {
	_, err := x.tx.Exec(`INSERT INTO campaign_log(id, step, contact_id, rotation, status, path, trigger_at, ref_at, done_at, attempts, reason)
		SELECT b.log_id, ?1, b.contact_id, b.rotation, `+insertStatus+`,
			CASE b.ok WHEN 1 THEN ?3 WHEN 4 THEN ?4 ELSE '' END,
			CASE WHEN b.ok = 0 AND 1 < ?2 THEN ?5 + 60000 ELSE b.ref_at END,
			?5,
			CASE WHEN b.ok <> 0 OR 1 >= ?2 THEN ?5 END,
			1,
			CASE WHEN b.ok IN (0, 2, 3) THEN b.reason END
		FROM camp_batch b WHERE b.ok IN (0, 1, 2, 3, 4) ORDER BY b.log_id`,
		step, maxAttempts, yes, no, x.nowMs())
	return err
}
