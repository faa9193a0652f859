package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func init() { Declare(Table{Name: "raw_probe", Synced: true}) }

// TestScratchBulkValues: bulk inserts run on the connection's own handle (rawConn) — a
// scratch store's, kept for its life, and a normal store's writer, taken per transaction —
// and store every kind of value exactly as database/sql's path does — same types, same
// values, NULL for nil, ” kept apart from NULL — for full and partial chunks, plain inserts
// (InsertMany) and local ones with a conflict clause (ExecMany, ExecChunk, which counts the
// rows it changed); a failing statement reports SQLite's error and leaves the statement
// usable.
func TestScratchBulkValues(t *testing.T) {
	ctx := context.Background()
	cols := []string{"s", "i", "f", "b", "blob"}
	ps, pi := "by pointer é", int64(1)<<40
	values := [][]any{
		{"é ü 漢", int64(-7), 1.5, true, []byte{0, 1, 2}},
		{&ps, &pi, 2.5, false, []byte{7}}, // *string and *int64 box without an allocation
		{"", 0, 0.0, false, []byte{}},
		{nil, int64(1) << 62, -1e300, nil, nil},
		{"x'y\x00z", int32(42), float64(3), true, []byte(nil)},
	}
	var rows []Row
	for i := 0; i < 1203; i++ { // two full chunks of 500 and a partial one
		rows = append(rows, Row{ID: fmt.Sprintf("r%05d", i), Vals: values[i%len(values)]})
	}
	// viaSQL writes the same rows one statement at a time through database/sql (Tx.Exec):
	// the reference.
	load := func(d *DB, viaSQL bool) string {
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
			if viaSQL {
				for _, r := range rows {
					if _, err := tx.Exec("INSERT INTO raw_probe(id, s, i, f, b, blob) VALUES (?, ?, ?, ?, ?, ?)", append([]any{r.ID}, r.Vals...)...); err != nil {
						return err
					}
				}
				for _, l := range append(local, []any{2, "b"}, []any{3, "c"}) {
					res, err := tx.Exec("INSERT INTO raw_local(k, v) VALUES (?, ?) ON CONFLICT(k) DO NOTHING", l...)
					if err != nil {
						return err
					}
					if k := l[0].(int); k >= 2 && l[1] != nil {
						n, _ := res.RowsAffected()
						changed += n
					}
				}
				return nil
			}
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
	if err := d.Write(ctx, func(tx *Tx) error {
		if tx.rawConn() == nil {
			return errors.New("a normal store's transaction has no handle for bulk inserts")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ref, err := Open(filepath.Join(t.TempDir(), FileName), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	want := load(ref, true)
	if got := load(d, false); got != want {
		t.Fatalf("store holds\n%.2000s\nwant\n%.2000s", got, want)
	}
	if got := load(sd, false); got != want {
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

// A bulk statement after database/sql rolled the transaction back (its context ended: the
// rollback runs on another goroutine) stores nothing: on the bare handle it would run, and
// commit, on its own.
func TestBulkAfterRollbackStoresNothing(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), FileName), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.Exec("CREATE TABLE raw_after(k INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = d.Write(ctx, func(tx *Tx) error {
		cancel()
		deadline := time.Now().Add(10 * time.Second)
		for k := 0; time.Now().Before(deadline); k++ {
			if _, err := tx.ExecChunk("INSERT INTO raw_after(k) VALUES (?)", k); err != nil {
				return err
			}
		}
		return errors.New("the transaction stayed open 10 s after its context ended")
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var n int
	if err := d.R.QueryRow("SELECT count(*) FROM raw_after").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows stored after the rollback (%v), want 0", n, err)
	}
}
