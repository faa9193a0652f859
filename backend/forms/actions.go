package forms

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/emails"
	"magpie/backend/events"
	"magpie/backend/ids"
	"magpie/backend/segments"
	"magpie/backend/stages"
)

func init() {
	// Lazy: submit actions never read the behaviour aggregates (what they append settles
	// its own contact), so the tracker's ingest batch keeps them pending.
	events.OnAppendLazy(onEvent)
}

// onEvent stores the result of a submission of a known form and runs its submit actions,
// inside the transaction that appends the form.submitted event (the tracker's ingest): the
// result, tags, segments, points, DNC, queued emails and webhooks commit with the event or
// not at all, and the event id (the hit id) makes a replay a no-op.
func onEvent(tx *db.Tx, e events.Event) error {
	if e.Type != events.FormSubmitted || e.ObjectID == "" {
		return nil
	}
	f, err := scanForm(tx.QueryRow("SELECT "+formCols+" FROM forms WHERE id = ?", e.ObjectID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil // a basic form post (no definition): the event alone
	}
	if err != nil {
		return fmt.Errorf("forms: load form %s: %w", e.ObjectID, err)
	}
	vals := valuesOf(e.Data)
	run := &actionRun{tx: tx, ops: contacts.NewOps(tx, Source), form: &f, ev: e, vals: vals}
	if err := run.applyCompany(); err != nil {
		return fmt.Errorf("forms: form %q company fields: %w", f.Name, err)
	}
	for i, a := range f.Actions {
		if err := run.do(i, a); err != nil {
			return fmt.Errorf("forms: form %q action %d (%s): %w", f.Name, i+1, a.Type, err)
		}
	}
	ip, _ := e.Data["ip"].(string)
	_, err = tx.Exec(`INSERT INTO form_results(id, form_id, contact_id, at, url, ip, vals, issues) VALUES(?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO NOTHING`, e.ID, f.ID, e.ContactID, e.At.UnixMilli(), nz(e.URL), nz(ip), toJSON(vals), toJSON(run.issues))
	if err != nil {
		return err
	}
	tx.Signal("form_results:changed", f.ID)
	return nil
}

// valuesOf reads the submitted values from the event data ("values": {alias: value}).
func valuesOf(d map[string]any) map[string]string {
	out := map[string]string{}
	switch v := d["values"].(type) {
	case map[string]string:
		for k, x := range v {
			out[k] = x
		}
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok {
				out[k] = s
			}
		}
	}
	return out
}

type actionRun struct {
	tx     *db.Tx
	ops    *contacts.Ops
	form   *Form
	ev     events.Event
	vals   map[string]string
	issues []string
}

// soft records an action that could not run because what it names is gone; the submission
// and the other actions still count.
func (r *actionRun) soft(format string, a ...any) {
	r.issues = append(r.issues, fmt.Sprintf(format, a...))
}

func (r *actionRun) do(i int, a Action) error {
	c := r.ev.ContactID
	switch a.Type {
	case ActTags:
		return r.ops.Tag(c, a.Add, a.Remove)
	case ActSegments:
		for _, add := range []bool{true, false} {
			list := a.Add
			if !add {
				list = a.Remove
			}
			for _, ref := range list {
				var id string
				err := r.tx.QueryRow("SELECT id FROM segments WHERE (id = ?1 OR alias = ?1) AND deleted = 0", ref).Scan(&id)
				if errors.Is(err, sql.ErrNoRows) {
					r.soft("segment %q does not exist (or is in the trash)", ref)
					continue
				}
				if err != nil {
					return err
				}
				changed, err := segments.ManualTx(r.tx, id, c, add)
				if err != nil {
					return err
				}
				if changed {
					r.tx.Signal(segments.Topic, c)
					r.tx.Signal(segments.Topic+"s", id)
				}
			}
		}
		return nil
	case ActPoints:
		return r.ops.AdjustPoints(c, a.Points, "form: "+r.form.Name)
	case ActEmail:
		if !r.exists("emails", a.EmailID) {
			r.soft("email %q does not exist (or is in the trash)", a.EmailID)
			return nil
		}
		_, err := emails.Enqueue(r.tx, a.EmailID, c, "form:"+r.ev.ID, Source, time.Time{})
		return err
	case ActUserEmail:
		if !r.exists("emails", a.EmailID) {
			r.soft("email %q does not exist (or is in the trash)", a.EmailID)
			return nil
		}
		return r.outbox(i, "user_email", a.To, a.EmailID, "")
	case ActWebhook:
		body := map[string]any{"form": map[string]any{"id": r.form.ID, "name": r.form.Name}, "contactId": c,
			"submissionId": r.ev.ID, "at": r.ev.At.UTC().Format(time.RFC3339), "values": r.vals}
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		return r.outbox(i, "webhook", a.URL, "", string(b))
	case ActStage:
		if !r.exists("stages", a.Stage) {
			r.soft("stage %q does not exist (or is in the trash)", a.Stage)
			return nil
		}
		_, err := stages.Move(r.tx, c, a.Stage, Source, false)
		return err
	case ActDNC:
		ch := a.Channel
		if ch == "" {
			ch = "email"
		}
		if a.DNC == "remove" {
			_, err := r.ops.RemoveDNC(c, ch)
			return err
		}
		return r.ops.SetDNC(c, ch, contacts.ReasonManual, r.form.ID, "form: "+r.form.Name)
	}
	// redirect, message, asset: answered by the tracker; campaign: the campaign engine reacts to
	// the form.submitted event (its data names the campaigns).
	return nil
}

func (r *actionRun) exists(table, id string) bool {
	var n int
	_ = r.tx.QueryRow("SELECT count(*) FROM "+table+" WHERE id = ? AND deleted = 0", id).Scan(&n)
	return n > 0
}

func (r *actionRun) outbox(i int, kind, target, ref, body string) error {
	_, err := r.tx.Exec(`INSERT INTO form_outbox(id, kind, target, ref, body, created_at) VALUES(?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO NOTHING`, ids.Derived("form_outbox", r.ev.ID, fmt.Sprint(i)), kind, target, ref, body, r.tx.NowMs())
	if err == nil {
		r.tx.Signal("form_outbox", "")
	}
	return err
}

func nz(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
