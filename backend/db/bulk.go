package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
)

// maxVars is how many bound parameters one statement may carry (SQLite's default
// SQLITE_MAX_VARIABLE_NUMBER is 32766; stay well below it).
const maxVars = 30000

// Row is one row of InsertMany: its id and values in the order of the column list.
type Row struct {
	ID   string
	Vals []any
}

// InsertMany adds many rows of a declared table through the write path, with multi-row
// INSERT statements (one prepared statement per chunk size, reused by the transaction).
// Every row gets the table's derived columns and is recorded exactly as Insert would record
// it, so the sync recorder and commit hooks see each row (a BatchRecorder gets them per
// statement). Nil values are stored as NULL, not as the column default (give NOT NULL
// columns a value), and are left out of the recorded change. Its effect is PrepareInsert
// then InsertPrepared; it lays out each chunk's arguments in one reused list instead of
// keeping every chunk packed.
func (t *Tx) InsertMany(table string, cols []string, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	sh, err := shapeOf(table, cols)
	if err != nil {
		return err
	}
	var args []any // one argument list, reused by every chunk
	var keys keySets
	for start := 0; start < len(rows); start += sh.per {
		end := min(start+sh.per, len(rows))
		if args, err = sh.args(args[:0], rows[start:end]); err != nil {
			return err
		}
		if _, err := t.execBulk(insertManySQL(table, sh.all, end-start), args, end-start == sh.per); err != nil {
			return fmt.Errorf("db: insert %s: %w", table, err)
		}
		if err := t.recordInserts(sh, rows[start:end], &keys); err != nil {
			return err
		}
	}
	return nil
}

// keySets hands out the sorted column names of a row by the mask of its non-nil values,
// one shared slice per mask (a bulk insert's rows have a handful of patterns), with the
// position in cols of each name.
type keySets map[uint64]keySet

type keySet struct {
	names []string
	at    []int
}

func (k *keySets) of(mask uint64, cols []string) ([]string, []int) {
	if s, ok := (*k)[mask]; ok {
		return s.names, s.at
	}
	var at []int
	for i := range cols {
		if mask&(1<<i) != 0 {
			at = append(at, i)
		}
	}
	slices.SortFunc(at, func(a, b int) int { return strings.Compare(cols[a], cols[b]) })
	s := keySet{names: make([]string, len(at)), at: at}
	for j, i := range at {
		s.names[j] = cols[i]
	}
	if *k == nil {
		*k = keySets{}
	}
	(*k)[mask] = s
	return s.names, s.at
}

// BatchRecorder is an optional extension of Recorder: it records many changes of one
// statement batch at once (InsertMany), with the same effect as calling Record for each.
type BatchRecorder interface {
	RecordMany(tx *Tx, chs []Change) error
}

func (t *Tx) recordMany(tb *Table, chs []Change) error {
	if t.announce {
		t.changes.addMany(chs) // kept, not copied: every caller made chs for this call
	}
	if !tb.Synced || t.rec == nil {
		return nil
	}
	if br, ok := t.rec.(BatchRecorder); ok {
		return br.RecordMany(t, chs)
	}
	for _, ch := range chs {
		if err := t.rec.Record(t, ch); err != nil {
			return err
		}
	}
	return nil
}

// ExecMany runs a multi-row INSERT into a local (non-synced) table: prefix is
// "INSERT INTO t(a, b, c)" (optionally followed by a conflict clause in suffix) and rows
// hold the values of each row.
func (t *Tx) ExecMany(prefix, suffix string, width int, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := min(maxVars/width, 500)
	args := make([]any, 0, per*width)
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var err error
		if args, err = flatRows(args[:0], prefix, width, rows[start:end]); err != nil {
			return err
		}
		q := prefix + " VALUES " + valuesList(width, end-start) + suffix
		if _, err := t.execBulk(q, args, end-start == per); err != nil {
			return err
		}
	}
	return nil
}

// flatRows appends the values of rows, width each, to dst: one statement's arguments.
func flatRows(dst []any, prefix string, width int, rows [][]any) ([]any, error) {
	for _, r := range rows {
		if len(r) != width {
			return nil, fmt.Errorf("db: %s: row has %d values, want %d", prefix, len(r), width)
		}
		dst = append(dst, r...)
	}
	return dst, nil
}

// ExecChunk runs one chunk of a bulk write into a local table — a multi-row statement a
// caller runs many times with a few fixed sizes (team sync's row clocks, the event log's
// rows) — and returns the rows it changed. It runs like InsertMany's chunks (execBulk).
func (t *Tx) ExecChunk(q string, args ...any) (int64, error) { return t.execBulk(q, args, true) }

// execBulk runs one chunk of a bulk write and returns the rows it changed: on the
// connection's SQLite handle when there is one (rawConn: values bound in one call; keep says
// the same statement comes again), else through database/sql.
func (t *Tx) execBulk(q string, args []any, keep bool) (int64, error) {
	if r := t.rawConn(); r != nil {
		if n, err := r.exec(q, args, keep); !errors.Is(err, errUnpackable) {
			if errors.Is(err, errNoTx) {
				err = canceledOr(t.ctx, err)
			}
			return n, err
		}
	}
	res, err := t.Exec(q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// execPacked runs a prepared chunk as execBulk does, its arguments already packed when they
// pack; args lays them out again for database/sql's path.
func (t *Tx) execPacked(ch insertChunk, args func() []any) (int64, error) {
	if ch.pk == nil {
		return t.execBulk(ch.q, ch.args, ch.full)
	}
	if r := t.rawConn(); r != nil {
		n, err := r.run(ch.q, ch.pk, ch.full)
		if errors.Is(err, errNoTx) {
			err = canceledOr(t.ctx, err)
		}
		return n, err
	}
	return t.execBulk(ch.q, args(), ch.full)
}

// rawConn is the SQLite handle bulk statements run on: a scratch store's own, else the one
// of the connection this transaction holds (nil when the driver does not expose it).
func (t *Tx) rawConn() *rawConn {
	if t.d.raw != nil {
		return t.d.raw
	}
	if !t.rawDone && t.conn != nil {
		t.rawDone = true
		t.raw = rawHandle(t.conn)
	}
	return t.raw
}

// closeRaw finalizes the statements this transaction prepared on its connection's handle.
func (t *Tx) closeRaw() {
	if t.raw != nil {
		t.raw.close()
		t.raw = nil
	}
}

func insertManySQL(table string, keys []string, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(Quote(table))
	b.WriteString("(id")
	for _, k := range keys {
		b.WriteString(", ")
		b.WriteString(Quote(k))
	}
	b.WriteString(") VALUES ")
	b.WriteString(valuesList(len(keys)+1, n))
	return b.String()
}

func valuesList(width, n int) string {
	one := "(?" + strings.Repeat(",?", width-1) + ")"
	var b strings.Builder
	b.Grow(n * (len(one) + 1))
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// deferredKey is the meta key holding the SQL of indexes dropped for a bulk load.
const deferredKey = "bulk.deferred_indexes"

// DeferIndexes drops the secondary indexes of tables (all but unique ones, the trash's and
// those named in keep) so that a bulk load appends rows without maintaining them, and
// returns a function that recreates them (sorting once is far cheaper than millions of
// random index inserts). The dropped definitions are saved in meta in the same
// transaction, and Open recreates any left over, so a crash or kill during the load loses
// no index. A partial index on `deleted = 1` stays: a load of live rows puts no entry in
// it (no upkeep), while its rebuild would scan the whole table (0.15 s at 1M contacts).
func (d *DB) DeferIndexes(ctx context.Context, tables []string, keep []string) (restore func(context.Context) error, err error) {
	err = d.Write(ctx, func(tx *Tx) error {
		def, err := loadDeferred(tx)
		if err != nil {
			return err
		}
		saved := def.SQL
		for _, t := range tables {
			rows, err := tx.Query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", t)
			if err != nil {
				return err
			}
			type ix struct{ name, sql string }
			var list []ix
			for rows.Next() {
				var x ix
				if err := rows.Scan(&x.name, &x.sql); err != nil {
					rows.Close()
					return err
				}
				list = append(list, x)
			}
			rows.Close()
			for _, x := range list {
				if contains(keep, x.name) || strings.Contains(strings.ToUpper(x.sql), "UNIQUE") || trashOnly(x.sql) {
					continue
				}
				saved = append(saved, x.sql)
				if _, err := tx.tx.ExecContext(ctx, "DROP INDEX "+Quote(x.name)); err != nil {
					return err
				}
			}
		}
		b, _ := json.Marshal(deferred{PID: os.Getpid(), SQL: saved})
		return tx.SetMeta(deferredKey, string(b))
	})
	if err != nil {
		return nil, err
	}
	return d.RestoreIndexes, nil
}

// trashOnly reports whether an index's SQL makes it partial on deleted = 1 alone.
func trashOnly(sql string) bool {
	return strings.HasSuffix(strings.ToLower(strings.Join(strings.Fields(sql), " ")), " where deleted = 1")
}

// RestoreIndexes recreates the indexes a bulk load deferred (no-op when none are), with
// small sorted runs (SortCacheKiB) and no sorter helper thread: with small runs a helper
// thread on the second core no longer shortens the rebuild, it only adds CPU (1M seed,
// tail after the streaming 17.7 / 17.1 s single-threaded against 16.1 / 20.8 s with one
// helper, 8–14 s less CPU; docs/BENCHMARKS.md § Contacts, branch seed4).
func (d *DB) RestoreIndexes(ctx context.Context) error {
	return d.restoreIndexes(ctx, 0, false, "")
}

// RestoreIndex is RestoreIndexes for the one deferred index named name (no-op when it is not
// deferred), which leaves the deferred list: a bulk load that deferred an index it reads
// later (an import's email look-ups) builds it when it needs it and goes on with it live.
func (d *DB) RestoreIndex(ctx context.Context, name string) error {
	return d.restoreIndexes(ctx, 0, false, name)
}

// RestoreIndexesEach is RestoreIndexes with one transaction per index, each removing its
// index from the deferred list in meta as it commits (a crash in between leaves the rest
// for Open, as before), and that many sorter helper threads (each holds its own sorted
// runs, about one page cache): a caller holding BackgroundCheckpoints — the tracker's
// catch-up — gets each index's pages copied out of the WAL on another goroutine while the
// next one is built, instead of all of them by the automatic checkpoint of one last commit.
func (d *DB) RestoreIndexesEach(ctx context.Context, threads int) error {
	return d.restoreIndexes(ctx, threads, true, "")
}

func (d *DB) restoreIndexes(ctx context.Context, threads int, each bool, only string) error {
	if d.W == nil {
		return nil
	}
	// Each rebuild sorts a whole table. With temp_store = MEMORY SQLite's sorter never
	// spills, so a 1M-contact load peaked near 1 GB of RSS; with FILE it keeps about one
	// page cache of sorted runs per thread in memory and merges runs from temp
	// files. Set on the writer connection (the only one) outside a transaction, as SQLite
	// requires, and put back afterwards.
	if _, err := d.W.ExecContext(ctx, "PRAGMA temp_store = FILE"); err == nil {
		defer d.W.ExecContext(context.WithoutCancel(ctx), "PRAGMA temp_store = MEMORY")
	}
	if !each {
		// Small sorted runs: the sorter's in-memory run is as big as the page cache, and
		// sorting a 64 MiB run (a linked-list merge sort over records scattered in memory)
		// misses the CPU caches at every step, while merging small runs from the temp files
		// streams. The rebuild reads the table and appends index pages, which need no cache.
		// (RestoreIndexesEach's caller, the tracker's catch-up, sets its own page cache.)
		var was int
		if d.W.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&was) == nil {
			if _, err := d.W.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -SortCacheKiB)); err == nil {
				defer d.W.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = %d", was))
			}
		}
	}
	for more := true; more; {
		err := d.Write(ctx, func(tx *Tx) error {
			def, err := loadDeferred(tx)
			if err != nil || len(def.SQL) == 0 {
				more = false
				return err
			}
			// No sorter helper threads: each worker holds its own sorted runs, so with
			// threads = 2 rebuilding events_type over 4M events peaked at 243 MB RSS against
			// 138 MB single-threaded, for more CPU (6.5 s vs 4.6 s; docs/BENCHMARKS.md
			// § Contacts, "Seed 1M").
			_, _ = tx.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA threads = %d", threads))
			defer tx.tx.ExecContext(context.WithoutCancel(ctx), "PRAGMA threads = 0")
			n := len(def.SQL)
			if each {
				n = 1
			}
			left, err := tx.restoreDeferred(def, n, only)
			more = left && only == ""
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// RestoreIndex is DB.RestoreIndex inside tx (no-op when the index is live): for a
// transaction that needs a deferred index before it ends — an import into a store without
// contacts writes the whole file in one, its email index deferred until rows must be looked
// up. Its sorter follows the connection's temp_store, which only changes outside a
// transaction: with FILE (TempFiles) it spills sorted runs to temporary files, with MEMORY
// it holds every key in memory.
func (t *Tx) RestoreIndex(name string) error {
	def, err := loadDeferred(t)
	if err != nil || len(def.SQL) == 0 {
		return err
	}
	_, err = t.restoreDeferred(def, 0, name)
	return err
}

// TempFiles sets the writer's temp_store to FILE until the returned function is called: a
// long transaction that sorts (Tx.RestoreIndex) keeps its memory flat. Call it outside a
// transaction.
func (d *DB) TempFiles(ctx context.Context) (restore func()) {
	if d.W == nil {
		return func() {}
	}
	if _, err := d.W.ExecContext(ctx, "PRAGMA temp_store = FILE"); err != nil {
		return func() {}
	}
	return func() { _, _ = d.W.ExecContext(context.WithoutCancel(ctx), "PRAGMA temp_store = MEMORY") }
}

// restoreDeferred builds the first n indexes of def, or only the one named only (n is then
// ignored), and saves what is left deferred; it reports whether any is.
func (t *Tx) restoreDeferred(def deferred, n int, only string) (left bool, err error) {
	if only != "" {
		// (the named index first, the rest left as they are)
		i := slices.IndexFunc(def.SQL, func(q string) bool { return strings.HasPrefix(q, "CREATE INDEX "+only+" ") })
		if i < 0 {
			return len(def.SQL) > 0, nil
		}
		def.SQL[0], def.SQL[i], n = def.SQL[i], def.SQL[0], 1
	}
	for _, q := range def.SQL[:n] {
		q = strings.Replace(q, "CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
		if _, err := t.tx.ExecContext(t.ctx, q); err != nil {
			return false, fmt.Errorf("db: recreate index: %w", err)
		}
	}
	if def.SQL = def.SQL[n:]; len(def.SQL) > 0 {
		b, _ := json.Marshal(def)
		return true, t.SetMeta(deferredKey, string(b))
	}
	_, err = t.Exec("DELETE FROM meta WHERE k = ?", deferredKey)
	return false, err
}

// deferred is what DeferIndexes saves: the loading process and the dropped indexes.
type deferred struct {
	PID int      `json:"pid"`
	SQL []string `json:"sql"`
}

// restoreOrphaned rebuilds deferred indexes at open, unless the process that deferred them
// is still alive (an import running in another process must not be slowed to a halt by
// the desktop opening the same store).
func (d *DB) restoreOrphaned(ctx context.Context) error {
	var v string
	err := d.W.QueryRowContext(ctx, "SELECT v FROM meta WHERE k = ?", deferredKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) || v == "" {
		return nil
	}
	if err != nil {
		return err
	}
	var def deferred
	if json.Unmarshal([]byte(v), &def) == nil && def.PID != 0 && def.PID != os.Getpid() && alive(def.PID) {
		return nil
	}
	return d.RestoreIndexes(ctx)
}

// ProcessAlive reports whether a process of this machine is running (a bulk load's or a
// catch-up's owner, recorded in meta).
func ProcessAlive(pid int) bool { return alive(pid) }

func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}

func loadDeferred(tx *Tx) (deferred, error) {
	var v string
	err := tx.QueryRow("SELECT v FROM meta WHERE k = ?", deferredKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) || v == "" {
		return deferred{}, nil
	}
	if err != nil {
		return deferred{}, err
	}
	var def deferred
	if err := json.Unmarshal([]byte(v), &def); err != nil {
		return deferred{}, fmt.Errorf("db: %s: %w", deferredKey, err)
	}
	return def, nil
}

// IndexedBy returns "INDEXED BY name" when the index exists and "" when it does not: a
// query that forces an index still answers, only slower, while a bulk load (DeferIndexes,
// here or in another process) has dropped it.
func (d *DB) IndexedBy(ctx context.Context, name string) string {
	return indexedBy(ctx, d.R, name)
}

// IndexedBy is DB.IndexedBy inside the transaction.
func (t *Tx) IndexedBy(name string) string { return indexedBy(t.ctx, t.tx, name) }

func indexedBy(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, name string) string {
	var one int
	if q.QueryRowContext(ctx, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", name).Scan(&one) != nil {
		return ""
	}
	return "INDEXED BY " + Quote(name)
}
