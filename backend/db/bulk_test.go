package db_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"magpie/backend/db"
	"magpie/backend/internal/testenv"
)

type countRec struct{ n map[string]int }

func (c *countRec) Record(_ *db.Tx, ch db.Change) error {
	c.n[ch.Table]++
	return nil
}

func init() {
	db.Declare(db.Table{Name: "bulk_probe", Synced: true, Derive: func(c db.Cols) {
		if v, ok := c["name"]; ok {
			if s, _ := v.(string); s != "" {
				c["name_key"] = "k:" + s
			} else {
				c["name_key"] = nil
			}
		}
	}})
}

// openProbe opens a fresh store with the table bulk_probe(id, name, n, name_key); it is
// closed when the test ends.
func openProbe(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(t.TempDir()+"/x.db", db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.W.Exec("CREATE TABLE bulk_probe(id TEXT PRIMARY KEY, name TEXT, n INTEGER, name_key TEXT)"); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestInsertMany stores and records rows with InsertMany, and with PrepareInsert then
// InsertPrepared (a bulk load's rows prepared on another goroutine), in chunks whose values
// all pack (magpie_exec_packed) and in chunks with one that does not (database/sql's path).
func TestInsertMany(t *testing.T) {
	d := openProbe(t)
	ctx := context.Background()
	rec := &countRec{n: map[string]int{}}
	d.SetRecorder(rec)
	ways := map[string]func(tx *db.Tx, cols []string, rows []db.Row) error{
		"InsertMany": func(tx *db.Tx, cols []string, rows []db.Row) error { return tx.InsertMany("bulk_probe", cols, rows) },
		"InsertPrepared": func(tx *db.Tx, cols []string, rows []db.Row) error {
			p, err := db.PrepareInsert("bulk_probe", cols, rows)
			if err != nil {
				return err
			}
			return tx.InsertPrepared(p)
		},
	}
	for way, insert := range ways {
		for _, n := range []int{0, 1, 499, 1234} {
			for _, unpackable := range []bool{false, true} {
				if _, err := d.W.Exec("DELETE FROM bulk_probe"); err != nil {
					t.Fatal(err)
				}
				rec.n = map[string]int{}
				rows := make([]db.Row, n)
				for i := range rows {
					var name any = "n" + string(rune('a'+i%26))
					if i%7 == 0 {
						name = nil
					}
					var v any = i
					if unpackable && i%500 == 3 {
						v = int16(i) // database/sql converts it
					}
					rows[i] = db.Row{ID: string(rune('A'+i%26)) + "-" + itoa(i), Vals: []any{name, v}}
				}
				if err := d.Write(ctx, func(tx *db.Tx) error { return insert(tx, []string{"name", "n"}, rows) }); err != nil {
					t.Fatalf("%s, %d rows: %v", way, n, err)
				}
				var got, keyed, sum int
				if err := d.R.QueryRow("SELECT count(*), count(name_key), coalesce(sum(n), 0) FROM bulk_probe").Scan(&got, &keyed, &sum); err != nil {
					t.Fatal(err)
				}
				wantKeyed := n - (n+6)/7
				if got != n || keyed != wantKeyed || sum != n*(n-1)/2 || rec.n["bulk_probe"] != n {
					t.Fatalf("%s, %d rows: stored %d, derived %d (want %d), sum %d, recorded %d", way, n, got, keyed, wantKeyed, sum, rec.n["bulk_probe"])
				}
			}
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			return insert(tx, []string{"name", "n"}, []db.Row{{ID: "bad", Vals: []any{"x"}}})
		})
		if err == nil {
			t.Fatalf("%s: a short row was accepted", way)
		}
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// A bulk load killed before restoring its indexes gets them back on the next open.
func TestDeferIndexesSurvivesCrash(t *testing.T) {
	path := t.TempDir() + "/x.db"
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	count := func(d *db.DB) int {
		var n int
		if err := d.R.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count(d)
	if _, err := d.DeferIndexes(context.Background(), []string{"contacts"}, []string{"contacts_email"}); err != nil {
		t.Fatal(err)
	}
	// Kept: the one named, and the trash's (partial on deleted = 1: a load of live rows
	// puts nothing in them, and their rebuild would scan the table).
	var left string
	if err := d.R.QueryRow(`SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master
		WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL ORDER BY name)`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != "contacts_deleted,contacts_email,contacts_trash_sort" {
		t.Fatalf("contact indexes left while deferred: %s, want the email and the trash's", left)
	}
	d.Close() // "crash": no restore
	d, err = db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := count(d); got != before {
		t.Fatalf("%d contact indexes after reopening, want %d", got, before)
	}
}

// While the process that deferred the indexes lives (an import in the CLI), another process
// opening the store leaves them deferred; once it is gone, the next open rebuilds them.
func TestDeferIndexesOtherProcess(t *testing.T) {
	path := t.TempDir() + "/x.db"
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.DeferIndexes(context.Background(), []string{"contacts"}, nil); err != nil {
		t.Fatal(err)
	}
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Skip("no sleep binary")
	}
	v, _ := d.Meta(context.Background(), "bulk.deferred_indexes")
	v = strings.Replace(v, `"pid":`+strconv.Itoa(os.Getpid()), `"pid":`+strconv.Itoa(child.Process.Pid), 1)
	if err := d.SetMeta(context.Background(), "bulk.deferred_indexes", v); err != nil {
		t.Fatal(err)
	}
	d.Close()
	count := func() int {
		d, err := db.Open(path, db.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var n int // the trash's indexes are never deferred
		d.R.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL AND sql NOT LIKE '%WHERE deleted = 1'").Scan(&n)
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("%d indexes rebuilt while the loading process lives", n)
	}
	child.Process.Kill()
	child.Wait()
	if n := count(); n == 0 {
		t.Fatal("indexes not rebuilt after the loading process died")
	}
}

// The rebuild sorts with temp files (temp_store = FILE) and leaves the writer connection as
// it found it (MEMORY), with every index back.
func TestRestoreIndexesPutsTempStoreBack(t *testing.T) {
	d, err := db.Open(t.TempDir()+"/x.db", db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	restore, err := d.DeferIndexes(ctx, []string{"contacts"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := restore(ctx); err != nil {
		t.Fatal(err)
	}
	var ts int
	if err := d.W.QueryRow("PRAGMA temp_store").Scan(&ts); err != nil {
		t.Fatal(err)
	}
	if ts != 2 {
		t.Fatalf("temp_store = %d after the rebuild, want 2 (MEMORY)", ts)
	}
	var left string
	d.R.QueryRow("SELECT v FROM meta WHERE k = 'bulk.deferred_indexes'").Scan(&left)
	if left != "" {
		t.Fatalf("deferred indexes left: %s", left)
	}
}

func TestBulkCache(t *testing.T) {
	d, _ := testenv.NewDB(t)
	ctx := context.Background()
	size := func() int {
		t.Helper()
		var n int
		if err := d.W.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	normal, big := -db.WriterCacheMiB<<10, -db.BulkCacheMiB<<10
	var r1, r2 func()
	type step struct {
		name string
		do   func()
		want int
	}
	for _, st := range []step{
		{"at open", func() {}, normal},
		{"first holder", func() { r1 = d.BulkCache(ctx) }, big},
		{"second holder", func() { r2 = d.BulkCache(ctx) }, big},
		{"first releases twice", func() { r1(); r1() }, big},
		{"last releases", func() { r2() }, normal},
	} {
		st.do()
		if got := size(); got != st.want {
			t.Fatalf("%s: cache_size = %d, want %d", st.name, got, st.want)
		}
	}
}

// Both rebuilds (one transaction, one per index) recreate every deferred index, clear
// the deferred list and leave the writer's page cache and temp store as they were.
func TestRestoreIndexesEach(t *testing.T) {
	for _, tc := range []struct {
		name    string
		restore func(*db.DB, context.Context) error
	}{
		{"one transaction", func(d *db.DB, ctx context.Context) error { return d.RestoreIndexes(ctx) }},
		{"one per index", func(d *db.DB, ctx context.Context) error { return d.RestoreIndexesEach(ctx, 0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := t.TempDir() + "/x.db"
			d, err := db.Open(path, db.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			count := func() int {
				var n int
				if err := d.R.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('contacts', 'events') AND sql IS NOT NULL").Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := count()
			if _, err := d.DeferIndexes(ctx, []string{"contacts", "events"}, nil); err != nil {
				t.Fatal(err)
			}
			if count() >= before-2 {
				t.Fatalf("%d indexes left while deferred (of %d)", count(), before)
			}
			if err := tc.restore(d, ctx); err != nil {
				t.Fatal(err)
			}
			var left int
			if err := d.R.QueryRow("SELECT count(*) FROM meta WHERE k = 'bulk.deferred_indexes'").Scan(&left); err != nil {
				t.Fatal(err)
			}
			if got := count(); got != before || left != 0 {
				t.Fatalf("%d indexes after the rebuild, want %d; deferred list left: %d", got, before, left)
			}
			// The rebuild's small sort cache and temp files are the rebuild's only.
			var cache, temp int
			if err := d.W.QueryRow("PRAGMA cache_size").Scan(&cache); err != nil {
				t.Fatal(err)
			}
			if err := d.W.QueryRow("PRAGMA temp_store").Scan(&temp); err != nil {
				t.Fatal(err)
			}
			if cache != -db.WriterCacheMiB<<10 || temp != 2 {
				t.Fatalf("after the rebuild: cache_size %d, temp_store %d; want %d, 2 (MEMORY)", cache, temp, -db.WriterCacheMiB<<10)
			}
		})
	}
}

// RestoreIndex builds the one deferred index named, takes it off the deferred list and
// leaves the others deferred (RestoreIndexes then builds them); a name not deferred is a
// no-op.
func TestRestoreIndex(t *testing.T) {
	d, err := db.Open(t.TempDir()+"/x.db", db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	indexes := func() string {
		t.Helper()
		var s string
		if err := d.R.QueryRow(`SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master
			WHERE type = 'index' AND tbl_name = 'contacts' AND name IN ('contacts_email', 'contacts_city', 'contacts_deleted') ORDER BY name)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	deferred := func() string {
		t.Helper()
		var v string
		d.R.QueryRow("SELECT v FROM meta WHERE k = 'bulk.deferred_indexes'").Scan(&v)
		return v
	}
	restore, err := d.DeferIndexes(ctx, []string{"contacts"}, []string{"contacts_deleted"})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		do          func() error
		want        string
		emailListed bool
	}{
		{func() error { return nil }, "contacts_deleted", true},
		{func() error { return d.RestoreIndex(ctx, "contacts_nothing") }, "contacts_deleted", true},
		{func() error { return d.RestoreIndex(ctx, "contacts_email") }, "contacts_deleted,contacts_email", false},
		{func() error { return d.RestoreIndex(ctx, "contacts_email") }, "contacts_deleted,contacts_email", false},
		{func() error { return restore(ctx) }, "contacts_city,contacts_deleted,contacts_email", false},
	} {
		if err := st.do(); err != nil {
			t.Fatal(err)
		}
		if got := indexes(); got != st.want {
			t.Fatalf("indexes %s, want %s", got, st.want)
		}
		if listed := strings.Contains(deferred(), "contacts_email "); listed != st.emailListed {
			t.Fatalf("contacts_email deferred = %v, want %v: %s", listed, st.emailListed, deferred())
		}
	}
	if left := deferred(); left != "" {
		t.Fatalf("deferred indexes left: %s", left)
	}
}
