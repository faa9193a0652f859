package campaigns

import (
	"sort"
	"strings"
	"testing"
	"time"
)

func keys(ps []Problem) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, strings.TrimPrefix(p.Key, "campaigns.problems.")+"@"+p.EventID+p.SourceID)
	}
	sort.Strings(out)
	return out
}

func TestValidateGraph(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	src := segSource("seg1")
	send := root("send", KindAction, "email.send", map[string]any{"email": "m1"})
	exists := func(kind, id string) bool { return id == "seg1" || id == "m1" || id == "camp1" }
	cases := []struct {
		name string
		g    Graph
		want []string
	}{
		{"valid", Graph{Sources: src, Events: []Event{send, child("open", "send", "", KindDecision, "email.open", nil),
			child("t", "open", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"x"}})}}, []string{}},
		{"no source, no event", Graph{}, []string{"noEvents@", "noSources@"}},
		{"source without ids and missing segment", Graph{Sources: []Source{{ID: "a", Type: "segment"}, {ID: "b", Type: "segment", IDs: []string{"gone"}}},
			Events: []Event{send}}, []string{"sourceEmpty@a", "sourceMissing@b"}},
		{"unknown source type", Graph{Sources: []Source{{ID: "a", Type: "list", IDs: []string{"x"}}}, Events: []Event{send}}, []string{"sourceType@a"}},
		{"unconnected", Graph{Sources: src, Events: []Event{send, child("t", "nope", "", KindAction, "contact.tags", map[string]any{"add": []any{"x"}})}},
			[]string{"unconnected@t"}},
		{"decision without a path", Graph{Sources: src, Events: []Event{send, child("open", "send", "", KindDecision, "email.open", nil)}},
			[]string{"decisionNoPath@open"}},
		{"child of a condition needs yes/no", Graph{Sources: src, Events: []Event{root("c", KindCondition, "email.valid", nil),
			child("t", "c", "", KindAction, "contact.tags", map[string]any{"add": []any{"x"}})}}, []string{"pathRequired@t"}},
		{"child of an action has no path", Graph{Sources: src, Events: []Event{send, child("t", "send", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"x"}})}},
			[]string{"pathNotAllowed@t"}},
		{"email deleted", Graph{Sources: src, Events: []Event{root("send", KindAction, "email.send", map[string]any{"email": "old"})}},
			[]string{"emailMissing@send"}},
		{"required prop", Graph{Sources: src, Events: []Event{root("p", KindAction, "points.adjust", nil)}}, []string{"required@p"}},
		{"unknown type and wrong kind", Graph{Sources: src, Events: []Event{root("u", KindAction, "fax.send", nil), root("k", KindDecision, "email.valid", nil), root("s", KindAction, "sms.send", nil)}},
			[]string{"comingSoon@s", "decisionNoPath@k", "kindMismatch@k", "unknownType@u"}},
		{"open must follow a send", Graph{Sources: src, Events: []Event{root("open", KindDecision, "email.open", nil),
			child("t", "open", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"x"}})}}, []string{"emailParent@open"}},
		{"nothing after delete", Graph{Sources: src, Events: []Event{root("d", KindAction, "contact.delete", nil),
			child("t", "d", "", KindAction, "contact.tags", map[string]any{"add": []any{"x"}})}}, []string{"terminal@t"}},
		{"jump loop", Graph{Sources: src, Events: []Event{root("a", KindAction, "contact.tags", map[string]any{"add": []any{"x"}}),
			child("j", "a", "", KindAction, "jump", map[string]any{"event": "a"})}}, []string{"jumpCycle@j"}},
		{"jump forward is fine", Graph{Sources: src, Events: []Event{root("c", KindCondition, "email.valid", nil),
			child("j", "c", "no", KindAction, "jump", map[string]any{"event": "t"}),
			child("t", "c", "yes", KindAction, "contact.tags", map[string]any{"add": []any{"x"}})}}, []string{}},
		{"jump to nowhere", Graph{Sources: src, Events: []Event{root("j", KindAction, "jump", map[string]any{"event": "zz"})}}, []string{"jumpTarget@j"}},
		{"wait in the past", Graph{Sources: src, Events: []Event{func() Event {
			e := root("t", KindAction, "contact.tags", map[string]any{"add": []any{"x"}})
			e.Trigger = Trigger{Mode: "date", Date: "2025-01-01T00:00:00Z"}
			return e
		}()}}, []string{"datePast@t"}},
		{"bad wait", Graph{Sources: src, Events: []Event{func() Event {
			e := root("t", KindAction, "contact.tags", map[string]any{"add": []any{"x"}})
			e.Trigger = Trigger{Mode: "interval", Interval: 1, Unit: "w", Hour: "25:00", Weekdays: []int{8}}
			return e
		}()}}, []string{"badTrigger@t", "badTrigger@t", "badTrigger@t"}},
		{"parent loop", Graph{Sources: src, Events: []Event{child("a", "b", "", KindAction, "contact.tags", map[string]any{"add": []any{"x"}}),
			child("b", "a", "", KindAction, "contact.tags", map[string]any{"add": []any{"x"}})}}, []string{"cycle@a", "cycle@b"}},
		{"duplicate id", Graph{Sources: src, Events: []Event{send, send}}, []string{"duplicateId@send"}},
		{"missing campaign and segment refs", Graph{Sources: src, Events: []Event{
			root("cc", KindAction, "campaign.change", map[string]any{"add": []any{"this", "camp1", "gone"}}),
			root("sc", KindAction, "segment.change", map[string]any{"remove": []any{"gone"}})}}, []string{"campaignMissing@cc", "segmentMissing@sc"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			normalize(&c.g)
			got := keys(ValidateGraph(c.g, now, exists))
			if !equal(got, c.want) {
				t.Errorf("problems = %v, want %v", got, c.want)
			}
		})
	}
}
