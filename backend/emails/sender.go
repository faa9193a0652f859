package emails

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/mail"
	"strings"
	"sync"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fold"
	"magpie/backend/ids"
	"magpie/backend/listing"
	"magpie/backend/sending"
)

// DrainOptions tune a drain of the send queue.
type DrainOptions struct {
	EmailID string // only this email's sends ("" = everything due)
	Batch   int    // rows claimed per transaction (default 200)
	Workers int    // parallel SMTP sessions (default: the SMTP pool size)
	// Progress is called after each committed batch.
	Progress func(DrainStats)
	// AfterAccept is a test hook run after each message the server accepted (before its
	// state is committed): the kill test stops the process there.
	AfterAccept func(msgID string)
	// AfterClaim is a test hook run after each batch is claimed (intent committed), before
	// any SMTP traffic for it.
	AfterClaim func(batch int)
}

// DrainStats counts what a drain did.
type DrainStats struct {
	Sent     int64 `json:"sent"`
	Failed   int64 `json:"failed"`
	Bounced  int64 `json:"bounced"`
	Skipped  int64 `json:"skipped"`
	Deferred int64 `json:"deferred"` // over a frequency rule: queued for later
	Retrying int64 `json:"retrying"` // temporary failures waiting for their backoff
}

type claimed struct {
	seq                        int64
	emailID, contactID, source string
	msgID                      string
	attempts                   int
}

type outcome struct {
	c         claimed
	kind      string // sent | skipped | deferred | retry | failed | bounced | release
	reason    string
	err       string
	variantID string
	address   string
	nextAt    int64
}

// backoff is the wait before retry n (1-based) of a temporary failure.
func backoff(n int) time.Duration {
	steps := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}
	if n < 1 {
		n = 1
	}
	if n > len(steps) {
		return steps[len(steps)-1]
	}
	return steps[n-1]
}

// Drain sends what is due in the queue until nothing is left (or ctx ends). Every claimed
// row gets a stable Message-ID before the SMTP transaction; accepted messages are journaled
// at once and committed per batch; a restart reconciles by Message-ID (see journal).
func (s *Service) Drain(ctx context.Context, opt DrainOptions) (DrainStats, error) {
	var total DrainStats
	s.drainMu.Lock()
	defer s.drainMu.Unlock()
	s.mu.Lock()
	lease, mk := s.lease, s.mailer
	s.mu.Unlock()
	if !lease.Held(ctx) {
		return total, apperr.New(apperr.Unavailable, "emails.errors.notExecutor",
			"another device holds the send lease: it sends this team's emails", nil)
	}
	if err := s.Reconcile(ctx); err != nil {
		return total, err
	}
	if _, err := s.DecideWinners(ctx); err != nil {
		return total, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return total, err
	}
	links, err := s.Links(ctx)
	if err != nil {
		return total, err
	}
	if opt.Batch <= 0 {
		opt.Batch = 200
	}
	if opt.Workers <= 0 {
		opt.Workers = st.SMTP.Connections
		if opt.Workers <= 0 {
			opt.Workers = 2
		}
	}
	var mailer sending.Mailer
	owner := ids.New()
	j, err := openJournal(s.dir, owner)
	if err != nil {
		return total, err
	}
	defer j.close()
	fams := map[string]*family{}
	batches := 0
	leaseAt := time.Now()
	for ctx.Err() == nil {
		if time.Since(leaseAt) > 30*time.Second {
			// Renew the executor lease between batches; losing it stops this sender.
			if !lease.Held(ctx) {
				return total, apperr.New(apperr.Unavailable, "emails.errors.leaseLost",
					"another device took over sending for the team; this one stopped", nil)
			}
			leaseAt = time.Now()
			// A/B tests whose time came during a long drain: decide, render winners from now.
			if won, err := s.DecideWinners(ctx); err != nil {
				return total, err
			} else if len(won) > 0 {
				fams = map[string]*family{}
			}
		}
		batch, err := s.claim(ctx, owner, opt.EmailID, opt.Batch)
		if err != nil {
			return total, err
		}
		if len(batch) == 0 {
			break
		}
		batches++
		if opt.AfterClaim != nil {
			opt.AfterClaim(batches)
		}
		if mailer == nil {
			if mailer, err = mk(st); err != nil {
				s.release(context.WithoutCancel(ctx), batch)
				return total, smtpConfigError(err)
			}
			defer mailer.Close()
		}
		outs, fatal := s.process(ctx, batch, fams, st, links, mailer, j, opt)
		if err := s.commit(context.WithoutCancel(ctx), outs, st); err != nil {
			return total, err
		}
		if err := j.reset(); err != nil {
			return total, err
		}
		for _, o := range outs {
			switch o.kind {
			case "sent":
				total.Sent++
			case "skipped":
				total.Skipped++
			case "deferred":
				total.Deferred++
			case "retry":
				total.Retrying++
			case "failed":
				total.Failed++
			case "bounced":
				total.Failed++
				total.Bounced++
			}
		}
		if opt.Progress != nil {
			opt.Progress(total)
		}
		if fatal != nil {
			return total, fatal
		}
	}
	return total, ctx.Err()
}

func smtpConfigError(err error) error {
	return apperr.New(apperr.Invalid, "emails.errors.smtpConfig", "SMTP settings: "+err.Error(), map[string]any{"detail": err.Error()})
}

// claim marks up to n due rows as being sent by owner, fixing their Message-IDs.
func (s *Service) claim(ctx context.Context, owner, emailID string, n int) ([]claimed, error) {
	var out []claimed
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		q := `SELECT seq, email_id, contact_id, source, coalesce(msg_id, ''), attempts FROM email_sends
			WHERE state = 'pending' AND next_at <= ?`
		args := []any{tx.NowMs()}
		if emailID != "" {
			q += ` AND email_id = ?`
			args = append(args, emailID)
		}
		q += ` ORDER BY next_at, seq LIMIT ?`
		args = append(args, n)
		rows, err := tx.Query(q, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c claimed
			if err := rows.Scan(&c.seq, &c.emailID, &c.contactID, &c.source, &c.msgID, &c.attempts); err != nil {
				rows.Close()
				return err
			}
			out = append(out, c)
		}
		rows.Close()
		for i := range out {
			if out[i].msgID == "" {
				out[i].msgID = ids.New()
			}
			out[i].attempts++
			if _, err := tx.Exec(`UPDATE email_sends SET state = 'sending', owner = ?, msg_id = ?, attempts = ? WHERE seq = ?`,
				owner, out[i].msgID, out[i].attempts, out[i].seq); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func (s *Service) release(ctx context.Context, batch []claimed) {
	outs := make([]outcome, len(batch))
	for i, c := range batch {
		outs[i] = outcome{c: c, kind: "release"}
	}
	_ = s.commit(ctx, outs, Settings{MaxAttempts: 5})
}

// family is a root email with its variants and translations, ready to render.
type family struct {
	root     Email
	variants []Email // including the root, with effective weights
	weights  []int
	trans    map[string][]Email // parent id -> translations
	atts     []sending.Attachment
	winner   *Email // the A/B winner once decided: every send renders it
	err      error
}

func (s *Service) family(ctx context.Context, rootID string, st Settings) *family {
	f := &family{trans: map[string][]Email{}}
	all, err := s.Family(ctx, rootID)
	if err != nil {
		f.err = err
		return f
	}
	f.root = all[0]
	sum := 0
	for _, e := range all[1:] {
		if e.VariantParentID == rootID && e.Published {
			f.variants = append(f.variants, e)
			f.weights = append(f.weights, e.VariantWeight)
			sum += e.VariantWeight
		}
		if e.TranslationParentID != "" && e.Published {
			f.trans[e.TranslationParentID] = append(f.trans[e.TranslationParentID], e)
		}
	}
	rootW := 100 - sum
	if rootW < 0 {
		rootW = 0
	}
	f.variants = append([]Email{f.root}, f.variants...)
	f.weights = append([]int{rootW}, f.weights...)
	for i := range f.variants {
		if f.variants[i].FromAddress == "" {
			f.variants[i].FromAddress, f.variants[i].FromName = st.DefaultFrom, st.DefaultFromName
		}
	}
	if f.root.WinnerCriteria != "" && len(f.variants) > 1 {
		w, err := s.winnerOf(ctx, rootID)
		if err != nil {
			f.err = err
			return f
		}
		for i := range f.variants {
			if f.variants[i].ID == w {
				f.winner = &f.variants[i]
			}
		}
	}
	for k, ts := range f.trans {
		for i := range ts {
			if ts[i].FromAddress == "" {
				ts[i].FromAddress, ts[i].FromName = st.DefaultFrom, st.DefaultFromName
			}
		}
		f.trans[k] = ts
	}
	f.atts, f.err = s.readAttachments(ctx, f.root.Attachments)
	return f
}

// pick chooses the variant by weight (stable per contact) and the translation by locale.
func (f *family) pick(contactID, locale string) *Email {
	h := fnv.New32a()
	h.Write([]byte(contactID))
	bucket := int(h.Sum32() % 100)
	chosen := &f.variants[0]
	acc := 0
	for i, w := range f.weights {
		acc += w
		if bucket < acc {
			chosen = &f.variants[i]
			break
		}
	}
	if f.winner != nil {
		chosen = f.winner
	}
	if locale == "" {
		return chosen
	}
	ts := f.trans[chosen.ID]
	if len(ts) == 0 && chosen.ID != f.root.ID {
		return chosen
	}
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "_")) }
	loc := norm(locale)
	for i := range ts {
		if norm(ts[i].Language) == loc {
			return &ts[i]
		}
	}
	lang, _, _ := strings.Cut(loc, "_")
	for i := range ts {
		l, _, _ := strings.Cut(norm(ts[i].Language), "_")
		if l == lang {
			return &ts[i]
		}
	}
	return chosen
}

type job struct {
	i   int
	msg *sending.Message
}

// process decides, renders and sends one claimed batch; fatal stops the drain (bad SMTP
// settings, server unreachable for the whole batch).
func (s *Service) process(ctx context.Context, batch []claimed, fams map[string]*family, st Settings, links Links,
	mailer sending.Mailer, j *journal, opt DrainOptions) ([]outcome, error) {
	outs := make([]outcome, len(batch))
	idList := make([]string, 0, len(batch))
	for i, c := range batch {
		outs[i] = outcome{c: c, kind: "release"}
		idList = append(idList, c.contactID)
		if _, ok := fams[c.emailID]; !ok {
			fams[c.emailID] = s.family(ctx, c.emailID, st)
		}
	}
	rcpts, err := s.loadRecipients(ctx, idList)
	if err != nil {
		return outs, err
	}
	dnc, err := s.dncSet(ctx, idList)
	if err != nil {
		return outs, err
	}
	freq, err := s.frequency(ctx, idList, st)
	if err != nil {
		return outs, err
	}
	optOuts, err := s.categoryOptOuts(ctx, idList)
	if err != nil {
		return outs, err
	}
	now := s.db.Clock.Now()
	var jobs []job
	for i, c := range batch {
		o := &outs[i]
		f := fams[c.emailID]
		rc, ok := rcpts[c.contactID]
		switch {
		case f.err != nil:
			if apperr.CodeOf(f.err) == apperr.NotFound {
				o.kind, o.reason = "skipped", "email_deleted"
				continue
			}
			return outs, f.err
		case !ok:
			o.kind, o.reason = "skipped", "contact_deleted"
			continue
		case dnc[c.contactID] && c.source != "test" && c.source != SourceTransactional:
			o.kind, o.reason = "skipped", "dnc"
			continue
		}
		if a, err := mail.ParseAddress(rc.Address); err != nil || !strings.EqualFold(a.Address, rc.Address) {
			o.kind, o.reason, o.err = "skipped", "invalid", fmt.Sprintf("%q is not an email address", rc.Address)
			continue
		}
		if until, over := freq[c.contactID]; over && c.source != "test" && c.source != SourceTransactional {
			o.kind, o.reason, o.nextAt = "deferred", "frequency", until.UnixMilli()
			continue
		}
		e := f.pick(c.contactID, rc.Locale)
		if cat := e.Category; cat != "" && optOuts[c.contactID][fold.String(cat)] && c.source != "test" && c.source != SourceTransactional {
			o.kind, o.reason = "skipped", "category"
			continue
		}
		ref := Ref{MsgID: c.msgID, EmailID: e.ID, ContactID: c.contactID, Address: rc.Address}
		r := Render(e, rc, ref, links, st.renderOptions(now))
		o.variantID, o.address = e.ID, rc.Address
		jobs = append(jobs, job{i: i, msg: Message(e, rc, r, c.msgID, f.atts)})
	}
	// Send with a few workers over the pooled connections.
	ch := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var tempNet, tried int
	var fatal error
	for w := 0; w < opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for jb := range ch {
				o := &outs[jb.i]
				mu.Lock()
				stop := fatal != nil
				mu.Unlock()
				if stop || ctx.Err() != nil {
					continue // stays "release"
				}
				if jerr := j.inflight(jb.msg.ID); jerr != nil {
					mu.Lock()
					fatal = jerr
					mu.Unlock()
					continue // stays "release": never transmitted
				}
				err := mailer.Send(ctx, jb.msg)
				if err == nil {
					if jerr := j.accepted(jb.msg.ID + "\t" + o.variantID + "\t" + o.address); jerr != nil {
						mu.Lock()
						fatal = jerr
						mu.Unlock()
					}
					o.kind = "sent"
					if opt.AfterAccept != nil {
						opt.AfterAccept(jb.msg.ID)
					}
					mu.Lock()
					tried++
					mu.Unlock()
					continue
				}
				if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
					continue
				}
				var se *sending.SendError
				errors.As(err, &se)
				mu.Lock()
				tried++
				switch {
				case errors.Is(err, sending.ErrInvalid):
					o.kind, o.reason, o.err = "skipped", "invalid", err.Error()
				case se != nil && errors.Is(err, sending.ErrPermanent) && se.Recipient:
					o.kind, o.reason, o.err = "bounced", "bounced", err.Error()
				case se != nil && errors.Is(err, sending.ErrPermanent) && se.Code >= 500:
					o.kind, o.reason, o.err = "failed", "rejected", err.Error()
				case errors.Is(err, sending.ErrPermanent):
					// Authentication or TLS: the settings are wrong, not the message.
					fatal = smtpConfigError(err)
				default:
					o.kind, o.reason, o.err = "retry", "temporary", err.Error()
					if se == nil || se.Code == 0 {
						tempNet++
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, jb := range jobs {
		ch <- jb
	}
	close(ch)
	wg.Wait()
	for i := range outs {
		if outs[i].kind == "retry" {
			if outs[i].c.attempts >= st.MaxAttempts {
				outs[i].kind = "failed"
			} else {
				outs[i].nextAt = now.Add(backoff(outs[i].c.attempts)).UnixMilli()
			}
		}
	}
	if fatal == nil && tried > 0 && tempNet == tried {
		fatal = apperr.New(apperr.Unavailable, "emails.errors.smtpDown",
			fmt.Sprintf("the SMTP server %s:%d is unreachable (%s); %d messages will be retried later",
				st.SMTP.Host, st.SMTP.Port, firstErr(outs), tempNet), map[string]any{"host": st.SMTP.Host, "port": st.SMTP.Port, "detail": firstErr(outs), "n": tempNet})
	}
	return outs, fatal
}

func firstErr(outs []outcome) string {
	for _, o := range outs {
		if o.err != "" {
			return o.err
		}
	}
	return ""
}

func (s *Service) dncSet(ctx context.Context, idList []string) (map[string]bool, error) {
	out := map[string]bool{}
	rows, err := s.db.R.QueryContext(ctx, `SELECT contact_id FROM dnc WHERE deleted = 0 AND channel = 'email'
		AND contact_id IN (`+listing.Placeholders(len(idList))+`)`, listing.Strings(idList)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
