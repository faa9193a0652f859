package imports

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
)

// plan is how each column of the file is applied.
type plan struct {
	cols    []colPlan
	aliases []string // field aliases written on new contacts
	opt     fields.ParseOptions
}

type colPlan struct {
	kind  int // skip, field, tags, points
	field fields.Field
}

const (
	colSkip = iota
	colField
	colTags
	colPoints
	colCompany // a company field (CompanyPrefix)
)

// row is one parsed data row.
type row struct {
	line   int64
	vals   db.Cols // alias -> stored value; nil value = clear (the literal NULL)
	tags   []string
	points int64
	email  string
	// company holds the company field columns (alias -> stored value; nil = clear).
	company db.Cols
}

func (s *Service) plan(ctx context.Context, opt Options) (plan, error) {
	fs, err := s.fields.List(ctx, fields.Contact)
	if err != nil {
		return plan{}, err
	}
	byAlias := map[string]fields.Field{}
	for _, f := range fs {
		byAlias[f.Alias] = f
	}
	cfs, err := s.fields.List(ctx, fields.Company)
	if err != nil {
		return plan{}, err
	}
	companyByAlias := map[string]fields.Field{}
	for _, f := range cfs {
		companyByAlias[f.Alias] = f
	}
	hasCompany, companyName := false, false
	p := plan{}
	if opt.DateOrder == "mdy" {
		p.opt.DateOrder = fields.MonthFirst
	}
	for _, m := range opt.Mapping {
		switch m {
		case "":
			p.cols = append(p.cols, colPlan{kind: colSkip})
		case TargetTags:
			p.cols = append(p.cols, colPlan{kind: colTags})
		case TargetPoints:
			p.cols = append(p.cols, colPlan{kind: colPoints})
		default:
			if alias, ok := strings.CutPrefix(m, CompanyPrefix); ok {
				f, ok := companyByAlias[alias]
				if !ok || f.System {
					return plan{}, apperr.Invalidf("imports.errors.unknownTarget", map[string]any{"target": m},
						"%q is not a company field (was it deleted?)", alias)
				}
				if !strings.HasPrefix(f.Label, "Company") {
					f.Label = "Company " + f.Label // rejection reasons name the company field
				}
				p.cols = append(p.cols, colPlan{kind: colCompany, field: f})
				companyName = companyName || alias == "companyname"
				continue
			}
			f, ok := byAlias[m]
			if !ok || f.System {
				return plan{}, apperr.Invalidf("imports.errors.unknownTarget", map[string]any{"target": m},
					"%q is not a contact field (was it deleted?)", m)
			}
			p.cols = append(p.cols, colPlan{kind: colField, field: f})
			p.aliases = append(p.aliases, m)
			hasCompany = hasCompany || m == "company"
		}
	}
	if companyName && !hasCompany {
		// The company name links the contact (its "company" field mirrors the primary company).
		p.aliases = append(p.aliases, "company")
	}
	return p, nil
}

// companyCols says whether the file has company field columns.
func (p plan) companyCols() bool {
	for _, c := range p.cols {
		if c.kind == colCompany {
			return true
		}
	}
	return false
}

// parse turns a record into a row, or says why it is rejected.
func (p plan) parse(rec []string, line int64) (row, error) {
	r := row{line: line, vals: db.Cols{}}
	var problems rowError
	for i, c := range p.cols {
		if i >= len(rec) || c.kind == colSkip {
			continue
		}
		cell := strings.TrimSpace(rec[i])
		if cell == "" {
			continue // blank cells never overwrite
		}
		switch c.kind {
		case colTags:
			r.tags = append(r.tags, strings.FieldsFunc(cell, func(r rune) bool { return r == '|' || r == ',' })...)
		case colPoints:
			n, err := strconv.ParseFloat(strings.ReplaceAll(cell, ",", "."), 64)
			if err != nil {
				problems.add("Points", "fields.errors.number", cell, fmt.Sprintf("Points: %q is not a number", cell))
				continue
			}
			r.points = int64(n)
		case colField, colCompany:
			dst := r.vals
			if c.kind == colCompany {
				if r.company == nil {
					r.company = db.Cols{}
				}
				dst = r.company
			}
			if strings.EqualFold(cell, "null") {
				// The literal NULL clears the field (never a company's name: it is the key).
				if c.kind == colField || c.field.Alias != "companyname" {
					dst[c.field.Alias] = nil
				}
				continue
			}
			v, err := c.field.Parse(cell, p.opt)
			if err != nil {
				var ve *fields.ValueError
				if errors.As(err, &ve) {
					problems.add(c.field.Label, ve.Key, cell, c.field.Label+": "+ve.Msg)
					continue
				}
				return r, err
			}
			dst[c.field.Alias] = v
		}
	}
	if name, _ := r.company["companyname"].(string); name != "" {
		// The company name column names the contact's primary company.
		r.vals["company"] = name
	}
	if len(problems.text) > 0 {
		rejected := problems // a copy, so that the rows that pass allocate nothing for it
		return r, &rejected
	}
	if e, _ := r.vals["email"].(string); e != "" {
		r.email = strings.ToLower(e)
	}
	return r, nil
}

// Bulk mode: an import whose remaining rows likely outnumber the stored contacts builds
// the secondary indexes once at the end instead of maintaining them row by row.
const bulkBytesPerRow = 200 // a conservative guess of a CSV row's size

// (variables for the tests: SetBulk)
var (
	bulkMinBytes int64 = 4 << 20 // below this, index upkeep is cheap enough
	// bulkGroupRows is how many rows a bulk import into a store with contacts writes per
	// transaction (batches of rec.Options.BatchSize rows each, the cursor moved with each):
	// every commit writes again each page the rows touched in the live indexes (the
	// email's, the event log's, the link tables'), so fewer commits write less. 1M rows into
	// an empty store, measured before such an import became one transaction: 56.3 / 56.2 s
	// against 78.3 / 78.4 s with a commit per 5,000 rows, max RSS 460–525 MB against 334 MB
	// (docs/BENCHMARKS.md § "Import: in place against the side file"). Other writers wait
	// up to one group (≈ 1–1.5 s at 1M).
	bulkGroupRows = 25000
)

// errNotFresh stops a one-transaction import into the store when contacts appeared in it
// between the check and the transaction.
var errNotFresh = errors.New("imports: the store has contacts")

// beforeOneTx, when set (tests: SetBeforeOneTransaction), runs between the check that the
// store has no contacts and the one transaction of the import.
var beforeOneTx func()

// anyContact asks whether the store holds a contact (the trash's too).
const anyContact = "SELECT EXISTS(SELECT 1 FROM contacts)"

// bulk says whether the rest of rec's file makes a bulk import, and then whether the store
// holds no contact yet (fresh).
func (s *Service) bulk(ctx context.Context, rec Record) (big, fresh bool, err error) {
	left := rec.Size - rec.Offset
	if left < bulkMinBytes {
		return false, false, nil
	}
	var n int64
	if err := s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&n); err != nil {
		return false, false, err
	}
	return left/bulkBytesPerRow >= n, n == 0, nil
}

// Run imports the file of import id synchronously from its committed cursor, calling
// report after every batch written. Cancelling ctx stops after the current batch is
// rolled back or committed; everything committed stays and a later Run resumes. (A big
// file into a store without contacts is written in one transaction: it commits at the
// end, or nothing does.)
func (s *Service) Run(ctx context.Context, id string, report func(Record)) (err error) {
	rec, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if rec.Status == StatusDone {
		return nil
	}
	defer func() { s.finish(id, err) }()
	p, err := s.plan(ctx, rec.Options)
	if err != nil {
		return err
	}
	f, err := os.Open(rec.Path)
	if err != nil {
		return fileError(rec.Path, err)
	}
	defer f.Close()
	raw, err := decoded(bufio.NewReaderSize(f, 256<<10), rec.Options.Encoding)
	if err != nil {
		return err
	}
	// Skip what earlier runs committed, counting its lines.
	startOffset := rec.Offset
	var baseLine int64
	if rec.Offset > 0 {
		lc := &lineCounter{}
		if _, err := io.CopyN(lc, raw, rec.Offset); err != nil {
			return fileError(rec.Path, fmt.Errorf("the file is shorter than when the import started: %w", err))
		}
		baseLine = lc.n
	}
	cr := newCSV(raw, rec.Options.Delimiter)
	if rec.Offset == 0 {
		if _, err := cr.Read(); err != nil {
			return apperr.Invalidf("imports.errors.header", nil, "%s: cannot read the header row: %v", rec.FileName, err)
		}
	}
	if err := s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec("UPDATE imports SET status = 'running', started_at = coalesce(started_at, ?), error = NULL WHERE id = ?", tx.NowMs(), id)
		return err
	}); err != nil {
		return err
	}
	// A big import into a store (or side file, RunFresh, always big) that began without
	// contacts — fresh — holds only the ones this run writes: their emails are remembered
	// (seen.go), the reader lays out the new contacts ahead (stage.go), the whole file is
	// written in one transaction (below) and the rows to look up are held back (held.go).
	big, fresh, err := s.bulk(ctx, rec)
	if err != nil {
		return err
	}
	var held *heldRows
	if fresh && !p.companyCols() {
		held = &heldRows{}
	}
	// Companies found or created by name, kept across batches (a failed batch ends the run,
	// so the map never holds a rolled-back company).
	companyIDs := map[string]string{}
	if !s.db.Scratch() {
		// The WAL is copied back into the store by a connection of its own, on the other
		// core (db.BackgroundCheckpoints; released after the rebuilds below, deferred
		// functions running last in, first out): not by the writer at each commit past
		// ≈ 80 MB of WAL. In place, between transactions (RestartWALIfBig), the writer only
		// restarts the WAL; the one transaction of a store without contacts leaves ≈ 2 GB of
		// WAL at 1M rows, copied while the writer rebuilds the deferred indexes
		// (docs/BENCHMARKS.md § "Import: the WAL copied on the other core").
		defer s.db.BackgroundCheckpoints(ctx)()
	}
	if big {
		// (err is Run's result: a failed rebuild must not go unreported.)
		// The event log's indexes stay: an import appends one contact.imported event per new
		// contact, at the import's time, for a new contact id, so every index of the log
		// (type then time; type, import id, contact; contact, type) grows at its right
		// edge, while a rebuild would sort every event ever logged.
		var restore func(context.Context) error
		if restore, err = contacts.DeferIndexes(ctx, s.db, contacts.Deferred{NowDated: true, Email: held != nil, CompanyLinks: fresh}); err != nil {
			return err
		}
		defer func() {
			if rerr := restore(context.Background()); rerr != nil && err == nil {
				err = rerr
			}
		}()
		// Into a store with contacts, a bigger writer cache while streaming (the email
		// index stays live there: a random B-tree), released before the rebuilds (deferred
		// functions run last in, first out). Into a store or side file that began without
		// contacts every kept B-tree only grows at its right edge: the writer's usual cache
		// imported 1M rows as fast and 60–100 MB smaller (docs/BENCHMARKS.md § "Import: the
		// usual page cache for one transaction").
		if !fresh {
			defer s.db.BulkCache(ctx)()
		}
		// Collect garbage half as often while streaming (the live heap is two parsed batches,
		// ~30 MB; GC was ~10 % of an import's CPU), and hand the memory back before the
		// rebuilds, whose sorter needs it.
		gc := debug.SetGCPercent(200)
		defer func() {
			debug.SetGCPercent(gc)
			debug.FreeOSMemory()
		}()
	}
	if !s.db.Scratch() {
		// (the statement journal's pages, reused from one statement to the next)
		defer db.KeepHeap()()
	}
	batch := rec.Options.BatchSize
	if batch <= 0 {
		batch = 5000
	}
	// Reading and parsing the next batch (one goroutine) overlaps writing the current one
	// (this one), so the two use both cores; at most two parsed batches are in memory (the
	// reader is faster: with a buffered channel it held a third one, 20 MB more once
	// prepared).
	rctx, stop := context.WithCancel(ctx)
	batches := make(chan parsed)
	reading := false
	defer func() {
		stop()
		if reading {
			for range batches { // the reader is done with the file before it is closed
			}
		}
	}()
	// read starts the reader; prep, when not nil, completes each batch on the reader's
	// goroutine too (one producer goroutine: with a third one busy, the writer coming back
	// from SQLite often found both of Go's two processors taken and waited for one).
	read := func(prep func(*parsed)) {
		reading = true
		go func() {
			defer close(batches)
			rd := reader{cr: cr, p: p, baseLine: baseLine, startOffset: startOffset, batch: batch}
			for {
				b := rd.next()
				if prep != nil && b.err == nil {
					prep(&b)
				}
				select {
				case batches <- b:
				case <-rctx.Done():
					return
				}
				if b.done || b.err != nil {
					return
				}
			}
		}()
	}
	// consume writes the batches in order with write, until the file's end (done), a
	// failure, or pause (when not nil) says to stop after a batch.
	consume := func(write func(b parsed) (Record, error), pause func() bool) (done bool, err error) {
		for b := range batches {
			if err := ctx.Err(); err != nil {
				return false, err
			}
			if b.err != nil {
				return false, fileError(rec.Path, b.err)
			}
			n, err := write(b)
			if err != nil {
				return false, err
			}
			rec = n
			if report != nil {
				report(rec)
			}
			if b.done {
				return true, nil
			}
			if pause != nil && pause() {
				return false, nil
			}
		}
		return false, ctx.Err()
	}
	if s.db.Scratch() || fresh {
		// A side file (RunFresh), or a big import into a store without contacts, is
		// written in one transaction for the whole file, so the pages every batch touches
		// are written once, not at each commit. The per-row insert triggers of contacts are
		// applied once, set-based, before it commits. The rows held back (held.go) are
		// applied in it once the email index is built in it — at maxHeld rows or at the
		// file's end —, and the rest of the file goes through that index. A side file is
		// thrown away on any failure and nobody watches it: its changes are not announced.
		// In the store, a failure or a cancel rolls the whole file back (the import resumes
		// from its start: nothing is imported twice), other writers wait for it, and its
		// changes reach the commit hooks as one bulk write (db.Tx.Bulk): every contact may
		// have changed. 1M rows through the app's path: see docs/BENCHMARKS.md § "Import:
		// one transaction into a store without contacts".
		var seen *seenEmails
		if fresh {
			seen = newSeenEmails(rec.Size / 100)
		}
		if held != nil {
			// (the email index built in the transaction sorts in temporary files)
			defer s.db.TempFiles(ctx)()
		}
		if beforeOneTx != nil && !s.db.Scratch() {
			beforeOneTx()
		}
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			if s.db.Scratch() {
				tx.Unannounced()
			} else {
				tx.Bulk()
				var used bool
				if err := tx.QueryRow(anyContact).Scan(&used); err != nil || used {
					return cmp.Or(err, errNotFresh) // another writer stored contacts first
				}
			}
			if err := contacts.DeferInsertTriggersIn(tx); err != nil {
				return err
			}
			if seen != nil && !p.companyCols() {
				// The new contacts of batch N+1 are laid out while the writer stores batch
				// N, the emails remembered there. (A copy of the record: consume moves rec's
				// counters on the writer.)
				now, stored, r0 := tx.NowMs(), seen, rec
				read(func(b *parsed) { b.ready = prepare(r0, p, b.rows, now, stored) })
				seen = nil
			} else {
				read(nil)
			}
			for {
				done, err := consume(func(b parsed) (Record, error) {
					return apply(tx, rec, p, b, companyIDs, seen, held)
				}, held.full)
				if err != nil || !held.holding() || (done && held.n == 0) {
					return err
				}
				if err := tx.RestoreIndex(contacts.EmailIndex); err != nil {
					return err
				}
				held.built = true
				n, err := applyHeld(tx, rec, p, held, companyIDs)
				if err != nil {
					return err
				}
				if rec = n; report != nil {
					report(rec)
				}
				if done {
					return nil
				}
			}
		})
		if !errors.Is(err, errNotFresh) {
			if err == nil {
				s.db.SyncAhead() // the side file's pages go to disk while its indexes are rebuilt
			}
			return err
		}
		// The batches below, with look-ups through the email index.
		if held != nil {
			if err := contacts.RestoreEmailIndex(ctx, s.db); err != nil {
				return err
			}
		}
	}
	read(nil)
	if !big {
		_, err = consume(func(b parsed) (Record, error) {
			s.db.RestartWALIfBig(ctx)
			return s.commit(ctx, rec, p, b, companyIDs)
		}, nil)
		return err
	}
	// A bulk import commits bulkGroupRows rows at a time: a crash or a cancel rolls back
	// the group it is in, and a later run resumes after the last one committed. Each group
	// reaches the commit hooks as a bulk write: listed, its 25,000 contacts would each be
	// queued for live segments, which rebuild every segment past BulkThreshold anyway.
	for {
		done, full := false, false
		s.db.RestartWALIfBig(ctx)
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			tx.Bulk()
			n := 0
			d, err := consume(func(b parsed) (Record, error) {
				n += len(b.rows) + len(b.rejects)
				return apply(tx, rec, p, b, companyIDs, nil, nil)
			}, func() bool { full = n >= bulkGroupRows; return full })
			done = d
			return err
		})
		if err != nil || done || !full {
			return err // (not full: the reader stopped, as consume's own loop would)
		}
	}
}

// finish records how a run ended.
func (s *Service) finish(id string, runErr error) {
	if e, ok := apperr.As(runErr); ok && e.Key == "imports.errors.concurrent" {
		return // the other run owns the status
	}
	status, msg := StatusDone, ""
	switch {
	case runErr == nil:
	case errors.Is(runErr, context.Canceled) || apperr.CodeOf(runErr) == apperr.Canceled:
		status = StatusCanceled
	default:
		status, msg = StatusFailed, runErr.Error()
	}
	_ = s.db.Write(context.Background(), func(tx *db.Tx) error {
		var fin any
		if status == StatusDone {
			fin = tx.NowMs()
		}
		_, err := tx.Exec("UPDATE imports SET status = ?, error = ?, finished_at = ? WHERE id = ?", status, nullable(msg), fin, id)
		return err
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
