package teamsync

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"magpie/backend/clock"
	"magpie/backend/db"
	"magpie/backend/internal/testenv"
	"magpie/backend/rqlite"
	"magpie/backend/rqlite/rqlitetest"
)

// items is the synced table of these tests: literal defaults, a tombstone, a derived local
// column, as the rule for synced tables asks.
const itemsDDL = `CREATE TABLE IF NOT EXISTS items(
	id TEXT PRIMARY KEY,
	title TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	n INTEGER NOT NULL DEFAULT 0,
	title_key TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	deleted_at INTEGER)`

var itemCols = []string{"title", "body", "n"}

func init() {
	db.Declare(db.Table{Name: "items", Synced: true, Local: []string{"title_key"}, Derive: func(c db.Cols) {
		if t, ok := c["title"].(string); ok {
			c["title_key"] = strings.ToLower(t)
		}
	}})
}

// tb is what the helpers need: *testing.T, or a rapid.T wrapped with a temp dir.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
	Fatal(args ...any)
	Cleanup(func())
	TempDir() string
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type replica struct {
	name string
	d    *db.DB
	clk  *clock.Fake
	e    *Engine
	dir  string
}

func newReplica(t tb, name string, c Client, offset time.Duration, opt Options) *replica {
	t.Helper()
	dir := t.TempDir()
	return openReplica(t, name, dir, c, offset, opt)
}

// template is a migrated store with the items table, copied for every new replica
// (migrating each one costs ~50 ms; the property test makes hundreds).
var template string

func TestMain(m *testing.M) {
	// Hundreds of small stores: keep them in memory-backed /dev/shm when there is one, so
	// the suite measures sync, not the disk's fsync latency.
	benching := false
	for _, a := range os.Args {
		benching = benching || strings.HasPrefix(a, "-test.bench")
	}
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() && os.Getenv("TMPDIR") == "" && !benching {
		if f, err := os.CreateTemp("/dev/shm", "probe"); err == nil {
			f.Close()
			os.Remove(f.Name())
			os.Setenv("TMPDIR", "/dev/shm")
		}
	}
	dir, err := os.MkdirTemp("", "teamsync-template")
	if err != nil {
		panic(err)
	}
	d, err := db.OpenDir(dir, db.Options{})
	if err != nil {
		panic(err)
	}
	if _, err := d.W.Exec(itemsDDL); err != nil {
		panic(err)
	}
	if _, err := d.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		panic(err)
	}
	d.Close()
	template = filepath.Join(dir, db.FileName)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func openReplica(t tb, name, dir string, c Client, offset time.Duration, opt Options) *replica {
	t.Helper()
	clk := clock.NewFake(testenv.Epoch.Add(offset))
	if _, err := os.Stat(filepath.Join(dir, db.FileName)); os.IsNotExist(err) {
		b, err := os.ReadFile(template)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, db.FileName), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d, err := db.OpenDir(dir, db.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if opt.Log == nil {
		opt.Log = quiet
	}
	if opt.PageSize == 0 {
		opt.PageSize = 50
	}
	e, err := Open(context.Background(), d, opt)
	if err != nil {
		t.Fatal(err)
	}
	if c != nil {
		e.SetClient(c)
	}
	return &replica{name: name, d: d, clk: clk, e: e, dir: dir}
}

func newClient(t tb, urls ...string) *rqlite.Client {
	t.Helper()
	c, err := rqlite.New(rqlite.Config{URLs: urls, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newServer(t tb) *rqlitetest.Server {
	srv := rqlitetest.New(t, rqlitetest.Options{})
	srv.SetClock(func() time.Time { return testenv.Epoch })
	return srv
}

func (r *replica) write(t tb, fn func(tx *db.Tx) error) {
	t.Helper()
	if err := r.d.Write(context.Background(), fn); err != nil {
		t.Fatalf("%s: write: %v", r.name, err)
	}
}

func (r *replica) insert(t tb, id string, cols db.Cols) {
	r.write(t, func(tx *db.Tx) error { return tx.Insert("items", id, cols) })
}

func (r *replica) update(t tb, id string, cols db.Cols) {
	r.write(t, func(tx *db.Tx) error {
		ok, err := tx.Update("items", id, cols)
		if err == nil && !ok {
			return fmt.Errorf("no row %s", id)
		}
		return err
	})
}

func (r *replica) del(t tb, id string, restore bool) {
	r.write(t, func(tx *db.Tx) error {
		var err error
		if restore {
			_, err = tx.Restore("items", id)
		} else {
			_, err = tx.Delete("items", id)
		}
		return err
	})
}

func (r *replica) sync(t tb) {
	t.Helper()
	if err := r.e.SyncOnce(context.Background()); err != nil {
		t.Fatalf("%s: sync: %v", r.name, err)
	}
}

// dump is the replica's items (all columns but the local ones, tombstoned rows included)
// and its clocks, as sorted text, for equality checks.
func dump(t tb, q interface {
	Query(string, ...any) (*sql.Rows, error)
}) string {
	t.Helper()
	var b strings.Builder
	rows, err := q.Query(`SELECT id, title, body, n, deleted, coalesce(deleted_at, -1) FROM items ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, title, body string
		var n, del, dat int64
		if err := rows.Scan(&id, &title, &body, &n, &del, &dat); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s|%s|%s|%d|%d|%d\n", id, title, body, n, del, dat)
	}
	return b.String()
}

func (r *replica) dump(t tb) string { return dump(t, r.d.R) }

func (r *replica) clocks(t tb) string {
	rows, err := r.d.R.Query(`SELECT tbl, row_id, col, hlc, site FROM sync_cell ORDER BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, b, c, s string
		var h int64
		rows.Scan(&a, &b, &c, &h, &s)
		out = append(out, fmt.Sprintf("%s.%s.%s=%d/%s", a, b, c, h, s))
	}
	return strings.Join(out, "\n")
}

// serverState renders the cluster's state table like dump.
func serverState(t tb, srv *rqlitetest.Server) string {
	rows, err := srv.DB().Query(`SELECT row_id, col, val FROM state WHERE tbl = 'items' ORDER BY row_id, col`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]map[string]any{}
	var order []string
	for rows.Next() {
		var id, col, val string
		rows.Scan(&id, &col, &val)
		v, _ := decodeOne([]byte(val))
		if m[id] == nil {
			m[id] = map[string]any{"title": "", "body": "", "n": int64(0), "deleted": int64(0), "deleted_at": int64(-1)}
			order = append(order, id)
		}
		if v == nil && col == "deleted_at" {
			v = int64(-1)
		}
		m[id][col] = v
	}
	sort.Strings(order)
	var b strings.Builder
	for _, id := range order {
		r := m[id]
		fmt.Fprintf(&b, "%s|%v|%v|%v|%v|%v\n", id, r["title"], r["body"], r["n"], r["deleted"], r["deleted_at"])
	}
	return b.String()
}

func (r *replica) outboxCount(t tb) int {
	var n int
	if err := r.d.R.QueryRow(`SELECT count(*) FROM sync_outbox WHERE state = 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
