package campaigns

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"magpie/backend/db"
	"magpie/backend/dwc"
	"magpie/backend/events"
)

// "Request dynamic content" (Mautic's dwc.decision, MAUTIC.md §4.2 and §6.4): a decision
// taken when the contact's browser asks for a DWC slot. Its settings are the slot name and
// an optional default item. When it fires, the default item becomes the contact's content
// for the slot (as Mautic's setSlotContentForLead) and the yes path runs — typically "Push
// dynamic content" actions that replace it.
//
// Slot requests are not events by themselves (a busy site asks for its slots on every
// page view): the tracker asks DWCDecisions whether a published campaign has this decision
// waiting for the visitor, and only then records a hit, which ingest turns into a
// dwc.requested event that fires the decision here in real time. The same lookup gives the
// tracker the content to answer with at once: the item of the yes path's immediate push to
// that slot, else the decision's default — what the contact will see from now on.

func init() {
	decisionTypes[events.DWCRequested] = []string{"dwc.request"}
	decisionExt["dwc.request"] = decisionHooks{match: dwcMatch, fired: dwcFired}
}

// decisionHooks lets a decision type keep its matching rule and its side effect in its own
// file (realtime.go consults them after its built-in types).
type decisionHooks struct {
	match func(tx *db.Tx, c *compiled, ev *Event, e events.Event) bool
	fired func(tx *db.Tx, c *compiled, ev *Event, e events.Event) error // after the decision is logged, before its yes path
}

var decisionExt = map[string]decisionHooks{}

func dwcSlotOf(ev *Event) string { return strings.TrimSpace(ev.Prop("slot")) }

// dwcMatch: the requested slot is the decision's (slot names compare case-insensitively,
// as the tracker's slots do).
func dwcMatch(_ *db.Tx, _ *compiled, ev *Event, e events.Event) bool {
	s := dwcSlotOf(ev)
	return s != "" && strings.EqualFold(s, e.ObjectID)
}

// dwcFired makes the decision's default item the contact's content for the slot; a default
// that has since been deleted is skipped (the yes path still runs).
func dwcFired(tx *db.Tx, _ *compiled, ev *Event, e events.Event) error {
	item := ev.Prop("default")
	if item == "" {
		return nil
	}
	err := dwc.Push(tx, e.ContactID, dwcSlotOf(ev), item)
	if errors.Is(err, dwc.ErrNoItem) {
		return nil
	}
	return err
}

// DWCDecisions answers, for the tracker, whether a slot request by a contact is awaited by
// a published campaign. The index of published "Request dynamic content" decisions by slot
// is rebuilt after a commit touches campaigns (and every few seconds, for other processes'
// commits); a slot no decision names costs a map lookup.
type DWCDecisions struct {
	d       *db.DB
	gen     atomic.Int64
	mu      sync.Mutex
	built   int64
	builtAt time.Time
	bySlot  map[string][]dwcRef
}

// dwcIndexTTL bounds how long the index may miss a campaign published by another process on
// the same store (a `magpie tracker` next to the desktop app): its commits are not ours to see.
const dwcIndexTTL = 5 * time.Second

type dwcRef struct {
	campaign, event string
	item            string // the content the campaign shows for the slot once the decision fires
}

// NewDWCDecisions returns the lookup over d.
func NewDWCDecisions(d *db.DB) *DWCDecisions {
	x := &DWCDecisions{d: d, built: -1}
	d.OnCommit(func(c db.Commit) {
		if c.Touches("campaigns") {
			x.gen.Add(1)
		}
	})
	return x
}

// Lookup reports whether contactID has a "Request dynamic content" decision for slot waiting
// in a published campaign, and the dynamic content item the campaign shows for the slot (""
// when the decision has no default and no immediate push to that slot).
func (x *DWCDecisions) Lookup(ctx context.Context, contactID, slot string) (item string, waiting bool, err error) {
	refs, err := x.refs(ctx, strings.ToLower(slot))
	if err != nil || len(refs) == 0 || contactID == "" {
		return "", false, err
	}
	rows, err := x.d.R.QueryContext(ctx, "SELECT campaign_id, event_id FROM campaign_log_ids WHERE contact_id = ? AND status = 'waiting'", contactID)
	if err != nil {
		return "", false, err
	}
	defer rows.Close()
	for rows.Next() {
		var c, e string
		if err := rows.Scan(&c, &e); err != nil {
			return "", false, err
		}
		for _, r := range refs {
			if r.campaign == c && r.event == e {
				if !waiting || item == "" {
					item = r.item
				}
				waiting = true
			}
		}
	}
	return item, waiting, rows.Err()
}

func (x *DWCDecisions) refs(ctx context.Context, slot string) ([]dwcRef, error) {
	gen := x.gen.Load()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.built == gen && time.Since(x.builtAt) < dwcIndexTTL {
		return x.bySlot[slot], nil
	}
	ids, err := db.Strings(x.d.R.QueryContext(ctx, "SELECT id FROM campaigns WHERE is_published = 1 AND deleted = 0"))
	if err != nil {
		return nil, err
	}
	by := map[string][]dwcRef{}
	for _, id := range ids {
		c, err := load(x.d.R, id)
		if err != nil {
			return nil, err
		}
		if c == nil {
			continue
		}
		for i := range c.graph.Events {
			ev := &c.graph.Events[i]
			s := dwcSlotOf(ev)
			if ev.Type != "dwc.request" || s == "" {
				continue
			}
			r := dwcRef{campaign: c.id, event: ev.ID, item: ev.Prop("default")}
			for _, k := range c.children(ev.ID, "yes") {
				if k.Type == "dwc.push" && (k.Trigger.Mode == "" || k.Trigger.Mode == "immediate") &&
					strings.EqualFold(strings.TrimSpace(k.Prop("slot")), s) && k.Prop("dwc") != "" {
					r.item = k.Prop("dwc")
					break
				}
			}
			by[strings.ToLower(s)] = append(by[strings.ToLower(s)], r)
		}
	}
	x.bySlot, x.built, x.builtAt = by, gen, time.Now()
	return by[slot], nil
}
