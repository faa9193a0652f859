package campaigns

import (
	"fmt"
	"regexp"
	"time"
)

// Lookup says whether a referenced object exists and is usable (kind: email, segment,
// form, campaign).
type Lookup func(kind, id string) bool

var hhmm = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)

func problem(ev, key string, params map[string]any, format string, a ...any) Problem {
	return Problem{EventID: ev, Key: "campaigns.problems." + key, Params: params, Message: fmt.Sprintf(format, a...)}
}

// ValidateGraph lists what keeps g from being published, in graph order. Problem keys
// (campaigns.problems.*): noSources, noEvents, sourceType, sourceEmpty, sourceMissing,
// duplicateId, unknownType, comingSoon, kindMismatch, unconnected, cycle, pathRequired,
// pathNotAllowed, decisionNoPath, terminal, required, emailMissing, segmentMissing,
// campaignMissing, jumpTarget, jumpCycle, emailParent, badTrigger, datePast.
func ValidateGraph(g Graph, now time.Time, exists Lookup) []Problem {
	out := []Problem{}
	if exists == nil {
		exists = func(string, string) bool { return true }
	}
	if len(g.Sources) == 0 {
		out = append(out, problem("", "noSources", nil, "the campaign has no source: add a segment or a form"))
	}
	for _, s := range g.Sources {
		sp := func(key string, params map[string]any, format string, a ...any) {
			pr := problem("", key, params, format, a...)
			pr.SourceID = s.ID
			out = append(out, pr)
		}
		switch s.Type {
		case "segment", "form":
		default:
			sp("sourceType", map[string]any{"type": s.Type}, "source %s: unknown type %q (segment or form)", s.ID, s.Type)
			continue
		}
		if len(s.IDs) == 0 {
			sp("sourceEmpty", map[string]any{"type": s.Type}, "source %s: choose at least one %s", s.ID, s.Type)
		}
		for _, id := range s.IDs {
			if !exists(s.Type, id) {
				sp("sourceMissing", map[string]any{"type": s.Type, "id": id}, "source %s: %s %q does not exist", s.ID, s.Type, id)
			}
		}
	}
	if len(g.Events) == 0 {
		out = append(out, problem("", "noEvents", nil, "the campaign has no event"))
	}
	byID := map[string]*Event{}
	children := map[string][]*Event{}
	for i := range g.Events {
		e := &g.Events[i]
		if _, dup := byID[e.ID]; dup || e.ID == "" {
			out = append(out, problem(e.ID, "duplicateId", map[string]any{"id": e.ID}, "event id %q is empty or used twice", e.ID))
			continue
		}
		byID[e.ID] = e
	}
	for i := range g.Events {
		e := &g.Events[i]
		children[e.ParentID()] = append(children[e.ParentID()], e)
	}
	for i := range g.Events {
		e := &g.Events[i]
		label := e.Name
		if label == "" {
			label = e.Type
		}
		add := func(key string, params map[string]any, format string, a ...any) {
			out = append(out, problem(e.ID, key, params, "%s: "+format, append([]any{label}, a...)...))
		}
		spec, ok := Spec(e.Type)
		switch {
		case !ok:
			add("unknownType", map[string]any{"type": e.Type}, "unknown event type %q", e.Type)
		case spec.ComingSoon:
			add("comingSoon", map[string]any{"type": e.Type}, "%q is not available yet", e.Type)
		case spec.Kind != e.Kind:
			add("kindMismatch", map[string]any{"type": e.Type, "kind": spec.Kind}, "%q is a %s", e.Type, spec.Kind)
		}
		if pid := e.ParentID(); pid != "" {
			parent, ok := byID[pid]
			switch {
			case !ok:
				add("unconnected", map[string]any{"parent": pid}, "not connected (parent %q does not exist)", pid)
			case parent.Kind == KindDecision || parent.Kind == KindCondition:
				if e.Path != "yes" && e.Path != "no" {
					add("pathRequired", nil, "connect it to the yes or the no path of %q", parent.Name)
				}
			default:
				if e.Path != "" {
					add("pathNotAllowed", nil, "an action has no yes/no path")
				}
			}
			if ok && parent.Type == "contact.delete" {
				add("terminal", nil, "nothing can follow \"delete contact\"")
			}
			if (e.Type == "email.open" || e.Type == "email.click") && ok && parent.Type != "email.send" {
				add("emailParent", nil, "must follow a \"send email\" action")
			}
		} else if e.Path != "" {
			add("pathNotAllowed", nil, "a root event has no yes/no path")
		}
		if e.Kind == KindDecision && len(children[e.ID]) == 0 {
			add("decisionNoPath", nil, "a decision needs at least one path")
		}
		if e.Type == "email.open" || e.Type == "email.click" {
			if e.ParentID() == "" {
				add("emailParent", nil, "must follow a \"send email\" action")
			}
		}
		for _, ps := range spec.Props {
			if ps.Required && len(e.PropList(ps.Name)) == 0 && e.Prop(ps.Name) == "" {
				add("required", map[string]any{"prop": ps.Name}, "%s is required", ps.Name)
			}
		}
		switch e.Type {
		case "email.send":
			if id := e.Prop("email"); id != "" && !exists("email", id) {
				add("emailMissing", map[string]any{"email": id}, "email %q does not exist (deleted?)", id)
			}
		case "segment.change", "segment.member":
			for _, k := range []string{"add", "remove", "segments"} {
				for _, id := range e.PropList(k) {
					if !exists("segment", id) {
						add("segmentMissing", map[string]any{"segment": id}, "segment %q does not exist", id)
					}
				}
			}
		case "campaign.change", "campaign.member":
			for _, k := range []string{"add", "remove", "campaigns"} {
				for _, id := range e.PropList(k) {
					if id != "this" && !exists("campaign", id) {
						add("campaignMissing", map[string]any{"campaign": id}, "campaign %q does not exist", id)
					}
				}
			}
		case "jump":
			if t := e.Prop("event"); t != "" {
				if _, ok := byID[t]; !ok || t == e.ID {
					add("jumpTarget", map[string]any{"event": t}, "jump target %q is not an event of this campaign", t)
				}
			}
		}
		out = append(out, triggerProblems(*e, now, label)...)
	}
	out = append(out, cycles(g, byID)...)
	return out
}

func triggerProblems(e Event, now time.Time, label string) []Problem {
	var out []Problem
	add := func(key string, params map[string]any, format string, a ...any) {
		out = append(out, problem(e.ID, key, params, "%s: "+format, append([]any{label}, a...)...))
	}
	t := e.Trigger
	switch t.Mode {
	case "", "immediate":
	case "interval":
		if t.Interval < 0 {
			add("badTrigger", map[string]any{"field": "interval"}, "the wait cannot be negative")
		}
		switch t.Unit {
		case "i", "h", "d", "m", "y":
		default:
			add("badTrigger", map[string]any{"field": "unit"}, "wait unit %q (i, h, d, m or y)", t.Unit)
		}
	case "date":
		at, err := time.Parse(time.RFC3339, t.Date)
		if err != nil {
			add("badTrigger", map[string]any{"field": "date"}, "wait date %q is not a date-time", t.Date)
		} else if at.Before(now) {
			add("datePast", map[string]any{"date": t.Date}, "the wait date %s is in the past", t.Date)
		}
	default:
		add("badTrigger", map[string]any{"field": "mode"}, "wait mode %q (immediate, interval or date)", t.Mode)
	}
	for name, v := range map[string]string{"hour": t.Hour, "startHour": t.StartHour, "endHour": t.EndHour} {
		if v != "" && !hhmm.MatchString(v) {
			add("badTrigger", map[string]any{"field": name}, "%s %q is not HH:MM", name, v)
		}
	}
	if (t.StartHour == "") != (t.EndHour == "") {
		add("badTrigger", map[string]any{"field": "endHour"}, "a window needs a start and an end hour")
	}
	for _, d := range t.Weekdays {
		if d < 1 || d > 7 {
			add("badTrigger", map[string]any{"field": "weekdays"}, "weekday %d (1 = Monday … 7 = Sunday)", d)
		}
	}
	return out
}

// cycles finds parent loops and jumps that lead back to themselves.
func cycles(g Graph, byID map[string]*Event) []Problem {
	var out []Problem
	// Parent loops: walk up from each event.
	for _, e := range g.Events {
		seen := map[string]bool{e.ID: true}
		for cur := e.ParentID(); cur != ""; {
			if seen[cur] {
				out = append(out, problem(e.ID, "cycle", nil, "%s: its parents form a loop", e.ID))
				break
			}
			seen[cur] = true
			p, ok := byID[cur]
			if !ok {
				break
			}
			cur = p.ParentID()
		}
	}
	// Jumps: from a jump's target, what can be reached (children and further jumps)?
	kids := map[string][]string{}
	for _, e := range g.Events {
		kids[e.ParentID()] = append(kids[e.ParentID()], e.ID)
	}
	for _, e := range g.Events {
		if e.Type != "jump" {
			continue
		}
		start := e.Prop("event")
		if _, ok := byID[start]; !ok {
			continue
		}
		seen := map[string]bool{}
		stack := []string{start}
		for len(stack) > 0 {
			cur := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[cur] {
				continue
			}
			seen[cur] = true
			stack = append(stack, kids[cur]...)
			if ev := byID[cur]; ev != nil && ev.Type == "jump" {
				if t := ev.Prop("event"); t != "" {
					stack = append(stack, t)
				}
			}
		}
		if seen[e.ID] {
			out = append(out, problem(e.ID, "jumpCycle", map[string]any{"event": start},
				"%s: jumping to %q leads back to this jump (a loop)", e.Name, start))
		}
	}
	return out
}
