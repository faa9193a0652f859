package teamsync

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/rqlite/rqlitetest"
)

// pendingChanges lists what the next pushes would send, "tbl|row|cols" sorted: ordinary
// outbox rows as stored, batch entries as the push expands them.
func pendingChanges(t *testing.T, r *replica) string {
	t.Helper()
	var out []string
	rs, err := r.d.R.Query(`SELECT tbl, row_id, cols FROM sync_outbox WHERE state = 0`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var a, b, c string
		rs.Scan(&a, &b, &c)
		out = append(out, a+"|"+b+"|"+c)
	}
	rs.Close()
	entries, err := r.e.pendingBatches(context.Background(), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := r.e.expandBatches(context.Background(), entries)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range exp {
		out = append(out, o.tbl+"|"+o.row+"|"+o.cols)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func batchRows(n int) []db.Row {
	rows := make([]db.Row, n)
	for i := range rows {
		rows[i] = db.Row{ID: fmt.Sprintf("b%03d", i), Vals: []any{fmt.Sprintf("Zoé %d", i), "", int64(i)}}
	}
	return rows
}

func (r *replica) batchCount(t *testing.T) int {
	var n int
	if err := r.d.R.QueryRow(`SELECT count(*) FROM sync_outbox_batch`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A bulk insert is queued as batch entries and reaches a teammate through the push like
// rows inserted one by one: same rows, same clocks, one change_log row per row.
func TestBatchEntriesPushAndConverge(t *testing.T) {
	tests := []struct {
		name  string
		rows  int
		push  int // Options.PushBatch
		edit  func(t *testing.T, a *replica)
		check func(t *testing.T, a *replica)
	}{
		{name: "plain", rows: 25, push: 10},
		{name: "one entry, several pushes", rows: 7, push: 3},
		{name: "edited before push", rows: 12, push: 5, edit: func(t *testing.T, a *replica) {
			a.update(t, "b003", db.Cols{"title": "edited", "n": int64(99)})
			a.update(t, "b004", db.Cols{"body": "new body"})
		}, check: func(t *testing.T, a *replica) {
			var title string
			a.d.R.QueryRow(`SELECT title FROM items WHERE id = 'b003'`).Scan(&title)
			if title != "edited" {
				t.Fatalf("title %q", title)
			}
		}},
		{name: "deleted before push", rows: 12, push: 500, edit: func(t *testing.T, a *replica) {
			a.del(t, "b005", false)
			a.del(t, "b006", false)
			a.del(t, "b006", true)
		}},
		{name: "edited to an older value", rows: 3, push: 500, edit: func(t *testing.T, a *replica) {
			a.update(t, "b001", db.Cols{"title": "x"})
			a.update(t, "b001", db.Cols{"title": "Zoé 1"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			c := newClient(t, srv.URL())
			a := newReplica(t, "a", c, 0, Options{PushBatch: tc.push})
			b := newReplica(t, "b", c, 0, Options{})
			a.write(t, func(tx *db.Tx) error { return tx.InsertMany("items", itemCols, batchRows(tc.rows)) })
			if a.outboxCount(t) != 0 || a.batchCount(t) == 0 {
				t.Fatalf("outbox rows %d, batch entries %d", a.outboxCount(t), a.batchCount(t))
			}
			if got := a.e.Status().Pending; got != tc.rows {
				t.Fatalf("pending %d, want %d", got, tc.rows)
			}
			if tc.edit != nil {
				tc.edit(t, a)
			}
			a.sync(t)
			b.sync(t)
			if a.outboxCount(t) != 0 || a.batchCount(t) != 0 {
				t.Fatalf("left after push: %d outbox rows, %d batch entries", a.outboxCount(t), a.batchCount(t))
			}
			if a.dump(t) != b.dump(t) || a.clocks(t) == "" || strings.ReplaceAll(a.clocks(t), a.e.Site(), "A") != strings.ReplaceAll(b.clocks(t), a.e.Site(), "A") {
				t.Fatalf("not converged\na %s\nb %s\naclocks %s\nbclocks %s", a.dump(t), b.dump(t), a.clocks(t), b.clocks(t))
			}
			if serverState(t, srv) != a.dump(t) {
				t.Fatalf("server state\n%s\nwant\n%s", serverState(t, srv), a.dump(t))
			}
			var inserts int
			srv.DB().QueryRow(`SELECT count(DISTINCT row_id) FROM change_log WHERE cols LIKE '%"title"%' AND cols LIKE '%"n"%'`).Scan(&inserts)
			if inserts < tc.rows-2 {
				t.Fatalf("change_log has %d row inserts, want ~%d", inserts, tc.rows)
			}
			if tc.check != nil {
				tc.check(t, a)
			}
			if got := a.e.Status().Pending; got != 0 {
				t.Fatalf("pending %d after push", got)
			}
		})
	}
}

// An edit before the push leaves the batch row's other columns with the insert's clock and
// sends the edited ones once, with the edit's clock.
func TestBatchExpansionSkipsEditedCells(t *testing.T) {
	a := newReplica(t, "a", nil, 0, Options{})
	a.write(t, func(tx *db.Tx) error { return tx.InsertMany("items", itemCols, batchRows(3)) })
	a.update(t, "b001", db.Cols{"title": "edited"})
	got := pendingChanges(t, a)
	want := strings.Join([]string{
		`items|b000|{"body":"","n":0,"title":"Zoé 0"}`,
		`items|b001|{"body":"","n":1}`,
		`items|b001|{"title":"edited"}`,
		`items|b002|{"body":"","n":2,"title":"Zoé 2"}`,
	}, "\n")
	if got != want {
		t.Fatalf("pending:\n%s\nwant:\n%s", got, want)
	}
}

// A crash after the cluster acknowledged a push but before the batch entries were cleared
// resends the same change ids: the change_log keeps each once.
func TestBatchCrashAfterSend(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{PushBatch: 4})
	a.write(t, func(tx *db.Tx) error { return tx.InsertMany("items", itemCols, batchRows(10)) })
	a.e.afterSend = func() error { return errCrash }
	for k := 0; k < 3; k++ {
		if err := a.e.SyncOnce(context.Background()); err == nil {
			t.Fatal("no simulated crash")
		}
	}
	if a.batchCount(t) == 0 {
		t.Fatal("batch entries cleared although the push 'crashed'")
	}
	// A real restart: the engine is opened again on the same file.
	a.e.afterSend = nil
	a = reopen(t, a, c)
	a.sync(t)
	var rows, distinct int
	srv.DB().QueryRow(`SELECT count(*), count(DISTINCT change_id) FROM change_log`).Scan(&rows, &distinct)
	if rows != 10 || distinct != 10 {
		t.Fatalf("change_log has %d rows (%d distinct), want 10", rows, distinct)
	}
	b := newReplica(t, "b", c, 0, Options{})
	b.sync(t)
	if a.dump(t) != b.dump(t) || a.batchCount(t) != 0 {
		t.Fatalf("not converged\na %s\nb %s", a.dump(t), b.dump(t))
	}
}

// A row the cluster refuses is rejected alone: the other rows of its batch entry are pushed,
// it stays in the outbox as rejected, and goes through once retried.
func TestBatchRowRejectedAlone(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	a.sync(t) // the cluster's schema exists
	if _, err := srv.DB().Exec(`CREATE TRIGGER refuse BEFORE INSERT ON state WHEN NEW.row_id = 'b002'
		BEGIN SELECT RAISE(ABORT, 'refused by test'); END`); err != nil {
		t.Fatal(err)
	}
	a.write(t, func(tx *db.Tx) error { return tx.InsertMany("items", itemCols, batchRows(5)) })
	for k := 0; k < 3; k++ {
		a.e.SyncOnce(context.Background())
	}
	st := a.e.Status()
	if st.Rejected != 1 || st.Pending != 0 || a.batchCount(t) != 0 {
		t.Fatalf("status %+v, batch entries %d", st, a.batchCount(t))
	}
	var id, msg string
	a.d.R.QueryRow(`SELECT row_id, error FROM sync_outbox WHERE state = 2`).Scan(&id, &msg)
	if id != "b002" || !strings.Contains(msg, "refused by test") {
		t.Fatalf("rejected %q: %q", id, msg)
	}
	if s := serverState(t, srv); strings.Contains(s, "b002") || !strings.Contains(s, "b004") {
		t.Fatalf("server state:\n%s", s)
	}
	srv.DB().Exec(`DROP TRIGGER refuse`)
	if _, err := a.e.RetryRejected(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	if serverState(t, srv) != a.dump(t) {
		t.Fatalf("server state\n%s\nwant\n%s", serverState(t, srv), a.dump(t))
	}
}

// A bootstrap with batch entries still pending does not queue their cells again (they go
// with the entries), and everything converges.
func TestBatchPendingAcrossRestore(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	a.insert(t, "r0", db.Cols{"title": "first"})
	a.sync(t)
	backup := srv.Snapshot()
	a.insert(t, "r1", db.Cols{"title": "lost in the restore"})
	a.sync(t)
	srv.Restore(backup)
	if _, err := NewEpoch(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	a.write(t, func(tx *db.Tx) error { return tx.InsertMany("items", itemCols, batchRows(20)) })
	if err := a.e.Bootstrap(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if n := a.outboxCount(t); n != 1 { // r1 only
		t.Fatalf("bootstrap queued %d changes, want 1 (r1); the batch rows are pending already", n)
	}
	a.sync(t)
	b := newReplica(t, "b", c, 0, Options{})
	b.sync(t)
	if a.dump(t) != b.dump(t) || !strings.Contains(b.dump(t), "b019") || !strings.Contains(b.dump(t), "r1|") {
		t.Fatalf("not converged\na %s\nb %s", a.dump(t), b.dump(t))
	}
}

// reopen closes a replica's store and opens it again (a restart).
func reopen(t *testing.T, r *replica, c Client) *replica {
	t.Helper()
	r.d.Close()
	return openReplica(t, r.name, r.dir, c, 0, Options{})
}

// BenchmarkPushBatchEntry500: one push of a 500-row bulk insert (one batch entry expanded
// at push time) to the stand-in; compare with BenchmarkPush500 (500 ordinary outbox rows).
func BenchmarkPushBatchEntry500(b *testing.B) {
	srv := rqlitetest.New(b, rqlitetest.Options{})
	c := newClient(b, srv.URL())
	r := newReplica(b, "a", c, 0, Options{PushBatch: 500})
	r.sync(b)
	ep, _ := r.d.Meta(context.Background(), keyEpoch)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		rows := make([]db.Row, 500)
		for k := range rows {
			c := contactCols(k)
			rows[k] = db.Row{ID: fmt.Sprintf("r%d-%d", i, k), Vals: []any{c["title"], c["body"], c["n"]}}
		}
		r.write(b, func(tx *db.Tx) error { return tx.InsertMany("items", itemCols, rows) })
		b.StartTimer()
		s := time.Now()
		n, err := r.e.pushBatch(context.Background(), c, ep)
		lat = append(lat, time.Since(s))
		if err != nil || n != 500 {
			b.Fatalf("pushed %d: %v", n, err)
		}
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

// Bulk writes (db.Tx.Bulk) in a row — a big import's 25k-row groups — are recounted off the
// commit hook one at a time; a commit that lands while a recount runs gets another one, so
// the pending count ends at the outbox's whole.
func TestPendingAfterBulkWritesInARow(t *testing.T) {
	srv := newServer(t)
	a := newReplica(t, "a", newClient(t, srv.URL()), 0, Options{})
	a.e.recounted = func() { time.Sleep(30 * time.Millisecond) } // commits land meanwhile
	const writes, per = 20, 30
	for w := 0; w < writes; w++ {
		time.Sleep(5 * time.Millisecond)
		rows := batchRows(per)
		for i := range rows {
			rows[i].ID = fmt.Sprintf("w%02d-%s", w, rows[i].ID)
		}
		a.write(t, func(tx *db.Tx) error {
			tx.Bulk()
			return tx.InsertMany("items", itemCols, rows)
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for a.e.Status().Pending != writes*per && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := a.e.Status().Pending; got != writes*per {
		t.Fatalf("pending %d after %d bulk writes of %d rows, want %d", got, writes, per, writes*per)
	}
}
