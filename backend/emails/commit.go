package emails

import (
	"context"
	"database/sql"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/listing"
)

// commit stores the outcomes of a batch in one transaction: row states, counters, events,
// bounces as DNC.
func (s *Service) commit(ctx context.Context, outs []outcome, st Settings) error {
	if len(outs) == 0 {
		return nil
	}
	names := map[string]string{}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.NowMs()
		day := dayOf(tx.Now())
		counts := map[[2]string]int64{}
		ops := contacts.NewOps(tx, "email")
		for _, o := range outs {
			c := o.c
			countID := o.variantID
			if countID == "" {
				countID = c.emailID
			}
			var err error
			switch o.kind {
			case "sent":
				_, err = tx.Exec(`UPDATE email_sends SET state = 'sent', sent_at = ?, variant_id = ?, address = ?, owner = NULL,
					error = NULL, reason = NULL WHERE seq = ?`, now, nullable(o.variantID), nullable(o.address), c.seq)
				counts[[2]string{countID, "sent"}]++
				if err == nil {
					err = s.appendEvent(tx, names, c, events.EmailSent, o, nil)
				}
			case "skipped":
				_, err = tx.Exec(`UPDATE email_sends SET state = 'skipped', reason = ?, error = ?, owner = NULL, attempts = attempts - 1
					WHERE seq = ?`, o.reason, nullable(o.err), c.seq)
				counts[[2]string{countID, "skipped"}]++
				counts[[2]string{countID, "skipped_" + o.reason}]++
			case "deferred":
				_, err = tx.Exec(`UPDATE email_sends SET state = 'pending', reason = ?, next_at = ?, owner = NULL,
					attempts = attempts - 1 WHERE seq = ?`, o.reason, o.nextAt, c.seq)
			case "retry":
				_, err = tx.Exec(`UPDATE email_sends SET state = 'pending', reason = ?, error = ?, next_at = ?, owner = NULL
					WHERE seq = ?`, o.reason, o.err, o.nextAt, c.seq)
			case "failed", "bounced":
				_, err = tx.Exec(`UPDATE email_sends SET state = 'failed', reason = ?, error = ?, variant_id = ?, address = ?,
					owner = NULL WHERE seq = ?`, o.reason, o.err, nullable(o.variantID), nullable(o.address), c.seq)
				counts[[2]string{countID, "failed"}]++
				if o.kind == "bounced" {
					counts[[2]string{countID, "bounced"}]++
					if err == nil {
						err = ops.SetDNC(c.contactID, "email", contacts.ReasonBounced, c.emailID, o.err)
					}
				}
				if err == nil {
					err = s.appendEvent(tx, names, c, events.EmailFailed, o, map[string]any{"reason": o.reason, "error": o.err})
				}
			case "uncertain":
				_, err = tx.Exec(`UPDATE email_sends SET state = 'pending', owner = NULL, reason = ? WHERE seq = ?`, o.reason, c.seq)
				counts[[2]string{c.emailID, "resent_uncertain"}]++
			default: // release: back to the queue untouched
				_, err = tx.Exec(`UPDATE email_sends SET state = 'pending', owner = NULL, attempts = max(attempts - 1, 0)
					WHERE seq = ?`, c.seq)
			}
			if err != nil {
				return err
			}
		}
		roots := map[string]bool{}
		for _, o := range outs {
			if o.kind == "sent" {
				roots[o.c.emailID] = true
			}
		}
		if err := abStarted(tx, roots); err != nil {
			return err
		}
		for k, n := range counts {
			if err := addCount(tx, k[0], day, "", k[1], n); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) appendEvent(tx *db.Tx, names map[string]string, c claimed, typ events.Type, o outcome, data map[string]any) error {
	name, ok := names[c.emailID]
	if !ok {
		if err := tx.QueryRow("SELECT name FROM emails WHERE id = ?", c.emailID).Scan(&name); err != nil && err != sql.ErrNoRows {
			return err
		}
		names[c.emailID] = name
	}
	if data == nil {
		data = map[string]any{}
	}
	data["msgId"] = c.msgID
	if o.variantID != "" && o.variantID != c.emailID {
		data["variantId"] = o.variantID
	}
	_, err := events.Append(tx, events.Event{ID: string(typ) + ":" + c.msgID, ContactID: c.contactID, Type: typ,
		ObjectID: c.emailID, ObjectName: name, Source: c.source, Data: data})
	return err
}

// Reconcile settles the rows left "sending" by instances that died: those their journal
// shows the server accepted become sent, the others go back to the queue with their
// Message-ID (so a resend is recognisable as the same message).
func (s *Service) Reconcile(ctx context.Context) error {
	dead, live, err := journals(s.dir)
	if err != nil {
		return err
	}
	defer func() {
		for _, d := range dead {
			d.f.Close()
		}
	}()
	byOwner := map[string]*deadJournal{}
	for _, d := range dead {
		byOwner[d.owner] = d
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT seq, email_id, contact_id, source, coalesce(msg_id, ''), attempts,
		coalesce(owner, '') FROM email_sends WHERE state = 'sending'`)
	if err != nil {
		return err
	}
	var outs []outcome
	for rows.Next() {
		var c claimed
		var owner string
		if err := rows.Scan(&c.seq, &c.emailID, &c.contactID, &c.source, &c.msgID, &c.attempts, &owner); err != nil {
			rows.Close()
			return err
		}
		if live[owner] {
			continue
		}
		o := outcome{c: c, kind: "release"}
		if d := byOwner[owner]; d != nil {
			if a, ok := d.accepted[c.msgID]; ok {
				o.kind, o.variantID, o.address = "sent", a.variantID, a.address
			} else if d.inflight[c.msgID] {
				// Transmission started, no acceptance recorded: the server may hold it. Resent
				// with the same Message-ID (receivers deduplicate); marked for the record.
				o.kind, o.reason = "uncertain", "resend_uncertain"
			}
		}
		outs = append(outs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := s.commit(ctx, outs, Settings{MaxAttempts: 5}); err != nil {
		return err
	}
	for _, d := range dead {
		d.done()
	}
	return nil
}

// frequency returns, for contacts over their frequency rule, when they may receive again.
func (s *Service) frequency(ctx context.Context, idList []string, st Settings) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	type rule struct {
		n          int
		per        string
		from, till sql.NullInt64
	}
	rules := map[string]rule{}
	rows, err := s.db.R.QueryContext(ctx, `SELECT contact_id, frequency_number, frequency_time, pause_from, pause_to
		FROM frequency_rules WHERE deleted = 0 AND channel = 'email' AND contact_id IN (`+listing.Placeholders(len(idList))+`)`,
		listing.Strings(idList)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var r rule
		if err := rows.Scan(&id, &r.n, &r.per, &r.from, &r.till); err != nil {
			rows.Close()
			return nil, err
		}
		rules[id] = r
	}
	rows.Close()
	if st.FrequencyNumber <= 0 && len(rules) == 0 {
		return out, nil
	}
	now := s.db.Clock.Now()
	for _, id := range idList {
		r, ok := rules[id]
		if !ok {
			r = rule{n: st.FrequencyNumber, per: st.FrequencyTime}
		}
		if r.from.Valid && r.till.Valid && now.UnixMilli() >= r.from.Int64 && now.UnixMilli() < r.till.Int64 {
			out[id] = time.UnixMilli(r.till.Int64)
			continue
		}
		if r.n <= 0 {
			continue
		}
		period := 24 * time.Hour
		switch r.per {
		case "WEEK":
			period = 7 * 24 * time.Hour
		case "MONTH":
			period = 30 * 24 * time.Hour
		}
		var n int
		var oldest sql.NullInt64
		if err := s.db.R.QueryRowContext(ctx, recentSendsSQL, id, now.Add(-period).UnixMilli()).Scan(&n, &oldest); err != nil {
			return nil, err
		}
		if n >= r.n {
			// Mautic reschedules one period later; waiting until the oldest send leaves the
			// window is the earliest moment the rule allows.
			until := now.Add(period)
			if oldest.Valid {
				until = time.UnixMilli(oldest.Int64).Add(period)
			}
			out[id] = until
		}
	}
	return out, nil
}

// recentSendsSQL counts a contact's sends since a time for the frequency rules, through the
// partial index email_sends_contact (sent rows only, 0091).
const recentSendsSQL = `SELECT count(*), min(sent_at) FROM email_sends
	WHERE contact_id = ? AND state = 'sent' AND sent_at >= ?`
