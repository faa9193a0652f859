package campaigns

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/dwc"
	"magpie/backend/emails"
	"magpie/backend/fields"
	"magpie/backend/segments"
	"magpie/backend/stages"
)

// batchRow is one contact of camp_batch still to run.
type batchRow struct {
	logID   int64
	contact string
}

func (x *execCtx) rows() ([]batchRow, error) {
	rs, err := x.tx.Query("SELECT log_id, contact_id FROM camp_batch WHERE ok = 1 ORDER BY log_id")
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []batchRow
	for rs.Next() {
		var r batchRow
		if err := rs.Scan(&r.logID, &r.contact); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// mark records a row's outcome.
func (x *execCtx) mark(logID int64, ok int, reason string) error {
	_, err := x.tx.Exec("UPDATE camp_batch SET ok = ?, reason = ? WHERE log_id = ?", ok, reason, logID)
	return err
}

func (x *execCtx) markAll(ok int, reason string) error {
	_, err := x.tx.Exec("UPDATE camp_batch SET ok = ?, reason = ? WHERE ok = 1", ok, reason)
	return err
}

// action runs an action for the batch, leaving each row's outcome in camp_batch.
func (x *execCtx) action(c *compiled, ev *Event) error {
	switch ev.Type {
	case "email.send":
		return x.sendEmail(ev)
	case "campaign.change":
		return x.changeCampaigns(c, ev)
	case "jump":
		return x.jump(c, ev)
	case "webhook":
		return x.webhooks(c, ev)
	case "contact.tags":
		return x.bulkTags(ev)
	case "points.adjust":
		return x.bulkPoints(c, ev)
	}
	perContact, err := x.perContact(c, ev)
	if err != nil {
		return err
	}
	rows, err := x.rows()
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := perContact(r.contact); err != nil {
			if isHard(err) {
				return err
			}
			outcome := okFailEnd
			var se softError
			if errors.As(err, &se) && se.skip {
				outcome = okSkip
			}
			if err := x.mark(r.logID, outcome, err.Error()); err != nil {
				return err
			}
		}
	}
	return nil
}

// softError is an outcome for one contact (recorded, the batch goes on); skip=true means
// "pass with a note": the path continues.
type softError struct {
	msg  string
	skip bool
}

func (e softError) Error() string { return e.msg }

func soft(format string, a ...any) error { return softError{msg: fmt.Sprintf(format, a...)} }

func skip(msg string) error { return softError{msg: msg, skip: true} }

// isHard reports a store failure that must abort the batch (nothing half-done commits).
func isHard(err error) bool {
	var se softError
	if errors.As(err, &se) || errors.Is(err, contacts.ErrNotFound) {
		return false
	}
	if _, ok := apperr.As(err); ok {
		return false
	}
	return true
}

// perContact returns the function that applies ev to one contact.
func (x *execCtx) perContact(c *compiled, ev *Event) (func(string) error, error) {
	ops := contacts.NewOps(x.tx, "campaign")
	switch ev.Type {
	case "dnc.add", "dnc.remove":
		chans := ev.PropList("channels")
		if len(chans) == 0 {
			chans = []string{"email"}
		}
		note := ev.Prop("reason")
		return func(id string) error {
			for _, ch := range chans {
				var err error
				if ev.Type == "dnc.add" {
					err = ops.SetDNC(id, ch, contacts.ReasonManual, c.id, note)
				} else {
					_, err = ops.RemoveDNC(id, ch)
				}
				if err != nil {
					return err
				}
			}
			return nil
		}, nil
	case "segment.change":
		add, rm := ev.PropList("add"), ev.PropList("remove")
		return func(id string) error {
			for _, set := range []struct {
				ids []string
				add bool
			}{{add, true}, {rm, false}} {
				for _, seg := range set.ids {
					if _, err := segments.ManualTx(x.tx, x.segmentID(seg), id, set.add); err != nil {
						return err
					}
				}
			}
			return nil
		}, nil
	case "contact.update", "owner.change":
		cols, err := x.values(ev)
		if err != nil {
			return nil, x.markAll(okFailEnd, err.Error())
		}
		return func(id string) error { return ops.Update(id, cols) }, nil
	case "company.update":
		cols, err := x.companyValues(ev)
		if err != nil {
			return nil, x.markAll(okFailEnd, err.Error())
		}
		return func(id string) error {
			var company string
			err := x.tx.QueryRow(`SELECT company_id FROM company_contacts WHERE contact_id = ? AND is_primary = 1 AND deleted = 0 LIMIT 1`, id).Scan(&company)
			if err != nil {
				return soft("the contact has no primary company")
			}
			cols["date_modified"] = x.tx.NowMs()
			_, err = x.tx.Update("companies", company, cols)
			return err
		}, nil
	case "stage.change":
		stage := ev.Prop("stage")
		return func(id string) error {
			out, err := stages.Move(x.tx, id, stage, "campaign", false)
			if err == nil && out == stages.Backward {
				return soft("the contact's stage weighs more: not moved back")
			}
			if err == nil && out == stages.Same {
				return skip("already in that stage")
			}
			return err
		}, nil
	case "dwc.push":
		slot, item := ev.Prop("slot"), ev.Prop("dwc")
		var ok int
		if err := x.tx.QueryRow("SELECT EXISTS(SELECT 1 FROM dwc_slots WHERE id = ? AND deleted = 0)", item).Scan(&ok); err != nil {
			return nil, err
		}
		if ok == 0 || !dwc.ValidSlot(slot) {
			return nil, x.markAll(okFailEnd, fmt.Sprintf("dynamic content %q for slot %q: no such item (deleted?) or not a slot name", item, slot))
		}
		return func(id string) error { return dwc.Push(x.tx, id, slot, item) }, nil
	case "contact.delete":
		return func(id string) error {
			_, err := ops.Delete(id)
			return err
		}, nil
	}
	return nil, x.markAll(okFailEnd, fmt.Sprintf("%q is not available yet", ev.Type))
}

func (x *execCtx) segmentID(ref string) string {
	var id string
	if err := x.tx.QueryRow("SELECT id FROM segments WHERE (id = ? OR alias = ?) AND deleted = 0 LIMIT 1", ref, ref).Scan(&id); err != nil {
		return ref
	}
	return id
}

// values parses the configured field values once (blanks ignored, as Mautic).
func (x *execCtx) values(ev *Event) (db.Cols, error) {
	if ev.Type == "owner.change" {
		return db.Cols{"owner_id": ev.Prop("owner")}, nil
	}
	raw := map[string]string{}
	if m, ok := ev.Props["values"].(map[string]any); ok {
		for k, v := range m {
			if s := strings.TrimSpace(fmt.Sprint(v)); v != nil && s != "" {
				raw[k] = s
			}
		}
	}
	if len(raw) == 0 {
		return nil, soft("no value to write")
	}
	if x.s.deps.Contacts == nil {
		return nil, soft("contacts service unavailable")
	}
	return x.s.deps.Contacts.ParseValues(context.Background(), raw, fields.ParseOptions{})
}

func (x *execCtx) companyValues(ev *Event) (db.Cols, error) {
	raw := map[string]string{}
	if m, ok := ev.Props["values"].(map[string]any); ok {
		for k, v := range m {
			if s := strings.TrimSpace(fmt.Sprint(v)); v != nil && s != "" {
				raw[k] = s
			}
		}
	}
	if len(raw) == 0 {
		return nil, soft("no value to write")
	}
	cols := db.Cols{}
	for k, v := range raw {
		cols[k] = v // company fields are text-typed here; unknown columns fail the batch row
	}
	return cols, nil
}

// sendEmail queues the email for the batch in a few statements (§4.2 email.send).
func (x *execCtx) sendEmail(ev *Event) error {
	tx := x.tx
	emailID := ev.Prop("email")
	var live int
	if err := tx.QueryRow("SELECT count(*) FROM emails WHERE id = ? AND deleted = 0", emailID).Scan(&live); err != nil {
		return err
	}
	if live == 0 {
		return x.markAll(okFailEnd, fmt.Sprintf("email %q does not exist (deleted?)", emailID))
	}
	transactional := ev.Prop("emailType") == "transactional"
	for _, q := range []struct {
		sql, reason string
		ok          int
		skip        bool // marketing only
	}{
		{`coalesce((SELECT email FROM contacts c WHERE c.id = camp_batch.contact_id), '') = ''`, "no email address", okFailEnd, false},
		{`EXISTS (SELECT 1 FROM email_sends es WHERE es.email_id = ? AND es.contact_id = camp_batch.contact_id)`, "already received", okSkip, true},
		{`EXISTS (SELECT 1 FROM dnc d WHERE d.contact_id = camp_batch.contact_id AND d.channel = 'email' AND d.deleted = 0)`, "do not contact", okFailEnd, true},
	} {
		if q.skip && transactional {
			continue
		}
		args := []any{q.ok, q.reason}
		if strings.Contains(q.sql, "?") {
			args = append(args, emailID)
		}
		if _, err := tx.Exec("UPDATE camp_batch SET ok = ?, reason = ? WHERE ok = 1 AND "+q.sql, args...); err != nil {
			return err
		}
	}
	source, dedupe := emails.SourceCampaign, "''"
	if transactional {
		source, dedupe = emails.SourceTransactional, "'campaign:' || log_id"
	}
	n, err := emails.QueueSelect(tx, emailID, source, "SELECT contact_id, "+dedupe+" AS dedupe FROM camp_batch WHERE ok = 1", nil)
	if n > 0 {
		x.queued = true
	}
	return err
}

// changeCampaigns adds the batch to / removes it from campaigns (manual membership).
func (x *execCtx) changeCampaigns(c *compiled, ev *Event) error {
	tx := x.tx
	fill := func() error {
		if _, err := tx.Exec("DELETE FROM camp_cand"); err != nil {
			return err
		}
		_, err := tx.Exec("INSERT OR IGNORE INTO camp_cand SELECT contact_id FROM camp_batch WHERE ok = 1")
		return err
	}
	for _, id := range ev.PropList("remove") {
		if id == "this" {
			id = c.id
		}
		if err := fill(); err != nil {
			return err
		}
		if _, err := removeMembers(tx, id, true); err != nil {
			return err
		}
	}
	for _, id := range ev.PropList("add") {
		if id == "this" {
			id = c.id
		}
		target, err := load(txQuerier{tx}, id)
		if err != nil {
			return err
		}
		if target == nil {
			continue // not published: nothing to enter (Mautic adds only to published ones)
		}
		if err := fill(); err != nil {
			return err
		}
		if _, err := addMembers(tx, target, true); err != nil {
			return err
		}
	}
	return nil
}

// jump starts a new rotation for the batch and schedules the target event (§4.2).
func (x *execCtx) jump(c *compiled, ev *Event) error {
	target := c.byID[ev.Prop("event")]
	if target == nil {
		return x.markAll(okFailEnd, fmt.Sprintf("jump target %q is not in the campaign", ev.Prop("event")))
	}
	tx := x.tx
	k, err := campaignKey(tx, c.id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE campaign_members SET rotation = rotation + 1, started = rotation + 1
		WHERE campaign_key = ? AND contact_id IN (SELECT contact_id FROM camp_batch WHERE ok = 1)`, k); err != nil {
		return err
	}
	return fanout(tx, c, []*Event{target}, fmt.Sprintf(`SELECT b.contact_id, m.rotation, %d AS ref_at FROM camp_batch b
		JOIN campaign_members m ON m.campaign_key = ? AND m.contact_id = b.contact_id WHERE b.ok = 1`, x.nowMs()), []any{k})
}
