package db

import "fmt"

// PreparedInsert is the part of InsertMany that needs no transaction, done ahead: each
// row's derived columns, and each chunk's statement text and arguments, already packed for
// the connection's SQLite handle. A bulk load prepares batch N+1 on another goroutine while
// the writer stores batch N (an import in a side file), so the writer only binds ready
// buffers; InsertPrepared then stores and records the rows exactly as InsertMany does. The
// rows' values must not change between the two calls.
type PreparedInsert struct {
	sh     insertShape
	rows   []Row
	chunks []insertChunk
}

// insertChunk is one multi-row statement of a PreparedInsert or PreparedExec: rows
// [start, end). Its arguments are kept packed only (they are laid out again for
// database/sql's path, without a SQLite handle), or as values when one does not pack.
type insertChunk struct {
	q          string
	args       []any   // nil when packed
	pk         *packed // nil when a value does not pack (database/sql's path converts it)
	start, end int
	full       bool // a chunk of the usual size: its statement comes again
}

// PrepareInsert prepares an InsertMany of rows into table (see InsertMany).
func PrepareInsert(table string, cols []string, rows []Row) (*PreparedInsert, error) {
	sh, err := shapeOf(table, cols)
	if err != nil {
		return nil, err
	}
	p := &PreparedInsert{sh: sh, rows: rows}
	for start := 0; start < len(rows); start += sh.per {
		end := min(start+sh.per, len(rows))
		args, err := sh.args(make([]any, 0, (end-start)*(len(sh.all)+1)), rows[start:end])
		if err != nil {
			return nil, err
		}
		p.chunks = append(p.chunks, chunkOf(insertManySQL(table, sh.all, end-start), args, start, end, end-start == sh.per))
	}
	return p, nil
}

// InsertPrepared stores and records the rows of p, as InsertMany.
func (t *Tx) InsertPrepared(p *PreparedInsert) error {
	var keys keySets
	for _, ch := range p.chunks {
		args := func() []any {
			a, _ := p.sh.args(nil, p.rows[ch.start:ch.end]) // (checked by PrepareInsert)
			return a
		}
		if _, err := t.execPacked(ch, args); err != nil {
			return fmt.Errorf("db: insert %s: %w", p.sh.table, err)
		}
		if err := t.recordInserts(p.sh, p.rows[ch.start:ch.end], &keys); err != nil {
			return err
		}
	}
	return nil
}

// insertShape is what the rows of one InsertMany share: the table, the given columns, the
// derived ones and how many rows one statement carries.
type insertShape struct {
	table   string
	tb      *Table
	cols    []string
	derived []string
	all     []string // cols then derived
	per     int
}

func shapeOf(table string, cols []string) (insertShape, error) {
	tb, ok := TableOf(table)
	if !ok {
		return insertShape{}, fmt.Errorf("db: table %q is not declared", table)
	}
	sh := insertShape{table: table, tb: tb, cols: cols}
	// Derived columns: ask Derive which columns it adds for a row holding every column.
	if tb.Derive != nil {
		probe := make(Cols, len(cols))
		for _, c := range cols {
			probe[c] = "x"
		}
		tb.Derive(probe)
		for k := range probe {
			if !contains(cols, k) {
				sh.derived = append(sh.derived, k)
			}
		}
		sortStrings(sh.derived)
	}
	sh.all = append(append([]string{}, cols...), sh.derived...)
	width := len(sh.all) + 1
	sh.per = min(maxVars/width, 500)
	if sh.per < 1 {
		return insertShape{}, fmt.Errorf("db: insert %s: %d columns is too many", table, len(sh.all))
	}
	return sh, nil
}

// args appends the statement arguments of rows (id, values, derived values) to dst.
func (sh insertShape) args(dst []any, rows []Row) ([]any, error) {
	var c Cols // one scratch row for Derive
	if len(sh.derived) > 0 {
		c = make(Cols, len(sh.all))
	}
	for _, r := range rows {
		if len(r.Vals) != len(sh.cols) {
			return nil, fmt.Errorf("db: insert %s: row %s has %d values for %d columns", sh.table, r.ID, len(r.Vals), len(sh.cols))
		}
		dst = append(dst, r.ID)
		dst = append(dst, r.Vals...)
		if len(sh.derived) > 0 {
			clear(c)
			for i, k := range sh.cols {
				c[k] = r.Vals[i]
			}
			sh.tb.Derive(c)
			for _, k := range sh.derived {
				dst = append(dst, c[k])
			}
		}
	}
	return dst, nil
}

// recordInserts records the rows of one insert statement (InsertMany's chunk).
func (t *Tx) recordInserts(sh insertShape, rows []Row, keys *keySets) error {
	if !t.announce && (!sh.tb.Synced || t.rec == nil) {
		return nil // nobody would read the changes
	}
	table, cols := sh.table, sh.cols
	// The lean form (Keys and Values, no column map per row) whenever its readers take
	// it: a batch recorder, and the commit hooks, which read columns through Col.
	_, batch := t.rec.(BatchRecorder)
	lean := (batch || t.rec == nil) && len(cols) <= 64
	chs := make([]Change, 0, len(rows))
	var vals []any // the lean changes' values, one backing array per chunk
	if lean {
		vals = make([]any, 0, len(rows)*len(cols))
	}
	for _, r := range rows {
		var mask uint64
		for i, v := range r.Vals {
			if v != nil && i < 64 {
				mask |= 1 << i
			}
		}
		if lean {
			// No column map per row (GC was ~7 % of a 1M import's CPU, these maps most of
			// its garbage).
			ks, at := keys.of(mask, cols)
			n := len(vals)
			for _, i := range at {
				vals = append(vals, r.Vals[i])
			}
			chs = append(chs, Change{Table: table, ID: r.ID, Op: OpInsert, Keys: ks, Values: vals[n:len(vals):len(vals)]})
			continue
		}
		c := make(Cols, len(cols))
		for i, k := range cols {
			if r.Vals[i] != nil {
				c[k] = r.Vals[i]
			}
		}
		ch := Change{Table: table, ID: r.ID, Op: OpInsert, Cols: c}
		if len(cols) <= 64 {
			ch.Keys, _ = keys.of(mask, cols)
		}
		chs = append(chs, ch)
	}
	return t.recordMany(sh.tb, chs)
}

// PreparedExec is ExecMany's work done ahead of the transaction: each chunk's statement
// and packed arguments (see PreparedInsert).
type PreparedExec struct {
	rows   [][]any
	chunks []insertChunk
}

// PrepareExecMany prepares an ExecMany (see ExecMany).
func PrepareExecMany(prefix, suffix string, width int, rows [][]any) (*PreparedExec, error) {
	p := &PreparedExec{rows: rows}
	per := min(maxVars/width, 500)
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		args, err := flatRows(make([]any, 0, (end-start)*width), prefix, width, rows[start:end])
		if err != nil {
			return nil, err
		}
		p.chunks = append(p.chunks, chunkOf(prefix+" VALUES "+valuesList(width, end-start)+suffix, args, start, end, end-start == per))
	}
	return p, nil
}

// ExecPrepared runs the statements of p, as ExecMany.
func (t *Tx) ExecPrepared(p *PreparedExec) error {
	for _, ch := range p.chunks {
		args := func() []any {
			var a []any
			for _, r := range p.rows[ch.start:ch.end] {
				a = append(a, r...)
			}
			return a
		}
		if _, err := t.execPacked(ch, args); err != nil {
			return err
		}
	}
	return nil
}

// chunkOf makes the chunk of statement q with args, packed when they pack.
func chunkOf(q string, args []any, start, end int, full bool) insertChunk {
	ch := insertChunk{q: q, start: start, end: end, full: full}
	if pk := (&packed{buf: make([]byte, 0, 8*len(args))}); pk.pack(args) == nil {
		ch.pk = pk
	} else {
		ch.args = args
	}
	return ch
}
