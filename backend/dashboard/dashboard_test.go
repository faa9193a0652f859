package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/internal/testenv"
)

// The fixture: the fake clock is 2026-03-02 09:30 UTC; the board covers 02-27..03-02.
var rng = Range{From: "2026-02-27", To: "2026-03-02"}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

type fixture struct {
	s       *Service
	d       *db.DB
	a, b, c string
}

func seedFixture(t *testing.T) fixture {
	t.Helper()
	d, _ := testenv.NewDB(t)
	f := fixture{s: New(d), d: d, a: "c-a", b: "c-b", c: "c-c"}
	ctx := context.Background()
	err := d.Write(ctx, func(tx *db.Tx) error {
		o := contacts.NewOps(tx, "test")
		rows := []contacts.NewContact{
			{ID: f.a, At: at("2026-02-28 10:00"), Points: 30, Vals: db.Cols{"email": "a@x.test", "country": "France"}},
			{ID: f.b, At: at("2026-03-01 08:00"), Points: 0, Vals: db.Cols{"email": "b@x.test", "country": "Germany"}},
			{ID: f.c, At: at("2026-03-01 09:00"), Points: 120, Vals: db.Cols{"country": "france"}}, // anonymous
			{ID: "c-old", At: at("2026-01-05 09:00"), Points: 80, Vals: db.Cols{"email": "old@x.test", "country": "Spain"}},
		}
		// Events through the bulk path (no append hooks): the rollup must count them too.
		extra := []events.Event{
			{ContactID: f.a, Type: events.PageHit, At: at("2026-02-28 10:05"), URL: "https://site.test/a", Referrer: "https://www.google.com/search"},
			{ContactID: f.a, Type: events.PageHit, At: at("2026-02-28 11:00"), URL: "https://site.test/a", Referrer: "https://google.com/"},
			{ContactID: f.a, Type: events.PageHit, At: at("2026-03-01 12:00"), URL: "https://site.test/a"},
			{ContactID: f.b, Type: events.PageHit, At: at("2026-03-01 12:30"), URL: "https://site.test/b"},
			{ContactID: "c-old", Type: events.PageHit, At: at("2026-01-06 12:30"), URL: "https://site.test/old"},
		}
		return o.CreateMany([]string{"email", "country"}, rows, contacts.BulkOpts{Extra: extra})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Email events through Append (one transaction each, as the sender does).
	for _, e := range []events.Event{
		{ContactID: f.a, Type: events.EmailSent, At: at("2026-03-01 07:00"), ObjectID: "em1", ObjectName: "Welcome"},
		{ContactID: f.b, Type: events.EmailSent, At: at("2026-03-01 07:00"), ObjectID: "em1", ObjectName: "Welcome"},
		{ContactID: f.a, Type: events.EmailRead, At: at("2026-03-01 08:00"), ObjectID: "em1", ObjectName: "Welcome"},
		{ContactID: f.a, Type: events.EmailClicked, At: at("2026-03-01 08:01"), ObjectID: "em1", ObjectName: "Welcome", URL: "https://site.test/a"},
		{ContactID: f.b, Type: events.EmailSent, At: at("2026-03-02 07:00"), ObjectName: "Promo"},
	} {
		if err := d.Write(ctx, func(tx *db.Tx) error { _, err := events.Append(tx, e); return err }); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// seriesOf reads {series name: values} from an echarts option.
func seriesOf(t *testing.T, opt json.RawMessage) (cats []string, out map[string][]float64) {
	t.Helper()
	var o struct {
		XAxis  []struct{ Data []string } `json:"xAxis"`
		YAxis  []struct{ Data []string } `json:"yAxis"`
		Series []struct {
			Name string            `json:"name"`
			Data []json.RawMessage `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(opt, &o); err != nil {
		t.Fatalf("option %s: %v", opt, err)
	}
	out = map[string][]float64{}
	for _, s := range o.Series {
		for _, raw := range s.Data {
			var v struct {
				Name  string  `json:"name"`
				Value float64 `json:"value"`
			}
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("series %s item %s: %v", s.Name, raw, err)
			}
			out[s.Name] = append(out[s.Name], v.Value)
			if v.Name != "" {
				cats = append(cats, v.Name)
			}
		}
	}
	if len(o.XAxis) > 0 && len(o.XAxis[0].Data) > 0 {
		cats = o.XAxis[0].Data
	}
	if len(o.YAxis) > 0 && len(o.YAxis[0].Data) > 0 {
		cats = o.YAxis[0].Data
	}
	return cats, out
}

func runWidget(t *testing.T, s *Service, typ string) Result {
	t.Helper()
	b, err := s.Run(context.Background(), []Widget{{ID: "x", Type: typ, W: 6, H: 1}}, Query{Range: rng, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	r := b.Results[0]
	if r.Err != nil {
		t.Fatalf("%s: %v", typ, r.Err)
	}
	return r
}

func TestChartWidgets(t *testing.T) {
	f := seedFixture(t)
	days := []string{"2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"}
	cases := []struct {
		typ  string
		cats []string
		want map[string][]float64
	}{
		{TContactsCreated, days, map[string][]float64{"All": {0, 1, 2, 0}, "Identified": {0, 1, 1, 0}, "Anonymous": {0, 0, 1, 0}}},
		{TPageVisits, days, map[string][]float64{"Page hits": {0, 2, 2, 0}, "Unique visitors": {0, 1, 2, 0}}},
		{TEmails, days, map[string][]float64{"Sent": {0, 0, 2, 1}, "Read": {0, 0, 1, 0}, "Clicked": {0, 0, 1, 0}, "Failed": {0, 0, 0, 0}}},
		{TCountries, []string{"France", "Germany"}, map[string][]float64{"Contacts": {2, 1}}},
		{TPointsFunnel, []string{"Created", "1+ points", "25+ points", "50+ points", "100+ points"}, map[string][]float64{"Contacts": {3, 2, 2, 1, 1}}},
	}
	// The second pass counts contacts live (not from the rollup) while a bulk load has
	// dropped the secondary indexes of contacts and events: forced indexes fall back to a
	// scan, same answers.
	for _, deferred := range []bool{false, true} {
		f.s.liveContacts = deferred
		if deferred {
			restore, err := f.d.DeferIndexes(context.Background(), []string{"contacts", "events"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := restore(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/deferred=%v", c.typ, deferred), func(t *testing.T) {
				r := runWidget(t, f.s, c.typ)
				if r.Chart == nil {
					t.Fatalf("no chart (empty %q)", r.Empty)
				}
				cats, got := seriesOf(t, r.Chart)
				if !reflect.DeepEqual(cats, c.cats) {
					t.Errorf("categories %v, want %v", cats, c.cats)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("series %v, want %v", got, c.want)
				}
			})
		}
	}
}

func TestTableWidgets(t *testing.T) {
	f := seedFixture(t)
	cases := []struct {
		typ  string
		want [][]any
	}{
		{TTopPages, [][]any{{"https://site.test/a", int64(3)}, {"https://site.test/b", int64(1)}}},
		{TTopReferrers, [][]any{{"google.com", int64(2)}}},
		{TTopEmails, [][]any{{"Welcome", int64(2), int64(1), int64(1)}, {"Promo", int64(1), int64(0), int64(0)}}},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			r := runWidget(t, f.s, c.typ)
			if r.Table == nil {
				t.Fatalf("no table (empty %q)", r.Empty)
			}
			if !reflect.DeepEqual(r.Table.Rows, c.want) {
				t.Errorf("rows %v, want %v", r.Table.Rows, c.want)
			}
		})
	}
	r := runWidget(t, f.s, TRecent)
	if r.Table == nil || len(r.Table.Rows) != 10 {
		t.Fatalf("recent activity: %+v", r.Table)
	}
	if first := r.Table.Rows[0]; first[1] != "email.sent" || first[2] != "Promo" || !reflect.DeepEqual(first[3], []string{f.b, "b@x.test"}) {
		t.Errorf("newest activity %v, want b's Promo send", first)
	}
}

func TestEmptyStates(t *testing.T) {
	f := seedFixture(t)
	for typ, key := range map[string]string{
		TUpcoming: "dashboard.empty.noUpcoming", TTopCampaigns: "dashboard.empty.noCampaigns",
		TSegments: "dashboard.empty.noSegments", TForms: "dashboard.empty.noData",
	} {
		if r := runWidget(t, f.s, typ); r.Empty != key || r.Chart != nil || r.Table != nil {
			t.Errorf("%s: empty %q chart %s table %v, want %q", typ, r.Empty, r.Chart, r.Table, key)
		}
	}
	if ok, _ := tableExists(context.Background(), f.d.R, "stages"); !ok {
		if r := runWidget(t, f.s, TStagesFunnel); r.Empty != "dashboard.empty.noStages" {
			t.Errorf("stages funnel without stages: %+v", r)
		}
	}
}

// TestRollupIncremental: events appended after a board was shown are folded next time,
// whatever their order; a contact's second hit of a day is not a second visitor.
func TestRollupIncremental(t *testing.T) {
	f := seedFixture(t)
	runWidget(t, f.s, TPageVisits)
	ctx := context.Background()
	for _, e := range []events.Event{
		{ContactID: f.a, Type: events.PageHit, At: at("2026-02-28 08:00"), URL: "https://site.test/c"}, // earlier the same day
		{ContactID: f.c, Type: events.PageHit, At: at("2026-03-02 09:00"), URL: "https://site.test/c"},
	} {
		if err := f.d.Write(ctx, func(tx *db.Tx) error { _, err := events.Append(tx, e); return err }); err != nil {
			t.Fatal(err)
		}
	}
	_, got := seriesOf(t, runWidget(t, f.s, TPageVisits).Chart)
	want := map[string][]float64{"Page hits": {0, 3, 2, 1}, "Unique visitors": {0, 1, 2, 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after more hits %v, want %v", got, want)
	}
	if lag, err := f.s.Lag(ctx); err != nil || lag != 0 {
		t.Errorf("lag %d %v, want 0", lag, err)
	}
	// A time zone change moves days: the rollup is rebuilt in the new zone.
	if err := f.d.SetMeta(ctx, "timezone", "Pacific/Kiritimati"); err != nil { // UTC+14
		t.Fatal(err)
	}
	f.s.LoadTimezone(ctx)
	_, got = seriesOf(t, runWidget(t, f.s, TPageVisits).Chart)
	// a's 02-28 08:00Z, 10:05Z, 11:00Z are 02-28 22:00, 03-01 00:05, 01:00 local; a's and b's
	// 03-01 12:00Z/12:30Z and c's 03-02 09:00Z are all on 03-02 local.
	want = map[string][]float64{"Page hits": {0, 1, 2, 3}, "Unique visitors": {0, 1, 1, 3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("in UTC+14 %v, want %v", got, want)
	}
}

// TestFailureIsolation: a widget whose query fails or panics reports a clear error in
// place; the others on the board still answer.
func TestFailureIsolation(t *testing.T) {
	f := seedFixture(t)
	registry["test.fails"] = def{run: func(context.Context, *Service, span, lbl, *Result) error {
		return errors.New("disk on fire")
	}}
	registry["test.panics"] = def{run: func(context.Context, *Service, span, lbl, *Result) error { panic("boom") }}
	t.Cleanup(func() { delete(registry, "test.fails"); delete(registry, "test.panics") })
	if _, err := f.d.W.Exec("DROP TABLE segment_builds"); err != nil {
		t.Fatal(err)
	}
	ws := []Widget{{ID: "1", Type: TPageVisits}, {ID: "2", Type: "test.fails"}, {ID: "3", Type: TSegments},
		{ID: "4", Type: "test.panics"}, {ID: "5", Type: TTopPages}, {ID: "6", Type: "no.such.widget"}}
	b, err := f.s.Run(context.Background(), ws, Query{Range: rng})
	if err != nil {
		t.Fatal(err)
	}
	wantErr := map[string]string{"2": "disk on fire", "3": "no such table: segment_builds", "4": "panicked: boom", "6": `unknown widget type "no.such.widget"`}
	for _, r := range b.Results {
		if w, bad := wantErr[r.ID]; bad {
			if r.Err == nil || !strings.Contains(r.Err.Error(), w) {
				t.Errorf("widget %s (%s): error %v, want one containing %q", r.ID, r.Type, r.Err, w)
			}
			if _, ok := apperr.As(r.Err); !ok && r.ID != "4" {
				t.Errorf("widget %s: error %T is not a user-facing apperr", r.ID, r.Err)
			}
			continue
		}
		if r.Err != nil || (r.Chart == nil && r.Table == nil) {
			t.Errorf("widget %s (%s) should still answer: err %v empty %q", r.ID, r.Type, r.Err, r.Empty)
		}
	}
}

func TestRangeValidation(t *testing.T) {
	f := seedFixture(t)
	for _, c := range []struct {
		r   Range
		key string
	}{
		{Range{From: "2026-03-02", To: "2026-03-01"}, "dashboard.errors.range"},
		{Range{From: "2026-13-01", To: "2026-03-01"}, "dashboard.errors.date"},
		{Range{From: "2000-01-01", To: "2026-03-01"}, "dashboard.errors.rangeTooLong"},
	} {
		_, err := f.s.Run(context.Background(), DefaultWidgets(false), Query{Range: c.r})
		if e, ok := apperr.As(err); !ok || e.Key != c.key {
			t.Errorf("%+v: error %v, want key %s", c.r, err, c.key)
		}
	}
	b, err := f.s.Run(context.Background(), nil, Query{})
	if err != nil || b.Range != (Range{From: "2026-02-01", To: "2026-03-02"}) {
		t.Errorf("default range %+v %v, want the last 30 days", b.Range, err)
	}
}

func TestLayouts(t *testing.T) {
	d, _ := testenv.NewDB(t)
	s := New(d)
	ctx := context.Background()
	l, err := s.GetLayout(ctx, "ann")
	if err != nil || !l.Default || l.Widgets[0].Type != TWelcome {
		t.Fatalf("empty database board %+v %v: want the getting-started tile first", l, err)
	}
	saved, err := s.SaveLayout(ctx, "ann", []Widget{{Type: TRecent, W: 12, H: 2}, {ID: "k", Type: TEmails, W: 6, H: 1}})
	if err != nil || saved.Widgets[0].ID == "" {
		t.Fatalf("save %+v %v", saved, err)
	}
	got, err := s.GetLayout(ctx, "ann")
	if err != nil || got.Default || !reflect.DeepEqual(got.Widgets, saved.Widgets) {
		t.Errorf("reload %+v %v, want %+v", got, err, saved)
	}
	if other, _ := s.GetLayout(ctx, "bob"); !other.Default {
		t.Errorf("bob sees ann's board")
	}
	for _, c := range []struct {
		ws  []Widget
		key string
	}{
		{[]Widget{{Type: "nope", W: 6, H: 1}}, "dashboard.errors.unknownWidget"},
		{[]Widget{{Type: TRecent, W: 5, H: 1}}, "dashboard.errors.width"},
		{[]Widget{{Type: TRecent, W: 6, H: 4}}, "dashboard.errors.height"},
		{[]Widget{{ID: "a", Type: TRecent, W: 6, H: 1}, {ID: "a", Type: TEmails, W: 6, H: 1}}, "dashboard.errors.duplicate"},
	} {
		if _, err := s.SaveLayout(ctx, "ann", c.ws); err == nil || !strings.Contains(err.Error(), "widget") {
			t.Errorf("%+v: error %v", c.ws, err)
		} else if e, _ := apperr.As(err); e.Key != c.key {
			t.Errorf("%+v: key %s, want %s", c.ws, e.Key, c.key)
		}
	}
	if err := s.ResetLayout(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.GetLayout(ctx, "ann"); !l.Default {
		t.Errorf("reset board is not the default")
	}
}

// TestTopListMonths: a top list summing whole months from the monthly rows and the edge
// days from the daily rows equals the sum of the daily rows, whatever the range.
func TestTopListMonths(t *testing.T) {
	f := seedFixture(t)
	ctx := context.Background()
	for _, r := range []Range{
		{From: "2026-01-01", To: "2026-03-02"}, {From: "2025-12-15", To: "2026-03-02"}, {From: "2026-01-06", To: "2026-01-06"},
		{From: "2026-02-01", To: "2026-02-28"}, {From: "2026-01-01", To: "2026-03-31"}, {From: "2026-01-07", To: "2026-02-27"},
	} {
		b, err := f.s.Run(ctx, []Widget{{ID: "p", Type: TTopPages, W: 6, H: 1}}, Query{Range: r})
		if err != nil || b.Results[0].Err != nil {
			t.Fatalf("%+v: %v %v", r, err, b.Results[0].Err)
		}
		var got [][]any
		if b.Results[0].Table != nil {
			got = b.Results[0].Table.Rows
		}
		rows, err := f.d.R.Query(`SELECT key, sum(n) AS n FROM dash_top WHERE kind = 'page' AND day >= ? AND day <= ?
			GROUP BY key ORDER BY n DESC, key`, r.From, r.To)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]any
		for rows.Next() {
			var k string
			var n int64
			rows.Scan(&k, &n)
			want = append(want, []any{k, n})
		}
		rows.Close()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: top pages %v, want %v", r, got, want)
		}
	}
}

// TestCampaignAndStageWidgets: with the campaigns' and stages' tables filled, the upcoming
// events, top campaigns and stages funnel widgets read them.
func TestCampaignAndStageWidgets(t *testing.T) {
	f := seedFixture(t)
	ctx := context.Background()
	graph := `{"sources":[],"events":[{"id":"ev1","name":"Send welcome","kind":"action","type":"email.send"}]}`
	clockNow := f.d.Clock.Now().UnixMilli()
	err := f.d.Write(ctx, func(tx *db.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO campaigns(id, name, published_graph, date_added, date_modified) VALUES('k1', 'Onboarding', ?, 0, 0), ('k2', 'Winback', NULL, 0, 0)`, []any{graph}},
			{`INSERT INTO campaign_keys(k, campaign_id) VALUES(1, 'k1'), (2, 'k2')`, nil},
			{`INSERT INTO campaign_members(campaign_key, contact_id, date_added) VALUES(1, ?, ?), (1, ?, ?), (2, ?, ?), (2, 'c-old', 0)`,
				[]any{f.a, at("2026-03-01 10:00").UnixMilli(), f.b, at("2026-03-01 10:00").UnixMilli(), f.c, at("2026-02-28 10:00").UnixMilli()}},
			{`INSERT INTO campaign_step_keys(k, campaign_id, event_id) VALUES(1, 'k1', 'ev1'), (2, 'k2', 'evX')`, nil},
			{`INSERT INTO campaign_log(step, contact_id, rotation, status, trigger_at, ref_at) VALUES
				(1, ?, 1, 'scheduled', ?, 0), (1, ?, 1, 'scheduled', ?, 0),
				(2, ?, 1, 'done', ?, 0), (1, 'c-old', 1, 'scheduled', ?, 0)`,
				[]any{f.a, clockNow + 7200000, f.b, clockNow + 3600000, f.c, clockNow + 60000, clockNow - 60000}},
			{`UPDATE campaign_log SET done_at = ? WHERE status = 'done'`, []any{clockNow}},
			{`INSERT INTO stages(id, name, weight, date_added, date_modified) VALUES('s1', 'Lead', 10, 0, 0), ('s2', 'Customer', 50, 0, 0), ('s3', 'Gone', 5, 0, 0)`, nil},
			{`UPDATE contacts SET stage_id = CASE id WHEN ? THEN 's2' ELSE 's1' END WHERE id IN (?, ?, ?)`, []any{f.a, f.a, f.b, f.c}},
		} {
			if _, err := tx.Exec(q.sql, q.args...); err != nil {
				return fmt.Errorf("%s: %w", q.sql, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	up := runWidget(t, f.s, TUpcoming)
	if up.Table == nil {
		t.Fatalf("upcoming: empty %q", up.Empty)
	}
	want := [][]any{
		{clockNow + 3600000, "Onboarding", "Send welcome", []string{f.b, "b@x.test"}},
		{clockNow + 7200000, "Onboarding", "Send welcome", []string{f.a, "a@x.test"}},
	}
	if !reflect.DeepEqual(up.Table.Rows, want) {
		t.Errorf("upcoming rows %v, want %v (scheduled, future, soonest first)", up.Table.Rows, want)
	}
	rec := runWidget(t, f.s, TRecent)
	if rec.Table == nil || len(rec.Table.Rows) == 0 ||
		!reflect.DeepEqual(rec.Table.Rows[0], []any{clockNow, "campaign.event", "Winback › evX", []string{f.c, "#cc"}}) {
		t.Errorf("recent activity %+v: want the finished campaign step first", rec.Table)
	}
	top := runWidget(t, f.s, TTopCampaigns)
	if top.Table == nil || !reflect.DeepEqual(top.Table.Rows, [][]any{{"Onboarding", int64(2)}, {"Winback", int64(1)}}) {
		t.Errorf("top campaigns %+v", top.Table)
	}
	st := runWidget(t, f.s, TStagesFunnel)
	if st.Chart == nil {
		t.Fatalf("stages funnel: empty %q", st.Empty)
	}
	cats, got := seriesOf(t, st.Chart)
	if !reflect.DeepEqual(cats, []string{"Gone", "Lead", "Customer"}) || !reflect.DeepEqual(got["Contacts"], []float64{0, 2, 1}) {
		t.Errorf("stages funnel %v %v, want Gone 0, Lead 2, Customer 1 (by weight)", cats, got)
	}
}

// TestCatchUpFailureKeepsBoard: when folding new events fails, the board still answers
// from what is folded, says how many events are pending, and only the widgets reading
// the broken table fail.
func TestCatchUpFailureKeepsBoard(t *testing.T) {
	f := seedFixture(t)
	ctx := context.Background()
	runWidget(t, f.s, TPageVisits) // folds the fixture
	if _, err := f.d.W.Exec("DROP TABLE dash_top"); err != nil {
		t.Fatal(err)
	}
	e := events.Event{ContactID: f.b, Type: events.PageHit, At: at("2026-03-02 08:00"), URL: "https://site.test/z"}
	if err := f.d.Write(ctx, func(tx *db.Tx) error { _, err := events.Append(tx, e); return err }); err != nil {
		t.Fatal(err)
	}
	b, err := f.s.Run(ctx, []Widget{{ID: "v", Type: TPageVisits}, {ID: "p", Type: TTopPages}, {ID: "c", Type: TCountries}}, Query{Range: rng})
	if err != nil {
		t.Fatalf("board failed as a whole: %v", err)
	}
	if b.Pending == 0 {
		t.Errorf("pending 0, want the unfolded event counted")
	}
	if r := b.Results[0]; r.Err != nil || r.Chart == nil {
		t.Errorf("page visits should show the folded figures: %v", r.Err)
	}
	if r := b.Results[1]; r.Err == nil || !strings.Contains(r.Err.Error(), "no such table: dash_top") {
		t.Errorf("top pages error %v, want no such table", r.Err)
	}
	if r := b.Results[2]; r.Err != nil || r.Chart == nil {
		t.Errorf("countries should answer: %v", r.Err)
	}
}
