package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Cols are column values of one row. Keys are column names (from code or the validated
// field registry); values are nil, bool, int/int64, float64, string or []byte.
type Cols map[string]any

// Op is the kind of a row change.
type Op int

// The row operations of the write path.
const (
	OpInsert Op = iota + 1
	OpUpdate
	OpDelete  // tombstone: deleted = 1
	OpRestore // undelete: deleted = 0
)

// Change is one logical edit of a row of a declared table, as the sync layer records it
// and as commit hooks see it.
type Change struct {
	Table string
	ID    string
	Op    Op
	Cols  Cols // the columns written (including deleted/deleted_at for tombstones)
	// Keys, when set (InsertMany, UpdateWhereChanges), are the keys of Cols, sorted; rows of
	// one bulk write with the same columns share the slice, which nobody may modify.
	Keys []string
	// Values, set instead of Cols by the bulk writes that do not need a map per row — an
	// InsertMany that only a BatchRecorder sees (its changes not announced), every
	// UpdateWhereChanges — are the values of Keys, in that order (never nil). Readers of a
	// change's columns use Col or Columns, which serve both forms.
	Values []any
	// Remote is set for changes applied by sync (Tx.Apply): they come from a teammate and
	// are not recorded again.
	Remote bool
	// Derived is set for local values derived from data every desktop has (Tx.DeriveValues:
	// a contact's last_active from the tracker's hits): never recorded for sync.
	Derived bool
}

// Signal is a non-row fact a transaction wants announced after commit (an event appended,
// a membership changed); Topic names it, ID says about what (usually a contact id).
type Signal struct {
	Topic string
	ID    string
}

// Commit is what commit hooks receive after a transaction is durable.
type Commit struct {
	Changes []Change
	Signals []Signal
	// Bulk names the tables a bulk write (Tx.Bulk) changed, and BulkSignals the topics it
	// signalled, without listing its changes and signals: a hook deriving anything from one
	// of them refreshes it in full.
	Bulk, BulkSignals []string
}

// Touches reports whether the commit changed one of tables: a listed change, or a bulk
// write naming it.
func (c Commit) Touches(tables ...string) bool {
	for _, ch := range c.Changes {
		if slices.Contains(tables, ch.Table) {
			return true
		}
	}
	return hasAny(c.Bulk, tables)
}

// Signalled reports whether the commit signalled one of topics: a listed signal, or a bulk
// write's signal.
func (c Commit) Signalled(topics ...string) bool {
	for _, sg := range c.Signals {
		if slices.Contains(topics, sg.Topic) {
			return true
		}
	}
	return hasAny(c.BulkSignals, topics)
}

// InBulk reports whether a bulk write changed table.
func (c Commit) InBulk(table string) bool { return slices.Contains(c.Bulk, table) }

func hasAny(list, names []string) bool {
	return slices.ContainsFunc(list, func(b string) bool { return slices.Contains(names, b) })
}

// CommitHook runs after a successful commit, outside the transaction. Hooks must be quick
// (queue work, never block on I/O).
type CommitHook func(Commit)

// Recorder captures changes of synced tables inside the writing transaction (clocks and
// outbox). Installed by the sync layer; nil means "not recording".
type Recorder interface {
	Record(tx *Tx, ch Change) error
}

// Table declares a table written through the write path.
type Table struct {
	Name string
	// Synced tables replicate per column (package sync); the others are local.
	Synced bool
	// Derive adds derived columns (search keys) for the user columns present in cols. It is
	// called on every insert and update, including updates applied by sync.
	Derive func(cols Cols)
	// Local lists columns that never replicate (derived keys, caches).
	Local []string
}

var (
	tablesMu sync.RWMutex
	tables   = map[string]*Table{}
)

// Declare registers a table; packages call it from init. Declaring twice panics.
func Declare(t Table) {
	tablesMu.Lock()
	defer tablesMu.Unlock()
	if _, dup := tables[t.Name]; dup {
		panic("db: table declared twice: " + t.Name)
	}
	tables[t.Name] = &t
}

// Tables returns the declared tables, sorted by name.
func Tables() []Table {
	tablesMu.RLock()
	defer tablesMu.RUnlock()
	out := make([]Table, 0, len(tables))
	for _, t := range tables {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// TableOf returns a declared table.
func TableOf(name string) (*Table, bool) {
	tablesMu.RLock()
	defer tablesMu.RUnlock()
	t, ok := tables[name]
	return t, ok
}

// SetRecorder installs the sync recorder.
func (d *DB) SetRecorder(r Recorder) {
	d.recMu.Lock()
	d.recorder = r
	d.recMu.Unlock()
}

// OnCommit adds a commit hook.
func (d *DB) OnCommit(h CommitHook) {
	d.recMu.Lock()
	d.hooks = append(d.hooks, h)
	d.recMu.Unlock()
}

// Tx is one write transaction on the writer connection.
type Tx struct {
	ctx     context.Context
	tx      *sql.Tx
	d       *DB
	now     time.Time
	rec     Recorder
	changes changeList
	signals []Signal
	// bulkSignals, when not nil (Tx.Bulk), replaces signals: it only names the topics.
	bulkSignals map[string]bool
	announce    bool                 // commit hooks will see changes and signals (else they are not kept)
	stmts       map[string]*sql.Stmt // prepared in this transaction, closed with it
	conn        *sql.Conn            // the writer connection the transaction runs on
	raw         *rawConn             // its SQLite handle for bulk statements (rawConn), once asked for
	rawDone     bool                 // raw was looked for
	trashed     int                  // rows moved to or from the trash (Trashed)
	locals      map[any]any          // per-transaction state of other packages (Local/SetLocal)
	before      []func(*Tx) error    // run just before commit (BeforeCommit)
}

// Write runs fn in one transaction: everything fn writes commits together or not at all.
// Commit hooks run after a successful commit.
func (d *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	if d.W == nil {
		return errors.New("db: opened read-only")
	}
	// The connection is taken first so bulk statements can run on its SQLite handle
	// (Tx.rawConn); what they prepared is finalized before the connection goes back.
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return openError(d.Path, err)
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return openError(d.Path, err)
	}
	d.recMu.RLock()
	rec, hooks := d.recorder, d.hooks
	d.recMu.RUnlock()
	tx := &Tx{ctx: ctx, tx: sqlTx, d: d, now: d.Clock.Now(), rec: rec, announce: len(hooks) > 0, conn: conn}
	defer tx.closeRaw()
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return canceledOr(ctx, err)
	}
	for i := 0; i < len(tx.before); i++ { // a BeforeCommit func may add another
		if err := tx.before[i](tx); err != nil {
			sqlTx.Rollback()
			return canceledOr(ctx, err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		sqlTx.Rollback()
		return canceledOr(ctx, openError(d.Path, err))
	}
	d.commits.Add(1) // still holding the connection: no other Write commits in between
	if len(hooks) > 0 && (tx.changes.n > 0 || len(tx.signals) > 0 || len(tx.changes.bulk) > 0 || len(tx.bulkSignals) > 0) {
		c := Commit{Changes: tx.changes.all(), Signals: tx.signals,
			Bulk: slices.Sorted(maps.Keys(tx.changes.bulk)), BulkSignals: slices.Sorted(maps.Keys(tx.bulkSignals))}
		for _, h := range hooks {
			h(c)
		}
	}
	return nil
}

// Commits is how many transactions Write has committed on this store since it was opened.
// A transaction that reads Commits inside its write function commits as the next one.
func (d *DB) Commits() int64 { return d.commits.Load() }

// canceledOr reports a canceled write as ctx.Err(): database/sql rolls the transaction back
// when its context ends, and the statement that was running then fails with a side effect
// ("sql: statement is closed") that would hide the cancellation from the caller.
func canceledOr(ctx context.Context, err error) error {
	if ce := ctx.Err(); ce != nil {
		return ce
	}
	return err
}

// BeforeCommit runs fn inside the transaction after the write function returned, just
// before commit (in registration order); an error rolls everything back. Packages that
// defer work within a transaction (per-batch aggregates) use it so nothing is left unwritten.
func (t *Tx) BeforeCommit(fn func(*Tx) error) { t.before = append(t.before, fn) }

// Local returns per-transaction state stored under key by SetLocal (nil when none).
func (t *Tx) Local(key any) any { return t.locals[key] }

// SetLocal stores per-transaction state under key (use an unexported key type); it lives as
// long as the transaction.
func (t *Tx) SetLocal(key, v any) {
	if t.locals == nil {
		t.locals = map[any]any{}
	}
	t.locals[key] = v
}

// Unannounced keeps the transaction's changes and signals from the commit hooks (and out of
// memory): for a bulk load of millions of rows in one transaction into a store nobody
// watches — a scratch store (OpenScratch) that is installed, closed, over the store.
func (t *Tx) Unannounced() {
	t.announce, t.changes, t.signals, t.bulkSignals = false, changeList{}, nil, nil
}

// Bulk keeps the transaction's changes and signals out of memory, as Unannounced, but tells
// the commit hooks which tables it changed and which topics it signalled (Commit.Bulk,
// Commit.BulkSignals), so each refreshes what it derives from them in full: for a bulk load
// of millions of rows in one transaction into the live store. Changes and signals made
// before the call are folded in too.
func (t *Tx) Bulk() {
	if !t.announce || t.changes.bulk != nil {
		return
	}
	b, sb := map[string]bool{}, map[string]bool{}
	for _, ch := range t.changes.all() {
		b[ch.Table] = true
	}
	for _, sg := range t.signals {
		sb[sg.Topic] = true
	}
	t.changes, t.signals, t.bulkSignals = changeList{bulk: b}, nil, sb
}

// Trashed is how many rows this transaction moved to or from the trash (Delete, Restore).
func (t *Tx) Trashed() int { return t.trashed }

// Ctx returns the transaction's context.
func (t *Tx) Ctx() context.Context { return t.ctx }

// Now is the transaction's timestamp (one instant for everything written in it).
func (t *Tx) Now() time.Time { return t.now }

// NowMs is Now in Unix milliseconds.
func (t *Tx) NowMs() int64 { return t.now.UnixMilli() }

// Exec runs a statement for local tables (event log, membership caches, jobs). Declared
// synced tables must be written with Insert/Update/Delete/Restore instead.
func (t *Tx) Exec(q string, args ...any) (sql.Result, error) {
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

// stmt is q prepared once per transaction (closed with it): batches run the same
// statements thousands of times.
func (t *Tx) stmt(q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(t.ctx, q)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[q] = st
	return st, nil
}

// Query reads inside the transaction (sees its own writes).
func (t *Tx) Query(q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, q, args...)
}

// QueryRow reads one row inside the transaction. Its statement is prepared once per
// transaction, like Exec's (batches run the same look-ups thousands of times).
func (t *Tx) QueryRow(q string, args ...any) *sql.Row {
	st, err := t.stmt(q)
	if err != nil {
		return t.tx.QueryRowContext(t.ctx, q, args...) // reports the prepare error on Scan
	}
	return st.QueryRowContext(t.ctx, args...)
}

// QueryPrepared is Query with the statement prepared once per transaction, like Exec's:
// for a multi-row statement with RETURNING (or a look-up) a batch runs many times.
func (t *Tx) QueryPrepared(q string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

// Signal announces a fact to commit hooks once the transaction commits.
// Without commit hooks nobody would read it, and it is not kept.
func (t *Tx) Signal(topic, id string) {
	switch {
	case t.bulkSignals != nil:
		t.bulkSignals[topic] = true
	case t.announce:
		t.signals = append(t.signals, Signal{Topic: topic, ID: id})
	}
}

// SetMeta writes a local key inside the transaction.
func (t *Tx) SetMeta(k, v string) error {
	_, err := t.Exec("INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, v)
	return err
}

func (t *Tx) table(name string) (*Table, error) {
	tb, ok := TableOf(name)
	if !ok {
		return nil, fmt.Errorf("db: table %q is not declared", name)
	}
	return tb, nil
}

// Insert adds a row with the given id.
func (t *Tx) Insert(table, id string, cols Cols) error {
	tb, err := t.table(table)
	if err != nil {
		return err
	}
	all := withDerived(tb, cols)
	keys := sortedKeys(all)
	q := insertSQL(table, keys)
	args := make([]any, 0, len(keys)+1)
	args = append(args, id)
	for _, k := range keys {
		args = append(args, all[k])
	}
	if _, err := t.Exec(q, args...); err != nil {
		return fmt.Errorf("db: insert %s: %w", table, err)
	}
	return t.record(tb, Change{Table: table, ID: id, Op: OpInsert, Cols: cols})
}

// Update writes cols of an existing row; it reports false when no such row exists.
func (t *Tx) Update(table, id string, cols Cols) (bool, error) {
	if len(cols) == 0 {
		return true, nil
	}
	tb, err := t.table(table)
	if err != nil {
		return false, err
	}
	all := withDerived(tb, cols)
	keys := sortedKeys(all)
	q := updateSQL(table, keys)
	args := make([]any, 0, len(keys)+1)
	for _, k := range keys {
		args = append(args, all[k])
	}
	args = append(args, id)
	res, err := t.Exec(q, args...)
	if err != nil {
		return false, fmt.Errorf("db: update %s: %w", table, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, t.record(tb, Change{Table: table, ID: id, Op: OpUpdate, Cols: cols})
}

// Delete moves a row to the trash (a tombstone): it stays, hidden, until restored.
func (t *Tx) Delete(table, id string) (bool, error) {
	return t.setDeleted(table, id, OpDelete, Cols{"deleted": 1, "deleted_at": t.NowMs()})
}

// Restore brings a row back from the trash.
func (t *Tx) Restore(table, id string) (bool, error) {
	return t.setDeleted(table, id, OpRestore, Cols{"deleted": 0, "deleted_at": nil})
}

// SetDeleted moves a row to the trash (del) or back from it: the one body of every
// service's Delete/Restore pair.
func (t *Tx) SetDeleted(table, id string, del bool) (bool, error) {
	if del {
		return t.Delete(table, id)
	}
	return t.Restore(table, id)
}

// Trash moves a row to the trash (del) or back from it in its own transaction, and returns
// missing when there is no such row: the whole of most services' Delete and Restore.
func (d *DB) Trash(ctx context.Context, table, id string, del bool, missing error) error {
	return d.Write(ctx, func(tx *Tx) error {
		ok, err := tx.SetDeleted(table, id, del)
		if err == nil && !ok {
			return missing
		}
		return err
	})
}

func (t *Tx) setDeleted(table, id string, op Op, cols Cols) (bool, error) {
	tb, err := t.table(table)
	if err != nil {
		return false, err
	}
	keys := sortedKeys(cols)
	res, err := t.Exec(updateSQL(table, keys), cols[keys[0]], cols[keys[1]], id)
	if err != nil {
		return false, fmt.Errorf("db: delete %s: %w", table, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	t.trashed++
	return true, t.record(tb, Change{Table: table, ID: id, Op: op, Cols: cols})
}

// Apply writes columns merged from a teammate's change (package teamsync): it updates the
// row, or creates it when missing (the table's literal defaults fill the other columns),
// adds derived columns, and is announced to commit hooks as a Remote change but never
// recorded again. likelyNew tries the insert first (a row sync has never seen). It reports
// false, writing nothing, when the row is missing and cannot be created from cols (a
// required column without a default is absent). Deleted/undeleted rows arrive as the
// deleted/deleted_at columns, like any other column.
func (t *Tx) Apply(table, id string, cols Cols, likelyNew bool) (bool, error) {
	if len(cols) == 0 {
		return true, nil
	}
	tb, err := t.table(table)
	if err != nil {
		return false, err
	}
	if !tb.Synced {
		return false, fmt.Errorf("db: apply to %s: table is not synced", table)
	}
	all := withDerived(tb, cols)
	keys := sortedKeys(all)
	vals := make([]any, 0, len(keys)+1)
	for _, k := range keys {
		vals = append(vals, all[k])
	}
	// An upsert would check NOT NULL columns missing from cols even when the row exists,
	// so it is UPDATE, or INSERT OR IGNORE (which also skips a row that cannot be created).
	update := func() (bool, error) {
		res, err := t.Exec(updateSQL(table, keys), append(vals[:len(vals):len(vals)], id)...)
		if err != nil {
			return false, fmt.Errorf("db: apply %s %s: %w", table, id, err)
		}
		n, _ := res.RowsAffected()
		return n > 0, nil
	}
	insert := func() (bool, error) {
		res, err := t.Exec("INSERT OR IGNORE"+strings.TrimPrefix(insertSQL(table, keys), "INSERT"), append([]any{id}, vals...)...)
		if err != nil {
			return false, fmt.Errorf("db: apply %s %s: %w", table, id, err)
		}
		n, _ := res.RowsAffected()
		return n > 0, nil
	}
	first, second := update, insert
	if likelyNew {
		first, second = insert, update
	}
	ok, err := first()
	if err == nil && !ok {
		ok, err = second()
	}
	if err != nil || !ok {
		return false, err
	}
	t.changes.add(Change{Table: table, ID: id, Op: OpUpdate, Cols: cols, Remote: true})
	return true, nil
}

func (t *Tx) record(tb *Table, ch Change) error {
	if t.announce {
		t.changes.add(ch)
	}
	if tb.Synced && t.rec != nil {
		return t.rec.Record(t, ch)
	}
	return nil
}

func withDerived(tb *Table, cols Cols) Cols {
	if tb.Derive == nil {
		return cols
	}
	all := make(Cols, len(cols)+2)
	for k, v := range cols {
		all[k] = v
	}
	tb.Derive(all)
	return all
}

func sortedKeys(c Cols) []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func insertSQL(table string, keys []string) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(Quote(table))
	b.WriteString("(id")
	for _, k := range keys {
		b.WriteString(", ")
		b.WriteString(Quote(k))
	}
	b.WriteString(") VALUES(?")
	b.WriteString(strings.Repeat(", ?", len(keys)))
	b.WriteString(")")
	return b.String()
}

func updateSQL(table string, keys []string) string {
	var b strings.Builder
	b.WriteString("UPDATE ")
	b.WriteString(Quote(table))
	b.WriteString(" SET ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(Quote(k))
		b.WriteString(" = ?")
	}
	b.WriteString(" WHERE id = ?")
	return b.String()
}
