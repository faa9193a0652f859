package campaigns

import (
	"context"
	"time"

	"magpie/backend/db"
)

// batch outcomes (camp_batch.ok).
const (
	okDone    = 1 // done; children follow
	okFail    = 0 // failed; retried while attempts < maxAttempts
	okSkip    = 2 // skipped with a reason; children follow (Mautic "pass with error")
	okFailEnd = 3 // failed for good (nothing to retry: no address, DNC...)
	okNo      = 4 // condition false: no path
)

// RunOptions tune a run.
type RunOptions struct {
	Now   time.Time // zero = the clock's now at each batch
	Batch int       // rows per transaction (default 5000)
	Max   int       // stop after this many steps (0 = until nothing is due)
}

// RunStats counts what a run did.
type RunStats struct {
	Steps   int           `json:"steps"`
	Done    int           `json:"done"`
	Failed  int           `json:"failed"`
	Batches int           `json:"batches"`
	Elapsed time.Duration `json:"elapsed"`
}

// Run processes every due step, oldest first, in batches of one transaction each (the
// rows marked done, their events and their children commit together, so a kill loses
// nothing and repeats nothing), until nothing is due at opt.Now.
func (s *Service) Run(ctx context.Context, opt RunOptions) (RunStats, error) {
	var st RunStats
	start := time.Now()
	if opt.Batch <= 0 {
		opt.Batch = 5000
	}
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		now := opt.Now
		if now.IsZero() {
			now = s.db.Clock.Now()
		}
		n, err := s.step(ctx, now, opt.Batch, &st)
		if err != nil {
			return st, err
		}
		if n == 0 || (opt.Max > 0 && st.Steps >= opt.Max) {
			break
		}
		st.Batches++
		s.db.RestartWALIfBig(ctx) // between transactions: keeps the WAL bounded (no-op unless held)
		if n == opt.Batch && st.Batches == 1 {
			// A full batch: a backlog (a big segment entered, a wait elapsed for many). Until
			// it is worked through, the WAL is copied back by a background connection, on the
			// other core, instead of by the writer's commits. The writer keeps its usual page
			// cache: the bigger bulk cache cost ~100 MB of RSS and bought no speed (the B-trees
			// the runner writes grow at their right edge; docs/BENCHMARKS.md § Campaigns).
			if runBulkCache {
				defer s.db.BulkCache(ctx)()
			}
			defer s.db.BackgroundCheckpoints(ctx)()
		}
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// runBulkCache makes a backlog run hold db.BulkCache (off: measured no faster, ~100 MB
// more RSS; the benchmark's MAGPIE_BENCH_BULKCACHE=1 turns it on to compare).
var runBulkCache = false

// dueSQL selects the due rows of published campaigns (at most ?2, due by ?1), oldest first,
// through the partial index campaign_log_due (plan checked in entryplan_test.go).
const dueSQL = `SELECT l.id, l.step, l.contact_id, l.status, l.rotation, l.ref_at
	FROM campaign_log l WHERE l.status IN ('scheduled', 'waiting') AND l.trigger_at <= ?
	AND l.step IN (SELECT k.k FROM campaign_step_keys k JOIN campaigns c ON c.id = k.campaign_id
		WHERE c.is_published = 1 AND c.deleted = 0)
	ORDER BY l.trigger_at, l.id LIMIT ?`

// dueGroup is the due rows of one campaign event with the same status (in camp_due).
type dueGroup struct {
	step                    int64
	campaign, event, status string
	n                       int
}

// step processes up to limit due rows in one transaction. The due rows are copied into the
// temp table camp_due by one INSERT … SELECT (they never travel through Go); each group of
// the same campaign, event and status then runs set-based from there, groups in trigger
// order of their first row.
func (s *Service) step(ctx context.Context, now time.Time, limit int, st *RunStats) (int, error) {
	var n int
	var queued bool
	var calls []*hookCall
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		calls = nil
		for _, q := range []string{
			`CREATE TEMP TABLE IF NOT EXISTS camp_due(seq INTEGER PRIMARY KEY, log_id INTEGER NOT NULL, step INTEGER NOT NULL,
				contact_id TEXT NOT NULL, status TEXT NOT NULL, rotation INTEGER NOT NULL, ref_at INTEGER NOT NULL)`,
			"CREATE INDEX IF NOT EXISTS temp.camp_due_group ON camp_due(step, status)",
			"DELETE FROM camp_due",
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		res, err := tx.Exec("INSERT INTO camp_due(log_id, step, contact_id, status, rotation, ref_at) "+dueSQL, ms(now), limit)
		if err != nil {
			return err
		}
		k, _ := res.RowsAffected()
		if n = int(k); n == 0 {
			return nil
		}
		rows, err := tx.Query(`SELECT d.step, k.campaign_id, k.event_id, d.status, d.n
			FROM (SELECT step, status, count(*) AS n, min(seq) AS first FROM camp_due GROUP BY step, status) d
			JOIN campaign_step_keys k ON k.k = d.step ORDER BY d.first`)
		if err != nil {
			return err
		}
		var groups []dueGroup
		for rows.Next() {
			var g dueGroup
			if err := rows.Scan(&g.step, &g.campaign, &g.event, &g.status, &g.n); err != nil {
				rows.Close()
				return err
			}
			groups = append(groups, g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		x := &execCtx{s: s, tx: tx, now: now, moves0: moves(tx)}
		if err := x.prepPipe(); err != nil {
			return err
		}
		for _, g := range groups {
			d, f, err := x.group(g)
			if err != nil {
				return err
			}
			st.Steps += g.n
			st.Done += d
			st.Failed += f
			// The immediate steps that follow run now, in this transaction (pipeline.go).
			if err := x.drain(st); err != nil {
				return err
			}
		}
		queued, calls = x.queued, x.calls
		return nil
	})
	if queued && err == nil && s.deps.Emails != nil {
		s.deps.Emails.Wake()
	}
	if err == nil && len(calls) > 0 {
		err = s.callWebhooks(ctx, now, calls)
	}
	return n, err
}

// execCtx is one batch transaction.
type execCtx struct {
	s      *Service
	tx     *db.Tx
	now    time.Time
	queued bool        // emails were queued: wake the sender after commit
	calls  []*hookCall // webhooks to call after commit
	// moves0 is moves(tx) when the due rows were read, moved on only past the groups' own
	// moves; from and fromStep are the status and step of the group being run while its
	// rows are known to have that status (else from is ""): see sameStatus.
	moves0   int
	from     string
	fromStep int64
}

func (x *execCtx) nowMs() int64 { return ms(x.now) }

// group runs rows of one campaign event with the same status.
func (x *execCtx) group(g dueGroup) (done, failed int, err error) {
	tx := x.tx
	c, err := load(txQuerier{tx}, g.campaign)
	if err != nil {
		return 0, 0, err
	}
	if err := prepTemp(tx); err != nil {
		return 0, 0, err
	}
	if _, err := tx.Exec(`INSERT INTO camp_batch(log_id, contact_id, rotation, ref_at)
		SELECT log_id, contact_id, rotation, ref_at FROM camp_due WHERE step = ? AND status = ?`,
		g.step, g.status); err != nil {
		return 0, 0, err
	}
	now := x.nowMs()
	if c == nil {
		return 0, 0, nil // unpublished meanwhile: rows wait
	}
	tx.Signal(countsTopic, c.id) // the builder's live counts (bus "campaign_counts:changed")
	// The group's rows still have the status they were read with unless some statement
	// moved rows since (an earlier group's action, a real-time decision: movesKey).
	same := moves(tx) == x.moves0
	x.from = ""
	ev := c.byID[g.event]
	if ev == nil {
		_, err := setStatus(tx, "status = 'skipped', reason = 'the event is no longer in the published campaign', done_at = ?",
			[]any{now}, "id IN (SELECT log_id FROM camp_batch)")
		return 0, 0, err
	}
	// Contacts deleted meanwhile are skipped; their path ends (the rest keeps running).
	if _, err := tx.Exec(`UPDATE camp_batch SET ok = -1 WHERE NOT EXISTS
		(SELECT 1 FROM contacts ct WHERE ct.id = camp_batch.contact_id AND ct.deleted = 0)`); err != nil {
		return 0, 0, err
	}
	var gone int
	if err := tx.QueryRow("SELECT count(*) FROM camp_batch WHERE ok = -1").Scan(&gone); err != nil {
		return 0, 0, err
	}
	if gone > 0 {
		if _, err := setStatus(tx, "status = 'skipped', reason = 'contact deleted', done_at = ?", []any{now},
			"id IN (SELECT log_id FROM camp_batch WHERE ok = -1)"); err != nil {
			return 0, 0, err
		}
		if _, err := tx.Exec("DELETE FROM camp_batch WHERE ok = -1"); err != nil {
			return 0, 0, err
		}
	}
	if same {
		x.moves0 = moves(tx) // only this group's own rows moved, and they left the batch
	}
	if g.status == stWaiting {
		// Inactivity: the decision takes its no path; each no child is offset from the
		// parent's execution time (ref_at), Q15 fixed.
		const rows = "id IN (SELECT log_id FROM camp_batch)"
		if !same {
			if err := subCounts(tx, rows); err != nil {
				return 0, 0, err
			}
		}
		r, err := tx.Exec(`UPDATE campaign_log SET status = 'done', path = 'no', done_at = ? WHERE `+rows, now)
		if err != nil {
			return 0, 0, err
		}
		if same { // every row was waiting: counted without reading the rows back
			n, _ := r.RowsAffected()
			err = addCount(tx, g.step, stWaiting, -n)
			if err == nil {
				err = addCount(tx, g.step, stDone, n)
			}
		} else {
			err = addCounts(tx, rows)
		}
		if err != nil {
			return 0, 0, err
		}
		if err := x.nextNo(c, c.children(ev.ID, "no")); err != nil {
			return 0, 0, err
		}
		logEvents(tx)
		return g.n, 0, nil
	}
	if same {
		x.from, x.fromStep = g.status, g.step
	}
	return x.exec(c, ev, false)
}

// exec runs event ev for the rows of camp_batch (deleted contacts already taken out) and
// records their outcomes: insert=false updates their existing campaign_log rows (due rows
// picked by the runner), insert=true inserts them (a pipelined step, pipeline.go).
func (x *execCtx) exec(c *compiled, ev *Event, insert bool) (done, failed int, err error) {
	tx := x.tx
	switch {
	case ev.Kind == KindCondition:
		if err := x.condition(c, ev); err != nil {
			return 0, 0, err
		}
	case ev.Kind == KindAction:
		if err := x.action(c, ev); err != nil {
			return 0, 0, err
		}
	default:
		_, err := setStatus(tx, "status = 'waiting', trigger_at = ?", []any{int64(never)}, "id IN (SELECT log_id FROM camp_batch)")
		return 0, 0, err
	}
	return x.finish(c, ev, insert)
}

// finish marks the batch by outcome, retries failures, logs events and schedules children.
func (x *execCtx) finish(c *compiled, ev *Event, insert bool) (done, failed int, err error) {
	tx := x.tx
	path := func(ok int) string {
		if ev.Kind != KindCondition {
			return ""
		}
		if ok == okNo {
			return "no"
		}
		return "yes"
	}
	n, err := x.outcomes()
	if err != nil {
		return 0, 0, err
	}
	if insert {
		err = x.insertOutcomes(c, ev, n, path(okDone), path(okNo))
	} else {
		err = x.markOutcomes(n, path(okDone), path(okNo))
	}
	if err != nil {
		return 0, 0, err
	}
	done, failed = int(n[okDone]+n[okSkip]+n[okNo]), int(n[okFail]+n[okFailEnd])
	logEvents(tx)
	if ev.Kind == KindCondition {
		if err := x.next(c, c.children(ev.ID, "yes"), "ok = 1"); err != nil {
			return 0, 0, err
		}
		return done, failed, x.next(c, c.children(ev.ID, "no"), "ok = 4")
	}
	if ev.Type == "jump" || ev.Type == "contact.delete" {
		return done, failed, nil // handled per contact (no children)
	}
	return done, failed, x.next(c, c.children(ev.ID, ""), "ok IN (1, 2)")
}

// outcomeCounts are camp_batch's rows by outcome (index ok, 0–4).
type outcomeCounts [5]int64

// outcomes counts camp_batch's rows by outcome; webhook rows awaiting their call (ok 5)
// are not marked yet and not counted.
func (x *execCtx) outcomes() (outcomeCounts, error) {
	var n outcomeCounts
	rows, err := x.tx.QueryPrepared("SELECT ok, count(*) FROM camp_batch WHERE ok BETWEEN 0 AND 4 GROUP BY ok")
	if err != nil {
		return n, err
	}
	defer rows.Close()
	for rows.Next() {
		var ok int
		var k int64
		if err := rows.Scan(&ok, &k); err != nil {
			return n, err
		}
		n[ok] = k
	}
	return n, rows.Err()
}

// addOutcomes adds the rows of outcomes 1–4 (n) of step to the counts of the status they
// were written with; the failures (ok 0, whose status depends on the attempts) are left
// to the caller.
func addOutcomes(tx *db.Tx, step int64, n outcomeCounts) error {
	for _, c := range []struct {
		status string
		n      int64
	}{{stDone, n[okDone] + n[okNo]}, {stSkipped, n[okSkip]}, {stFailed, n[okFailEnd]}} {
		if err := addCount(tx, step, c.status, c.n); err != nil {
			return err
		}
	}
	return nil
}

// markOutcomes records the outcomes of camp_batch (n by outcome) on their existing
// campaign_log rows (the runner's due rows of ev), counts moved set-based. When the rows
// are known to have the group's status (sameStatus), the counts move by n; else the rows'
// statuses before (an action may have changed them, e.g. canceled) are read and
// subtracted, those after read and added.
func (x *execCtx) markOutcomes(n outcomeCounts, yes, no string) error {
	const rows = "id IN (SELECT log_id FROM camp_batch WHERE ok IN (0, 1, 2, 3, 4))"
	if !x.sameStatus() {
		if err := subCounts(x.tx, rows); err != nil {
			return err
		}
		if err := x.markRows(yes, no); err != nil {
			return err
		}
		return addCounts(x.tx, rows)
	}
	var all int64
	for _, k := range n {
		all += k
	}
	if err := addCount(x.tx, x.fromStep, x.from, -all); err != nil {
		return err
	}
	if err := x.markRows(yes, no); err != nil {
		return err
	}
	if err := addOutcomes(x.tx, x.fromStep, n); err != nil {
		return err
	}
	if n[okFail] == 0 {
		return nil
	}
	return addCounts(x.tx, "id IN (SELECT log_id FROM camp_batch WHERE ok = 0)")
}

// sameStatus reports whether every row of the group being run still has the status it
// was read with: nothing, not even the group's own action, moved rows since (movesKey).
func (x *execCtx) sameStatus() bool { return x.from != "" && moves(x.tx) == x.moves0 }

func (x *execCtx) markRows(yes, no string) error {
	tx, now := x.tx, x.nowMs()
	// One UPDATE … FROM over the batch marks every row by its outcome: 1 done (yes path of
	// a condition), 4 done on the no path, 2 skipped with the reason, 3 failed for good, 0
	// failed: retried 1, 5, 25 minutes later until maxAttempts, then failed. SET expressions
	// read the row as it was (attempts before the increment).
	_, err := tx.Exec(`UPDATE campaign_log SET
			status = CASE b.ok WHEN 1 THEN 'done' WHEN 4 THEN 'done' WHEN 2 THEN 'skipped' WHEN 3 THEN 'failed'
				ELSE CASE WHEN campaign_log.attempts + 1 >= ?1 THEN 'failed' ELSE 'scheduled' END END,
			path = CASE b.ok WHEN 1 THEN ?2 WHEN 4 THEN ?3 ELSE campaign_log.path END,
			ref_at = CASE WHEN b.ok IN (1, 2, 4) THEN ?4 ELSE campaign_log.ref_at END,
			done_at = CASE WHEN b.ok <> 0 OR campaign_log.attempts + 1 >= ?1 THEN ?4 END,
			attempts = campaign_log.attempts + 1,
			reason = CASE WHEN b.ok IN (0, 2, 3) THEN b.reason ELSE campaign_log.reason END,
			trigger_at = CASE WHEN b.ok = 0 THEN ?4 + 60000 * (CASE campaign_log.attempts WHEN 0 THEN 1 WHEN 1 THEN 5 ELSE 25 END)
				ELSE campaign_log.trigger_at END
		FROM camp_batch b WHERE campaign_log.id = b.log_id AND b.ok IN (0, 1, 2, 3, 4)`,
		maxAttempts, yes, no, now)
	return err
}

// logEvents marks the rows logged: campaign_log itself is the campaign steps' log (the
// timeline and the "Campaign events" report read the view campaign_events, migration 0053;
// as Mautic's campaign_lead_event_log), so nothing is copied into the behaviour log; the
// "event" signal refreshes open timelines.
func logEvents(tx *db.Tx) {
	tx.Signal("event", "")
}
