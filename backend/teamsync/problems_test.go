package teamsync

import (
	"context"
	"testing"

	"magpie/backend/db"
)

// A change the cluster refuses is listed as rejected with the cluster's message, and a
// teammate's change this version cannot apply as parked with its reason; the other edits
// still sync.
func TestProblemsListsRejectedAndParked(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newReplica(t, "a", c, 0, Options{})
	a.sync(t)
	if err := srv.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON change_log WHEN NEW.row_id = 'nope'
		BEGIN SELECT RAISE(ABORT, 'refused by the team policy'); END`); err != nil {
		t.Fatal(err)
	}
	a.insert(t, "ok1", db.Cols{"title": "fine"})
	a.insert(t, "nope", db.Cols{"title": "refused"})
	for i := 0; i < 3; i++ { // the refused change is found and set aside; the rest goes
		a.e.SyncOnce(context.Background())
	}
	if err := srv.Exec(`INSERT INTO change_log(change_id, site_id, tbl, row_id, cols, hlc, schema_ver, created_at)
		VALUES('future-1', 'x', 'widgets', 'w1', '{"name":"from a newer Magpie"}', 1, 2, 0)`); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	ps, err := a.e.Problems(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Problem{}
	for _, p := range ps {
		got[p.Kind] = p
	}
	if r := got["rejected"]; r.RowID != "nope" || r.Table != "items" || !contains(r.Reason, "refused by the team policy") || !contains(r.Cols, "refused") {
		t.Errorf("rejected problem %+v", r)
	}
	if p := got["parked"]; p.RowID != "w1" || p.Table != "widgets" || !contains(p.Reason, "widgets") {
		t.Errorf("parked problem %+v", p)
	}
	if len(ps) != 2 {
		t.Errorf("%d problems, want 2: %+v", len(ps), ps)
	}
	var n int
	srv.DB().QueryRow(`SELECT count(*) FROM change_log WHERE row_id = 'ok1'`).Scan(&n)
	if n != 1 {
		t.Errorf("the good edit reached the cluster %d times, want 1", n)
	}
}
