package teamsync

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"magpie/backend/db"
	"magpie/backend/rqlite"
	"magpie/backend/rqlite/rqlitetest"
)

func TestLocalEditWritesClocksAndOutboxTogether(t *testing.T) {
	a := newReplica(t, "a", nil, 0, Options{})
	a.insert(t, "r1", db.Cols{"title": "Hello", "n": 3})
	if n := a.outboxCount(t); n != 1 {
		t.Fatalf("outbox = %d, want 1", n)
	}
	if got := a.clocks(t); got == "" || !contains(got, "items.r1.title=") || contains(got, "title_key") {
		t.Fatalf("clocks = %q (want title and n, never the local title_key)", got)
	}
	// A failed transaction leaves neither the row nor the change.
	err := a.d.Write(context.Background(), func(tx *db.Tx) error {
		if _, err := tx.Update("items", "r1", db.Cols{"title": "X"}); err != nil {
			return err
		}
		return errors.New("boom")
	})
	if err == nil || a.outboxCount(t) != 1 {
		t.Fatalf("rolled back edit left an outbox row (err %v, outbox %d)", err, a.outboxCount(t))
	}
}

// Two desktops edit the same row offline, different fields: both edits survive; the
// same field: the later HLC wins everywhere.
func TestOfflineEditsMergePerField(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	b := newReplica(t, "b", c, 0, Options{})
	a.insert(t, "r1", db.Cols{"title": "Acme", "body": "v0", "n": 1})
	a.sync(t)
	b.sync(t)
	if got := b.dump(t); got != a.dump(t) {
		t.Fatalf("b = %q, a = %q", got, a.dump(t))
	}
	// Offline: a edits title, b edits body; both edit n, b later.
	a.update(t, "r1", db.Cols{"title": "Acme Corp", "n": 2})
	b.clk.Advance(time.Second)
	b.update(t, "r1", db.Cols{"body": "v1", "n": 3})
	a.sync(t)
	b.sync(t)
	a.sync(t)
	want := "r1|Acme Corp|v1|3|0|-1\n"
	for _, r := range []*replica{a, b} {
		if got := r.dump(t); got != want {
			t.Errorf("%s = %q, want %q", r.name, got, want)
		}
	}
	if got := serverState(t, srv); got != want {
		t.Errorf("server = %q, want %q", got, want)
	}
	if a.clocks(t) != b.clocks(t) {
		t.Errorf("clocks differ:\n%s\n--\n%s", a.clocks(t), b.clocks(t))
	}
	var title string
	a.d.R.QueryRow(`SELECT title_key FROM items WHERE id = 'r1'`).Scan(&title)
	b.d.R.QueryRow(`SELECT title_key FROM items WHERE id = 'r1'`).Scan(&title)
	if title != "acme corp" {
		t.Errorf("derived column on b = %q: Derive must run on remote changes", title)
	}
}

// A delete concurrent with an update: the row stays deleted, the edit is kept under it,
// and an explicit later undelete brings it back with the merged values.
func TestDeleteVersusUpdate(t *testing.T) {
	for _, order := range []string{"delete-first", "update-first"} {
		t.Run(order, func(t *testing.T) {
			srv := newServer(t)
			c := newClient(t, srv.URL())
			a := newReplica(t, "a", c, 0, Options{})
			b := newReplica(t, "b", c, 0, Options{})
			a.insert(t, "r1", db.Cols{"title": "T", "body": "B"})
			a.sync(t)
			b.sync(t)
			if order == "delete-first" {
				a.del(t, "r1", false)
				b.clk.Advance(time.Hour) // the update is even later in wall time
				b.update(t, "r1", db.Cols{"body": "edited"})
			} else {
				b.update(t, "r1", db.Cols{"body": "edited"})
				a.clk.Advance(time.Hour)
				a.del(t, "r1", false)
			}
			first, second := a, b
			if order == "update-first" {
				first, second = b, a
			}
			first.sync(t)
			second.sync(t)
			first.sync(t)
			for _, r := range []*replica{a, b} {
				var del int
				var body string
				r.d.R.QueryRow(`SELECT deleted, body FROM items WHERE id = 'r1'`).Scan(&del, &body)
				if del != 1 || body != "edited" {
					t.Fatalf("%s: deleted=%d body=%q, want deleted with the edit kept", r.name, del, body)
				}
			}
			b.clk.Advance(2 * time.Hour)
			b.del(t, "r1", true)
			b.sync(t)
			a.sync(t)
			for _, r := range []*replica{a, b} {
				var del int
				var body string
				r.d.R.QueryRow(`SELECT deleted, body FROM items WHERE id = 'r1'`).Scan(&del, &body)
				if del != 0 || body != "edited" {
					t.Fatalf("%s after undelete: deleted=%d body=%q", r.name, del, body)
				}
			}
		})
	}
}

// Every failure mode during push: nothing lost, nothing duplicated.
func TestPushThroughFaults(t *testing.T) {
	for _, f := range []rqlitetest.Fault{rqlitetest.DropAfterCommit, rqlitetest.ErrorNoCommit, rqlitetest.Unavailable, rqlitetest.Refused} {
		t.Run(f.String(), func(t *testing.T) {
			srv := newServer(t)
			c := newClient(t, srv.URL())
			a := newReplica(t, "a", c, 0, Options{PushBatch: 7})
			for i := 0; i < 40; i++ {
				a.insert(t, fmt.Sprintf("r%02d", i), db.Cols{"title": fmt.Sprint(i)})
			}
			if err := EnsureSchema(context.Background(), c, 1); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 20; i++ {
				srv.Inject(rqlitetest.NoFault, f)
			}
			for i := 0; i < 60 && a.outboxCount(t) > 0; i++ {
				a.e.SyncOnce(context.Background())
			}
			if n := a.outboxCount(t); n != 0 {
				t.Fatalf("outbox still has %d", n)
			}
			var logRows, distinct int
			srv.DB().QueryRow(`SELECT count(*), count(DISTINCT change_id) FROM change_log`).Scan(&logRows, &distinct)
			if logRows != 40 || distinct != 40 {
				t.Fatalf("change_log rows = %d (distinct %d), want 40", logRows, distinct)
			}
			if _, _, f := srv.Stats(); f == 0 {
				t.Fatal("no fault was injected")
			}
		})
	}
}

// The negative control for the engine: with the unguarded client (gorqlite's behaviour), a
// 200-with-error answer clears the outbox although nothing was stored.
func TestUnguardedClientLosesEdits(t *testing.T) {
	srv := newServer(t)
	un, err := rqlite.New(rqlite.Config{URLs: []string{srv.URL()}, Unguarded: true})
	if err != nil {
		t.Fatal(err)
	}
	a := newReplica(t, "a", un, 0, Options{})
	if err := EnsureSchema(context.Background(), un, 1); err != nil {
		t.Fatal(err)
	}
	a.sync(t) // bootstrap
	a.insert(t, "r1", db.Cols{"title": "lost"})
	srv.Inject(rqlitetest.ErrorNoCommit)
	a.sync(t)
	var n int
	srv.DB().QueryRow(`SELECT count(*) FROM change_log`).Scan(&n)
	if a.outboxCount(t) != 0 || n != 0 {
		t.Fatalf("outbox=%d server=%d: expected the unguarded client to lose the edit", a.outboxCount(t), n)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// A new desktop's bulk bootstrap meets a row that exists locally without clocks (data from
// before sync): the multi-row insert fails as a whole and every row falls back to the merge.
func TestFreshBootstrapFallsBack(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	for i := 0; i < 20; i++ {
		a.insert(t, fmt.Sprintf("r%02d", i), db.Cols{"title": "remote", "n": int64(i)})
	}
	a.sync(t)
	b := newReplica(t, "b", c, 0, Options{})
	if _, err := b.d.W.Exec(`INSERT INTO items(id, title, body) VALUES('r05', 'local', 'kept')`); err != nil {
		t.Fatal(err)
	}
	b.sync(t)
	var n int
	var title, body string
	b.d.R.QueryRow(`SELECT count(*) FROM items`).Scan(&n)
	b.d.R.QueryRow(`SELECT title, body FROM items WHERE id = 'r05'`).Scan(&title, &body)
	if n != 20 || title != "remote" || body != "kept" {
		t.Fatalf("rows %d, r05 = %q/%q", n, title, body)
	}
	if b.clocks(t) != a.clocks(t) {
		t.Fatal("clocks differ after the fallback")
	}
}

func TestValueRoundTrip(t *testing.T) {
	for _, v := range []any{nil, "", "plain", `quo"te`, `back\slash`, "Émile \u2028 ☃", int64(0), int64(-7), int64(1<<53 + 1),
		int64(-1 << 63), int64(1<<63 - 1), 1.5, -0.25, []byte{0, 1, 255}} {
		enc, err := encodeOne(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeOne([]byte(enc))
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		if fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", v, v) {
			t.Errorf("%#v came back as %#v (via %s)", v, got, enc)
		}
	}
}

// A corrupt change row (a buggy client) is parked with its reason; the rows after it still
// apply and the desktop keeps syncing.
func TestCorruptChangeRowIsParked(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	a.sync(t)
	if err := srv.Exec(`INSERT INTO change_log(change_id, site_id, tbl, row_id, cols, hlc, schema_ver, created_at)
		VALUES('bad-1', 'x', 'items', 'r1', '{not json', 1, 1, 0)`); err != nil {
		t.Fatal(err)
	}
	b := newReplica(t, "b", c, 0, Options{})
	b.insert(t, "r2", db.Cols{"title": "after"})
	b.sync(t)
	a.sync(t)
	var title string
	a.d.R.QueryRow(`SELECT title FROM items WHERE id = 'r2'`).Scan(&title)
	var reason string
	a.d.R.QueryRow(`SELECT reason FROM sync_parked WHERE change_id = 'bad-1'`).Scan(&reason)
	if title != "after" || a.e.Status().Parked != 1 || !contains(reason, "corrupt") {
		t.Fatalf("title %q parked %d reason %q", title, a.e.Status().Parked, reason)
	}
	if st := a.e.Status(); st.State != StateUpToDate {
		t.Fatalf("state %s: a parked row must not stop syncing", st.State)
	}
}

// The teammates' feed names each changed row as it reads now: a contact by its name (or
// email), a row of a table with a title by its title; times are our clock's.
func TestFeedLabels(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	b := newReplica(t, "b", c, 0, Options{})
	a.write(t, func(tx *db.Tx) error {
		for _, r := range []struct {
			id   string
			cols db.Cols
		}{
			{"c1", db.Cols{"firstname": "Ann", "lastname": "Smith", "email": "ann@example.com"}},
			{"c2", db.Cols{"email": "only@example.com"}},
		} {
			r.cols["date_added"], r.cols["date_modified"] = int64(1), int64(1)
			if err := tx.Insert("contacts", r.id, r.cols); err != nil {
				return err
			}
		}
		return nil
	})
	a.insert(t, "i1", db.Cols{"title": "Spring launch"})
	a.sync(t)
	b.sync(t)
	got := map[string]string{}
	for _, f := range b.e.Feed() {
		got[f.Table+"/"+f.RowID] = f.Label
		if f.AtMs != b.clk.Now().UnixMilli() {
			t.Errorf("%s/%s at %d, want our clock's %d", f.Table, f.RowID, f.AtMs, b.clk.Now().UnixMilli())
		}
	}
	for k, want := range map[string]string{"contacts/c1": "Ann Smith", "contacts/c2": "only@example.com", "items/i1": "Spring launch"} {
		if got[k] != want {
			t.Errorf("feed label of %s = %q, want %q (feed %v)", k, got[k], want, got)
		}
	}
}
