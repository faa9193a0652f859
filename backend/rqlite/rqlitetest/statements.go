package rqlitetest

// Request decoding and statement execution, as rqlite does them.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type stmt struct {
	sql  string
	args []any
}

func parseBody(r *http.Request) ([]stmt, error) {
	var raw []json.RawMessage
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("invalid request body: %v", err)
	}
	out := make([]stmt, 0, len(raw))
	for _, one := range raw {
		var plain string
		if json.Unmarshal(one, &plain) == nil {
			out = append(out, stmt{sql: plain})
			continue
		}
		var arr []any
		d := json.NewDecoder(bytes.NewReader(one))
		d.UseNumber()
		if err := d.Decode(&arr); err != nil || len(arr) == 0 {
			return nil, fmt.Errorf("invalid statement %s", one)
		}
		q, ok := arr[0].(string)
		if !ok {
			return nil, fmt.Errorf("invalid statement %s", one)
		}
		st := stmt{sql: q}
		for _, a := range arr[1:] {
			st.args = append(st.args, sqlArg(a))
		}
		out = append(out, st)
	}
	return out, nil
}

func sqlArg(a any) any {
	switch v := a.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(string(v), 64)
		return f
	case []any: // a blob as a byte array
		b := make([]byte, len(v))
		for i, x := range v {
			n, _ := strconv.Atoi(fmt.Sprint(x))
			b[i] = byte(n)
		}
		return b
	}
	return a
}

func readOnly(q string) bool {
	f := strings.ToUpper(strings.Fields(strings.TrimSpace(q) + " x")[0])
	return f == "SELECT" || f == "WITH" || f == "EXPLAIN" || f == "VALUES" || (f == "PRAGMA" && !strings.Contains(q, "="))
}

// run executes statements the way rqlite does: with tx, all in one transaction stopping at
// the first error (then nothing is applied); without, each on its own.
func run(ctx context.Context, d *sql.DB, stmts []stmt, tx, unified bool) ([]map[string]any, bool) {
	conn, err := d.Conn(ctx)
	if err != nil {
		return []map[string]any{{"error": err.Error()}}, false
	}
	defer conn.Close()
	results := make([]map[string]any, 0, len(stmts))
	if tx {
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			return []map[string]any{{"error": err.Error()}}, false
		}
	}
	failed := false
	for _, st := range stmts {
		if unified && readOnly(st.sql) {
			results = append(results, queryConn(ctx, conn, st))
			continue
		}
		start := time.Now()
		res, err := conn.ExecContext(ctx, st.sql, st.args...)
		if err != nil {
			results = append(results, map[string]any{"error": err.Error()})
			if tx {
				failed = true
				break
			}
			continue
		}
		id, _ := res.LastInsertId()
		n, _ := res.RowsAffected()
		results = append(results, map[string]any{"last_insert_id": id, "rows_affected": n,
			"time": time.Since(start).Seconds()})
	}
	if tx {
		if failed {
			conn.ExecContext(ctx, "ROLLBACK")
			return results, false
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			conn.ExecContext(ctx, "ROLLBACK")
			return []map[string]any{{"error": err.Error()}}, false
		}
	}
	return results, true
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func queryOne(ctx context.Context, d *sql.DB, st stmt) map[string]any {
	return queryConn(ctx, d, st)
}

func queryConn(ctx context.Context, d querier, st stmt) map[string]any {
	rows, err := d.QueryContext(ctx, st.sql, st.args...)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	cts, _ := rows.ColumnTypes()
	types := make([]string, len(cts))
	for i, ct := range cts {
		types[i] = strings.ToLower(ct.DatabaseTypeName())
	}
	values := [][]any{}
	for rows.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return map[string]any{"error": err.Error()}
		}
		for i, v := range row {
			if b, ok := v.([]byte); ok && types[i] != "blob" {
				row[i] = string(b)
			}
		}
		values = append(values, row)
	}
	if err := rows.Err(); err != nil {
		return map[string]any{"error": err.Error()}
	}
	out := map[string]any{"columns": cols, "types": types}
	if len(values) > 0 {
		out["values"] = values
	}
	return out
}
