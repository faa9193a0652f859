package db

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func init() { Declare(Table{Name: "raw_probe", Synced: true}) }

// TestScratchBulkValues: a scratch store runs bulk inserts on its own connection (rawConn)
// and stores every kind of value exactly as database/sql's path does in a normal store —
// same types, same values, NULL for nil, ” kept apart from NULL — for full and partial
// chunks, plain inserts (InsertMany) and local ones with a conflict clause (ExecMany,
// ExecChunk, which counts the rows it changed); a
// failing statement reports SQLite's error and leaves the statement usable.
func TestScratchBulkValues(t *testing.T) {
	ctx := context.Background()
	cols := []string{"s", "i", "f", "b", "blob"}
	values := [][]any{
		{"é ü 漢", int64(-7), 1.5, true, []byte{0, 1, 2}},
		{"", 0, 0.0, false, []byte{}},
		{nil, int64(1) << 62, -1e300, nil, nil},
		{"x'y\x00z", int32(42), float64(3), true, []byte(nil)},
	}
	var rows []Row
	for i := 0; i < 1203; i++ { // two full chunks of 500 and a partial one
		rows = append(rows, Row{ID: fmt.Sprintf("r%05d", i), Vals: values[i%len(values)]})
	}
	load := func(d *DB) string {
		t.Helper()
		for _, q := range []string{
			"CREATE TABLE raw_probe(id TEXT PRIMARY KEY, s TEXT, i INTEGER, f REAL, b INTEGER, blob BLOB)",
			"CREATE TABLE raw_local(k INTEGER PRIMARY KEY, v TEXT)",
		} {
			if _, err := d.W.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		local := [][]any{{1, "a"}, {2, nil}, {1, "dup"}}
		var changed int64
		err := d.Write(ctx, func(tx *Tx) error {
			if err := tx.InsertMany("raw_probe", cols, rows); err != nil {
				return err
			}
			if err := tx.ExecMany("INSERT INTO raw_local(k, v)", " ON CONFLICT(k) DO NOTHING", 2, local); err != nil {
				return err
			}
			var err error
			changed, err = tx.ExecChunk("INSERT INTO raw_local(k, v) VALUES (?, ?), (?, ?) ON CONFLICT(k) DO NOTHING", 2, "b", 3, "c")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if changed != 1 {
			t.Fatalf("ExecChunk changed %d rows, want 1 (one key already there)", changed)
		}
		var b strings.Builder
		for _, q := range []string{
			"SELECT id, typeof(s), quote(s), typeof(i), quote(i), typeof(f), quote(f), typeof(b), quote(b), typeof(blob), quote(blob) FROM raw_probe ORDER BY id",
			"SELECT k, typeof(v), quote(v), '', '', '', '', '', '', '', '' FROM raw_local ORDER BY k",
		} {
			rs, err := d.W.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rs.Next() {
				v := make([]string, 11)
				ptrs := make([]any, len(v))
				for i := range v {
					ptrs[i] = &v[i]
				}
				if err := rs.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				b.WriteString(strings.Join(v, "|") + "\n")
			}
			rs.Close()
		}
		return b.String()
	}

	d, err := Open(filepath.Join(t.TempDir(), FileName), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	side, err := d.CopyToScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := OpenScratch(side, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sd.Close()
	if sd.raw == nil {
		t.Fatal("the scratch store has no connection of its own for bulk inserts")
	}
	if d.raw != nil {
		t.Fatal("a normal store runs bulk inserts outside database/sql")
	}
	want, got := load(d), load(sd)
	if got != want {
		t.Fatalf("scratch store holds\n%.2000s\nwant\n%.2000s", got, want)
	}
	if n := len(sd.raw.stmts); n != 2 {
		t.Fatalf("%d statements kept prepared, want 2 (raw_probe's full chunk and ExecChunk's; partial chunks are finalized)", n)
	}

	// A constraint error names SQLite's reason; the statement then runs again.
	err = sd.Write(ctx, func(tx *Tx) error { return tx.InsertMany("raw_probe", cols, rows[:500]) })
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("duplicate ids: %v", err)
	}
	more := make([]Row, 500)
	for i := range more {
		more[i] = Row{ID: fmt.Sprintf("s%05d", i), Vals: values[i%len(values)]}
	}
	if err := sd.Write(ctx, func(tx *Tx) error { return tx.InsertMany("raw_probe", cols, more) }); err != nil {
		t.Fatal(err)
	}
	// A value of another type goes through database/sql's conversions.
	err = sd.Write(ctx, func(tx *Tx) error {
		return tx.InsertMany("raw_probe", cols, []Row{{ID: "t1", Vals: []any{"x", uint8(3), 1.0, true, nil}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sd.W.QueryRow("SELECT count(*) FROM raw_probe").Scan(&n); err != nil || n != len(rows)+501 {
		t.Fatalf("%d rows (%v), want %d", n, err, len(rows)+501)
	}
}
