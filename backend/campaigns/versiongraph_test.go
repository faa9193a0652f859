package campaigns

import (
	"errors"
	"testing"

	"magpie/backend/apperr"
)

func TestVersionGraph(t *testing.T) {
	f := newFixture(t)
	seg := f.segment("All", `[{"glue":"and","field":"firstname","object":"lead","type":"text","operator":"!empty"}]`)
	v1 := Graph{Sources: segSource(seg), Events: []Event{
		root("tag", KindAction, "contact.tags", map[string]any{"add": []any{"one"}}),
	}}
	id := f.publish("Versions", false, v1)
	v2 := Graph{Sources: segSource(seg), Events: []Event{
		root("tag", KindAction, "contact.tags", map[string]any{"add": []any{"two"}}),
		child("pts", "tag", "", KindAction, "points.adjust", map[string]any{"points": 1.0}),
	}}
	if _, err := f.s.Save(f.ctx, Input{ID: id, Name: "Versions", Graph: v2}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Publish(f.ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		version int
		events  int
		tag     string
	}{{1, 1, "one"}, {2, 2, "two"}} {
		g, err := f.s.VersionGraph(f.ctx, id, tc.version)
		if err != nil {
			t.Fatalf("version %d: %v", tc.version, err)
		}
		if len(g.Events) != tc.events || g.Events[0].PropList("add")[0] != tc.tag {
			t.Errorf("version %d: events %+v, want %d events tagging %q", tc.version, g.Events, tc.events, tc.tag)
		}
	}
	_, err := f.s.VersionGraph(f.ctx, id, 3)
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Key != "campaigns.errors.versionNotFound" {
		t.Errorf("version 3: err = %v, want campaigns.errors.versionNotFound", err)
	}
}
