package points_test

import (
	"context"
	"testing"
	"time"

	"magpie/backend/clock"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
	"magpie/backend/points"
	"magpie/backend/stages"
)

type fx struct {
	t   testing.TB
	ctx context.Context
	d   *db.DB
	clk *clock.Fake
	ps  *points.Service
	st  *stages.Service
}

func newFx(t testing.TB) *fx {
	t.Helper()
	d, clk := testenv.NewDB(t)
	return &fx{t: t, ctx: context.Background(), d: d, clk: clk, ps: points.New(d), st: stages.New(d)}
}

func (f *fx) contact(email string) string {
	f.t.Helper()
	var id string
	if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
		var err error
		id, err = contacts.NewOps(tx, "test").Create(db.Cols{"email": email}, contacts.CreateOpts{})
		return err
	}); err != nil {
		f.t.Fatalf("create contact: %v", err)
	}
	return id
}

func (f *fx) event(e events.Event) {
	f.t.Helper()
	if err := f.d.Write(f.ctx, func(tx *db.Tx) error {
		_, err := events.Append(tx, e)
		return err
	}); err != nil {
		f.t.Fatalf("append %s: %v", e.Type, err)
	}
}

func (f *fx) hit(cid, url string, at time.Time) {
	f.t.Helper()
	f.event(events.Event{ContactID: cid, Type: events.PageHit, URL: url, At: at})
}

func (f *fx) points(cid string) int64 {
	f.t.Helper()
	var n int64
	if err := f.d.R.QueryRow("SELECT points FROM contacts WHERE id = ?", cid).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fx) score(cid, group string) int64 {
	f.t.Helper()
	var n int64
	f.d.R.QueryRow("SELECT score FROM point_group_scores WHERE contact_id = ? AND group_id = ? AND deleted = 0", cid, group).Scan(&n)
	return n
}

func (f *fx) action(a points.Action) points.Action {
	f.t.Helper()
	a.Published = true
	out, err := f.ps.SaveAction(f.ctx, a)
	if err != nil {
		f.t.Fatalf("save action %q: %v", a.Name, err)
	}
	return out
}

func (f *fx) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.d.R.QueryRow(q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}
