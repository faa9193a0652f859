package campaigns

import (
	"testing"

	"magpie/backend/points"
)

// Campaign point changes are stored in multi-row statements, but every contact's
// points.changed still runs the point triggers in the batch transaction.
func TestCampaignPointsFirePointTriggers(t *testing.T) {
	f := newFixture(t)
	ps := points.New(f.d)
	if _, err := ps.SaveTrigger(f.ctx, points.Trigger{Name: "Hot", Points: 10, Published: true,
		Events: []points.TriggerEvent{{Type: points.ChangeTags, AddTags: []string{"hot"}}}}); err != nil {
		t.Fatal(err)
	}
	ann := f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io"})
	if _, err := f.d.W.Exec("UPDATE contacts SET points = 7 WHERE id = ?", ann); err != nil {
		t.Fatal(err)
	}
	f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	all := f.segment("All", `[{"glue":"and","field":"email","object":"lead","type":"email","operator":"!empty"}]`)
	f.publish("Score", false, Graph{Sources: segSource(all), Events: []Event{
		root("pts", KindAction, "points.adjust", map[string]any{"points": 5.0}),
	}})
	f.run()
	if got := f.tagged("hot"); !equal(got, []string{"Ann"}) {
		t.Errorf("tagged hot by the trigger = %v, want [Ann] (7+5 ≥ 10; Bob has 5)", got)
	}
}
