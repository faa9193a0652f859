package campaigns

import (
	"regexp"
	"strings"
	"sync"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
)

// CampaignEvent is the timeline type of every finished campaign step (rows of the view
// campaign_events over campaign_log; data: event, type, path, status, reason).
const CampaignEvent = events.CampaignEvent

// Decisions read the event itself, never the behaviour aggregates: a lazy hook.
func init() {
	events.OnAppendLazy(onEvent) // reads no behaviour aggregates
	contacts.OnMerge(mergeContacts)
}

// decisionTypes maps behaviour events to the decisions they can fire.
var decisionTypes = map[events.Type][]string{
	events.EmailRead:       {"email.open"},
	events.EmailClicked:    {"email.click"},
	events.PageHit:         {"page.visit", "device.type"},
	events.FormSubmitted:   {"form.submit"},
	events.AssetDownloaded: {"asset.download"},
}

// waitingSQL selects the steps contact ? waits on, through the partial index
// campaign_log_waiting (plan checked in entryplan_test.go).
const waitingSQL = `SELECT l.id, l.step, k.campaign_id, k.event_id, l.rotation FROM campaign_log l
	JOIN campaign_step_keys k ON k.k = l.step WHERE l.contact_id = ? AND l.status = 'waiting' ORDER BY l.id`

// onEvent runs inside the transaction that stores e: a form submission enters form-source
// campaigns, and decisions the contact is waiting on fire at once (§4.4 real time).
func onEvent(tx *db.Tx, e events.Event) error {
	if e.Type == events.FormSubmitted && e.ObjectID != "" {
		if err := formEntry(tx, e); err != nil {
			return err
		}
	}
	types := decisionTypes[e.Type]
	if len(types) == 0 {
		return nil
	}
	rows, err := tx.Query(waitingSQL, e.ContactID)
	if err != nil {
		return err
	}
	type waiting struct {
		id       int64
		step     int64
		campaign string
		event    string
		rotation int
	}
	var ws []waiting
	for rows.Next() {
		var w waiting
		if err := rows.Scan(&w.id, &w.step, &w.campaign, &w.event, &w.rotation); err != nil {
			rows.Close()
			return err
		}
		ws = append(ws, w)
	}
	rows.Close()
	if len(ws) == 0 {
		return nil
	}
	now := tx.NowMs()
	for _, w := range ws {
		c, err := load(txQuerier{tx}, w.campaign)
		if err != nil {
			return err
		}
		if c == nil {
			continue
		}
		ev := c.byID[w.event]
		if ev == nil || !contains(types, ev.Type) || !matches(tx, c, ev, e) {
			continue
		}
		r, err := tx.Exec(`UPDATE campaign_log SET status = 'done', path = 'yes', ref_at = ?, done_at = ? WHERE id = ? AND status = 'waiting'`, now, now, w.id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			continue
		}
		moved(tx)
		if err := addCount(tx, w.step, stWaiting, -1); err != nil {
			return err
		}
		if err := addCount(tx, w.step, stDone, 1); err != nil {
			return err
		}
		if x, ok := decisionExt[ev.Type]; ok && x.fired != nil {
			if err := x.fired(tx, c, ev, e); err != nil {
				return err
			}
		}
		tx.Signal("event", "") // the step shows in the timeline (view campaign_events)
		if err := fanout(tx, c, c.children(ev.ID, "yes"), "SELECT ? AS contact_id, ? AS rotation, ? AS ref_at",
			[]any{e.ContactID, w.rotation, now}); err != nil {
			return err
		}
		tx.Signal("campaign_log", c.id)
		tx.Signal(countsTopic, c.id)
	}
	return nil
}

func label(ev *Event) string {
	if ev.Name != "" {
		return ev.Name
	}
	return ev.Type
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// matches applies a decision's own settings to the arriving event (§4.2 decisions).
func matches(tx *db.Tx, c *compiled, ev *Event, e events.Event) bool {
	switch ev.Type {
	case "email.open", "email.click":
		parent := c.byID[ev.ParentID()]
		if parent == nil || parent.Type != "email.send" {
			return false
		}
		if !sameEmail(tx, parent.Prop("email"), e.ObjectID) {
			return false
		}
		if ev.Type == "email.click" {
			return matchAny(ev.PropList("urls"), e.URL)
		}
		return true
	case "page.visit":
		return matchAny(ev.PropList("urls"), e.URL)
	case "device.type":
		types := ev.PropList("types")
		if len(types) > 0 && !contains(types, strings.ToLower(e.Device.Type)) {
			return false
		}
		os := ev.PropList("os")
		return len(os) == 0 || contains(os, e.Device.OS)
	case "form.submit":
		forms := ev.PropList("forms")
		return len(forms) == 0 || contains(forms, e.ObjectID)
	case "asset.download":
		assets := ev.PropList("assets")
		return len(assets) == 0 || contains(assets, e.ObjectID)
	}
	if x, ok := decisionExt[ev.Type]; ok {
		return x.match(tx, c, ev, e)
	}
	return false
}

// sameEmail: the opened email is the sent one or one of its variants/translations.
func sameEmail(tx *db.Tx, sent, got string) bool {
	if sent == "" || got == "" {
		return false
	}
	if sent == got {
		return true
	}
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM emails a, emails b WHERE a.id = ? AND b.id = ?
		AND coalesce(a.variant_parent_id, a.translation_parent_id, a.id) = coalesce(b.variant_parent_id, b.translation_parent_id, b.id)`,
		sent, got).Scan(&n)
	return err == nil && n > 0
}

// matchAny: no pattern matches everything; else any comma-separated fnmatch pattern
// (case-sensitive, `*` and `?` wildcards, as Mautic: Q16 compatible).
func matchAny(patterns []string, s string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if globRe(p).MatchString(s) {
			return true
		}
	}
	return false
}

var (
	globMu sync.Mutex
	globs  = map[string]*regexp.Regexp{}
)

func globRe(p string) *regexp.Regexp {
	globMu.Lock()
	defer globMu.Unlock()
	if re, ok := globs[p]; ok {
		return re
	}
	var b strings.Builder
	b.WriteString("^")
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	re := regexp.MustCompile(b.String())
	globs[p] = re
	return re
}

// formEntry adds the submitting contact to published campaigns with this form as a source
// (a manual member, so a rebuild never removes it; §4.5).
func formEntry(tx *db.Tx, e events.Event) error {
	ids, err := publishedIDs(tx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		c, err := load(txQuerier{tx}, id)
		if err != nil || c == nil {
			if err != nil {
				return err
			}
			continue
		}
		hit := false
		for _, s := range c.graph.Sources {
			if s.Type == "form" && contains(s.IDs, e.ObjectID) {
				hit = true
			}
		}
		if !hit {
			continue
		}
		if err := prepCand(tx); err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO camp_cand VALUES(?)", e.ContactID); err != nil {
			return err
		}
		if _, err := addMembers(tx, c, true); err != nil {
			return err
		}
	}
	return nil
}

func publishedIDs(tx *db.Tx) ([]string, error) {
	return db.Strings(tx.Query("SELECT id FROM campaigns WHERE is_published = 1 AND deleted = 0"))
}

// mergeContacts moves the merged-away contact's campaign memberships and steps to the
// survivor (the survivor's own rows win where both have one; the loser's leftovers are
// canceled so nothing runs twice for the same person).
func mergeContacts(tx *db.Tx, winner, loser string) error {
	for _, q := range []string{
		"UPDATE OR IGNORE campaign_members SET contact_id = ? WHERE contact_id = ?",
		"UPDATE OR IGNORE campaign_log SET contact_id = ? WHERE contact_id = ?",
	} {
		if _, err := tx.Exec(q, winner, loser); err != nil {
			return err
		}
	}
	if _, err := tx.Exec("DELETE FROM campaign_members WHERE contact_id = ?", loser); err != nil {
		return err
	}
	n, err := setStatus(tx, "status = 'canceled', reason = 'contact merged', done_at = ?", []any{tx.NowMs()},
		"contact_id = ? AND status IN ('scheduled', 'waiting')", loser)
	if err == nil && n > 0 {
		tx.Signal(countsTopic, "")
	}
	return err
}
