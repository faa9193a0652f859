package cli

import (
	"fmt"
	"sort"
	"strings"

	"magpie/backend/contacts"
)

func init() {
	register(command{name: "contacts", summary: "list, show, edit, delete contacts; set do-not-contact", run: runContacts})
}

const contactsUsage = `usage: magpie contacts list [--search Q] [--limit N] [--json]
       magpie contacts get --email E [--json]
       magpie contacts update --email E --set field=value [--set …]
       magpie contacts delete --email E
       magpie contacts dnc --email E --channel email --reason unsubscribed|bounced|manual [--remove]`

var runContacts = subcommands(contactsUsage, map[string]func(*Env, []string) error{
	"list": contactsList, "get": contactsGet, "update": contactsUpdate, "delete": contactsDelete, "dnc": contactsDNC,
})

// contactJSON is a contact as the CLI prints it: core and custom values flattened.
func contactJSON(c contacts.Contact, tags []string) map[string]any {
	m := map[string]any{"id": c.ID, "name": c.DisplayName(), "points": c.Points,
		"date_added": c.DateAdded.Format("2006-01-02 15:04:05")}
	for k, v := range c.Values {
		m[k] = v
	}
	if tags == nil {
		tags = []string{}
	}
	m["tags"] = tags
	return m
}

func contactsList(e *Env, args []string) error {
	fs := flags(e, "contacts list", "contacts list [--search Q] [--limit N] [--json]")
	search := fs.String("search", "", "search: name or email prefix, tag:x, company:x, is:anonymous…")
	limit := fs.Int("limit", 20, "how many contacts (at most 1000)")
	offset := fs.Int("offset", 0, "skip this many contacts")
	sortBy := fs.String("sort", "date_added", "sort column")
	desc := fs.Bool("desc", false, "sort descending")
	asJSON := fs.Bool("json", false, "print JSON")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *limit < 1 || *limit > 1000 {
		return usagef("--limit must be between 1 and 1000")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	p, err := c.Contacts.List(e.Ctx(), contacts.Query{Search: *search, Limit: *limit, Offset: *offset, Sort: *sortBy, Desc: *desc})
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]map[string]any, 0, len(p.Rows))
		for _, r := range p.Rows {
			out = append(out, contactJSON(r, p.Tags[r.ID]))
		}
		return e.JSON(map[string]any{"total": p.Total, "contacts": out})
	}
	for _, r := range p.Rows {
		fmt.Fprintf(e.Out, "%s  %-36s %-28s %5d\n", r.ID, r.Str("email"), r.DisplayName(), r.Points)
	}
	fmt.Fprintf(e.Err, "%d of %d contacts\n", len(p.Rows), p.Total)
	return nil
}

func byEmail(e *Env, email string) (contacts.Detail, error) {
	if strings.TrimSpace(email) == "" {
		return contacts.Detail{}, usagef("--email is required")
	}
	c, err := e.Core()
	if err != nil {
		return contacts.Detail{}, err
	}
	return c.Contacts.ByEmail(e.Ctx(), email)
}

func contactsGet(e *Env, args []string) error {
	fs := flags(e, "contacts get", "contacts get --email E [--json]")
	email := fs.String("email", "", "the contact's email")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	d, err := byEmail(e, *email)
	if err != nil {
		return err
	}
	m := contactJSON(d.Contact, d.Tags)
	comps := []map[string]any{}
	for _, l := range d.Companies {
		comps = append(comps, map[string]any{"id": l.CompanyID, "name": l.Name, "primary": l.Primary})
	}
	m["companies"] = comps
	dnc := []map[string]any{}
	for _, x := range d.DNC {
		dnc = append(dnc, map[string]any{"channel": x.Channel, "reason": contacts.ReasonName(x.Reason), "comments": x.Comments})
	}
	m["dnc"] = dnc
	if *asJSON {
		return e.JSON(m)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(e.Out, "%-20s %v\n", k, m[k])
	}
	return nil
}

func contactsUpdate(e *Env, args []string) error {
	fs := flags(e, "contacts update", "contacts update --email E --set field=value [--set …]")
	email := fs.String("email", "", "the contact's email")
	var sets []string
	fs.Func("set", "field=value to write (value \"\" clears the field); repeatable", func(s string) error {
		sets = append(sets, s)
		return nil
	})
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if len(sets) == 0 {
		return usagef("nothing to change: give --set field=value")
	}
	vals := map[string]string{}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return usagef("--set %q: want field=value", s)
		}
		vals[strings.TrimSpace(k)] = v
	}
	d, err := byEmail(e, *email)
	if err != nil {
		return err
	}
	c, _ := e.Core()
	if _, err := c.Contacts.Update(e.Ctx(), d.ID, vals, "cli"); err != nil {
		return err // a field error names every bad field with its reason (apperr.FieldErrors)
	}
	fmt.Fprintf(e.Out, "updated %s (%s)\n", *email, d.ID)
	return nil
}

func contactsDelete(e *Env, args []string) error {
	fs := flags(e, "contacts delete", "contacts delete --email E")
	email := fs.String("email", "", "the contact's email")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	d, err := byEmail(e, *email)
	if err != nil {
		return err
	}
	c, _ := e.Core()
	if _, err := c.Contacts.Delete(e.Ctx(), []string{d.ID}, "cli"); err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "moved %s (%s) to the trash\n", *email, d.ID)
	return nil
}

func contactsDNC(e *Env, args []string) error {
	fs := flags(e, "contacts dnc", "contacts dnc --email E --channel email --reason unsubscribed|bounced|manual [--remove]")
	email := fs.String("email", "", "the contact's email")
	channel := fs.String("channel", "email", "channel (email, sms…)")
	reason := fs.String("reason", "manual", "unsubscribed, bounced or manual")
	comments := fs.String("comments", "", "why")
	remove := fs.Bool("remove", false, "make the contact contactable again on the channel")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	code := contacts.ReasonCode(*reason)
	if code == 0 && !*remove {
		return usagef("--reason must be unsubscribed, bounced or manual, not %q", *reason)
	}
	d, err := byEmail(e, *email)
	if err != nil {
		return err
	}
	c, _ := e.Core()
	if *remove {
		n, err := c.Contacts.RemoveDNC(e.Ctx(), []string{d.ID}, *channel, "cli")
		if err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintf(e.Out, "%s was not do-not-contact on %s\n", *email, *channel)
			return nil
		}
		fmt.Fprintf(e.Out, "%s is contactable again on %s\n", *email, *channel)
		return nil
	}
	if _, err := c.Contacts.SetDNC(e.Ctx(), []string{d.ID}, *channel, code, *comments, "cli"); err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "%s is do-not-contact on %s (%s)\n", *email, *channel, contacts.ReasonName(code))
	return nil
}
