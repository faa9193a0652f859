package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"magpie/backend/emails"
)

func init() {
	register(command{name: "emails", summary: "emails: list, send, test, import-html, stats, settings", run: runEmails})
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

const emailsUsage = `usage: magpie emails <command>

  list [--json]                         the emails
  send ID [--dry-run] [--json]          queue a segment email and send it now (resumes an interrupted send)
  drain [--json]                        send whatever is due in the queue
  test ID --to ADDR                     send one test message now
  import-html FILE --name N [--segment S]... [--subject S]   make an email from an HTML file
  stats ID [--json]                     sent, read, clicked, bounced… per email
  settings [--smtp-host H --smtp-port P --tls MODE --user U --password-stdin --from ADDR --from-name N --tracker-url URL --connections N --rate N]`

var runEmails = subcommands(emailsUsage, map[string]func(*Env, []string) error{
	"list": emailsList, "send": emailsSend, "drain": emailsDrain, "test": emailsTest,
	"import-html": emailsImport, "stats": emailsStats, "settings": emailsSettings,
})

func emailsList(e *Env, args []string) error {
	fs := flags(e, "emails list", "emails list [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	list, err := c.Emails.List(e.Ctx(), emails.Query{TopLevel: true})
	if err != nil {
		return err
	}
	type row struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Kind    string `json:"kind"`
		Subject string `json:"subject"`
		Sent    int64  `json:"sent"`
		Read    int64  `json:"read"`
		Pending int64  `json:"pending"`
	}
	rows := make([]row, 0, len(list))
	for _, m := range list {
		st, err := c.Emails.Stats(e.Ctx(), m.ID)
		if err != nil {
			return err
		}
		rows = append(rows, row{m.ID, m.Name, m.Kind, m.Subject, st.Totals.Sent, st.Totals.Read, st.Totals.Pending})
	}
	if *asJSON {
		return e.JSON(rows)
	}
	tw := tabwriter.NewWriter(e.Out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKIND\tSENT\tREAD\tPENDING")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", r.ID, r.Name, r.Kind, r.Sent, r.Read, r.Pending)
	}
	return tw.Flush()
}

func oneID(fsName string, pos []string) (string, error) {
	if len(pos) != 1 {
		return "", usagef("%s: want exactly one email id", fsName)
	}
	return pos[0], nil
}

func emailsSend(e *Env, args []string) error {
	fs := flags(e, "emails send", "emails send ID [--dry-run] [--json]")
	dry := fs.Bool("dry-run", false, "count recipients and check the email; send nothing")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("emails send", pos)
	if err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	if *dry {
		r, err := c.Emails.DryRunSegment(e.Ctx(), id)
		if err != nil {
			return err
		}
		if *asJSON {
			return e.JSON(r)
		}
		fmt.Fprintf(e.Out, "would queue %d (already sent or queued %d, no address %d, do-not-contact %d); pending %d\nsubject: %s\n",
			r.Recipients, r.AlreadySent, r.NoAddress, r.DNC, r.Pending, r.Subject)
		for _, is := range r.Issues {
			fmt.Fprintf(e.Out, "%s: %s (%s)\n", is.Severity, is.Detail, is.Code)
		}
		return nil
	}
	q, err := c.Emails.QueueSegment(e.Ctx(), id)
	if err != nil {
		return err
	}
	if !*asJSON {
		fmt.Fprintf(e.Err, "queued %d new recipients (%d without address); %d to send\n", q.Queued, q.NoAddress, q.Pending)
	}
	st, err := c.Emails.Drain(e.Ctx(), emails.DrainOptions{EmailID: id, Progress: func(st emails.DrainStats) {
		if !*asJSON {
			fmt.Fprintf(e.Err, "\rsent %d, failed %d, skipped %d", st.Sent, st.Failed, st.Skipped)
		}
	}})
	if !*asJSON {
		fmt.Fprintln(e.Err)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(map[string]any{"queue": q, "drain": st})
	}
	fmt.Fprintf(e.Out, "sent %d, failed %d (bounced %d), skipped %d, deferred %d, retrying later %d\n",
		st.Sent, st.Failed, st.Bounced, st.Skipped, st.Deferred, st.Retrying)
	return nil
}

func emailsDrain(e *Env, args []string) error {
	fs := flags(e, "emails drain", "emails drain [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	st, err := c.Emails.Drain(e.Ctx(), emails.DrainOptions{})
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(st)
	}
	fmt.Fprintf(e.Out, "sent %d, failed %d, skipped %d, deferred %d, retrying later %d\n", st.Sent, st.Failed, st.Skipped, st.Deferred, st.Retrying)
	return nil
}

func emailsTest(e *Env, args []string) error {
	fs := flags(e, "emails test", "emails test ID --to ADDR")
	to := fs.String("to", "", "recipient address")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("emails test", pos)
	if err != nil {
		return err
	}
	if *to == "" {
		return usagef("emails test: --to is required")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	m, err := c.Emails.Get(e.Ctx(), id)
	if err != nil {
		return err
	}
	if err := c.Emails.SendTest(e.Ctx(), m, *to); err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "test email sent to %s\n", *to)
	return nil
}

func emailsImport(e *Env, args []string) error {
	fs := flags(e, "emails import-html", "emails import-html FILE --name N [--segment S]... [--subject S] [--from ADDR]")
	name := fs.String("name", "", "email name")
	subject := fs.String("subject", "", "subject (default: the HTML <title>)")
	from := fs.String("from", "", "from address")
	var segs multiFlag
	fs.Var(&segs, "segment", "segment id: makes a segment email (repeatable)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("emails import-html: want one HTML file")
	}
	if *name == "" {
		return usagef("emails import-html: --name is required")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	m, err := c.Emails.ImportHTML(e.Ctx(), pos[0], *name)
	if err != nil {
		return err
	}
	if *subject != "" || *from != "" || len(segs) > 0 {
		if *subject != "" {
			m.Subject = *subject
		}
		if *from != "" {
			m.FromAddress = *from
		}
		if len(segs) > 0 {
			m.Kind, m.Segments = emails.List, segs
		}
		if m, err = c.Emails.Save(e.Ctx(), m); err != nil {
			return err
		}
	}
	if *asJSON {
		return e.JSON(map[string]string{"id": m.ID, "name": m.Name, "kind": m.Kind})
	}
	fmt.Fprintln(e.Out, m.ID)
	return nil
}

func emailsStats(e *Env, args []string) error {
	fs := flags(e, "emails stats", "emails stats ID [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("emails stats", pos)
	if err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	st, err := c.Emails.Stats(e.Ctx(), id)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(st)
	}
	t := st.Totals
	fmt.Fprintf(e.Out, "queued %d  pending %d  sent %d  failed %d (bounced %d)  skipped %d\nread %d (%.1f%%, %d opens)  clicked %d (%.1f%%, %d clicks)  unsubscribed %d\n",
		t.Queued, t.Pending, t.Sent, t.Failed, t.Bounced, t.Skipped, t.Read, 100*t.ReadRate, t.ReadTotal, t.Clicked, 100*t.ClickRate, t.ClickedTotal, t.Unsubscribed)
	return nil
}
