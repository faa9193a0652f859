package teamsync

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/fields"
	"magpie/backend/segments"
)

// segReplica is a replica running the real contacts and segments services with live
// membership, as a desktop does.
type segReplica struct {
	*replica
	cs  *contacts.Service
	seg *segments.Service
}

func newSegReplica(t *testing.T, name string, c Client) *segReplica {
	t.Helper()
	r := newReplica(t, name, c, 0, Options{NoClockCorrection: true, PageSize: 500})
	fs, err := fields.New(context.Background(), r.d)
	if err != nil {
		t.Fatal(err)
	}
	s := segments.New(r.d, fs)
	s.Start()
	t.Cleanup(s.Stop)
	return &segReplica{replica: r, cs: contacts.New(r.d, fs), seg: s}
}

func (r *segReplica) flush(t *testing.T) {
	t.Helper()
	if err := r.seg.Flush(context.Background()); err != nil {
		t.Fatalf("%s: flush: %v", r.name, err)
	}
}

// membership is the materialised membership: segment, contact email, member or not, manual.
func (r *segReplica) membership(t *testing.T) string {
	t.Helper()
	rows, err := r.d.R.Query(`SELECT g.name, c.email, m.manually_added, m.manually_removed FROM segment_members m
		JOIN segments g ON g.id = m.segment_id JOIN contacts c ON c.id = m.contact_id ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var seg, email string
		var ma, mr int
		rows.Scan(&seg, &email, &ma, &mr)
		fmt.Fprintf(&b, "%s/%s ma=%d mr=%d\n", seg, email, ma, mr)
	}
	var counts string
	r.d.R.QueryRow(`SELECT group_concat(g.name || '=' || b.members, ' ') FROM segment_builds b JOIN segments g ON g.id = b.segment_id`).Scan(&counts)
	return b.String() + "counts: " + counts
}

func (r *segReplica) manualStates(t *testing.T) string {
	t.Helper()
	rows, err := r.d.R.Query(`SELECT id, segment_id, contact_id, state, deleted FROM segment_manual ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, seg, cid, state string
		var del int
		rows.Scan(&id, &seg, &cid, &state, &del)
		fmt.Fprintf(&b, "%s %s %s %q %d\n", id, seg, cid, state, del)
	}
	return b.String()
}

// Issue 5 ("segments: definitions and manual memberships"): two desktops add and remove the
// same contacts by hand while offline; after syncing both ways they hold the same manual
// decisions (per-row last writer wins) and the same derived membership.
func TestSegmentManualMembershipConverges(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c := newClient(t, srv.URL())
	a := newSegReplica(t, "a", c)
	b := newSegReplica(t, "b", c)
	ids := map[string]string{}
	for _, p := range []struct{ email, city string }{{"x@t.io", "Lyon"}, {"y@t.io", "Lyon"}, {"z@t.io", "Paris"}, {"w@t.io", "Paris"}} {
		d, err := a.cs.Create(ctx, contacts.Input{Values: map[string]string{"email": p.email, "city": p.city}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		ids[p.email] = d.ID
	}
	static, err := a.seg.Save(ctx, segments.Input{Name: "Static", Filters: json.RawMessage("[]")})
	if err != nil {
		t.Fatal(err)
	}
	paris, err := a.seg.Save(ctx, segments.Input{Name: "Paris", Filters: json.RawMessage(
		`[{"glue":"and","object":"lead","field":"city","operator":"=","properties":{"filter":"Paris"}}]`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.seg.AddManual(ctx, static.ID, []string{ids["x@t.io"], ids["y@t.io"]}); err != nil {
		t.Fatal(err)
	}
	a.flush(t)
	a.sync(t)
	b.sync(t)
	b.flush(t)
	for _, sg := range []string{static.ID, paris.ID} { // B builds what it received (as Save does locally)
		if _, err := b.seg.Rebuild(ctx, sg, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if a.membership(t) != b.membership(t) {
		t.Fatalf("before going offline:\na: %s\nb: %s", a.membership(t), b.membership(t))
	}
	if !strings.Contains(b.membership(t), "Static/x@t.io ma=1 mr=0") {
		t.Fatalf("b did not materialise a's manual add:\n%s", b.membership(t))
	}

	// Offline. The later decision on each row must win everywhere.
	step := func(r *segReplica, add bool, seg, email string) {
		t.Helper()
		r.clk.Advance(time.Minute)
		var err error
		if add {
			_, err = r.seg.AddManual(ctx, seg, []string{ids[email]})
		} else {
			_, err = r.seg.RemoveManual(ctx, seg, []string{ids[email]})
		}
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
	}
	step(a, false, static.ID, "x@t.io") // x: A removes, later B removes and re-adds → added
	step(b, false, static.ID, "x@t.io")
	step(b, true, static.ID, "x@t.io")
	step(b, false, static.ID, "y@t.io") // y: B removes, later A removes and re-adds → added...
	step(a, false, static.ID, "y@t.io")
	step(a, true, static.ID, "y@t.io")
	step(a, false, static.ID, "y@t.io") // ...then removes again (A's last word) → removed
	step(a, false, paris.ID, "z@t.io")  // z: filter member removed on A only → out on both
	step(b, true, paris.ID, "w@t.io")   // w: filter member, B's add is a no-op (Mautic)
	step(b, false, paris.ID, "w@t.io")  // then B removes w → out on both
	a.flush(t)
	b.flush(t)
	for i := 0; i < 2; i++ {
		a.sync(t)
		b.sync(t)
	}
	a.flush(t)
	b.flush(t)
	if sa, sb := a.manualStates(t), b.manualStates(t); sa != sb {
		t.Fatalf("manual states differ:\na:\n%s\nb:\n%s", sa, sb)
	}
	ma, mb := a.membership(t), b.membership(t)
	if ma != mb {
		t.Fatalf("membership differs:\na:\n%s\nb:\n%s", ma, mb)
	}
	for _, want := range []string{
		"Static/x@t.io ma=1 mr=0", "Static/y@t.io ma=0 mr=1",
		"Paris/z@t.io ma=0 mr=1", "Paris/w@t.io ma=0 mr=1", "counts: Static=1 Paris=0",
	} {
		if !strings.Contains(ma, want) {
			t.Errorf("want %q in\n%s", want, ma)
		}
	}
	// Q8 in a team: z moves away from Paris on B, the removal lapses and the lapse syncs; z
	// is a filter member again once it lives in Paris.
	b.clk.Advance(time.Minute)
	if _, err := b.cs.Update(ctx, ids["z@t.io"], map[string]string{"city": "Nice"}, "test"); err != nil {
		t.Fatal(err)
	}
	b.flush(t)
	b.sync(t)
	a.sync(t)
	a.flush(t)
	a.clk.Advance(time.Minute)
	if _, err := a.cs.Update(ctx, ids["z@t.io"], map[string]string{"city": "Paris"}, "test"); err != nil {
		t.Fatal(err)
	}
	a.flush(t)
	a.sync(t)
	b.sync(t)
	b.flush(t)
	ma, mb = a.membership(t), b.membership(t)
	if ma != mb || !strings.Contains(ma, "Paris/z@t.io ma=0 mr=0") {
		t.Fatalf("after the lapse:\na:\n%s\nb:\n%s", ma, mb)
	}
}
