package db

import "database/sql"

// QueryPrepared is Query with the statement prepared once per transaction, like Exec's:
// for a multi-row statement with RETURNING (or a look-up) a batch runs many times.
func (t *Tx) QueryPrepared(q string, args ...any) (*sql.Rows, error) {
	st, ok := t.stmts[q]
	if !ok {
		var err error
		if st, err = t.tx.PrepareContext(t.ctx, q); err != nil {
			return nil, err
		}
		if t.stmts == nil {
			t.stmts = map[string]*sql.Stmt{}
		}
		t.stmts[q] = st
	}
	return st.QueryContext(t.ctx, args...)
}
