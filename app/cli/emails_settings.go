package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// emailsSettings shows or changes the email settings; only the flags given change.
func emailsSettings(e *Env, args []string) error {
	fs := flags(e, "emails settings", "emails settings [flags]")
	host := fs.String("smtp-host", "", "SMTP host")
	port := fs.Int("smtp-port", 0, "SMTP port")
	tls := fs.String("tls", "", "TLS: starttls, opportunistic, tls (implicit) or none")
	auth := fs.String("auth", "", "authentication: plain, login, cram-md5, xoauth2 (none when empty)")
	user := fs.String("user", "", "SMTP user name")
	pwStdin := fs.Bool("password-stdin", false, "read the SMTP password (or OAuth2 token) from stdin")
	conns := fs.Int("connections", 0, "parallel SMTP connections")
	rate := fs.Int("rate", -1, "messages per second (0 = unlimited)")
	hourly := fs.Int("hourly", -1, "messages per hour (0 = unlimited)")
	from := fs.String("from", "", "default from address")
	fromName := fs.String("from-name", "", "default from name")
	tracker := fs.String("tracker-url", "", "public URL of the tracker (links, pixel, unsubscribe)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	st, err := c.Emails.Settings(e.Ctx())
	if err != nil {
		return err
	}
	changed := false
	set := func(cond bool, f func()) {
		if cond {
			f()
			changed = true
		}
	}
	set(*host != "", func() { st.SMTP.Host = *host })
	set(*port != 0, func() { st.SMTP.Port = *port })
	set(*tls != "", func() { st.SMTP.TLS = *tls })
	set(*auth != "", func() { st.SMTP.Auth = *auth })
	set(*user != "", func() { st.SMTP.Username = *user })
	set(*conns != 0, func() { st.SMTP.Connections = *conns })
	set(*rate >= 0, func() { st.SMTP.PerSecond = *rate })
	set(*hourly >= 0, func() { st.SMTP.PerHour = *hourly })
	set(*from != "", func() { st.DefaultFrom = *from })
	set(*fromName != "", func() { st.DefaultFromName = *fromName })
	set(*tracker != "", func() { st.TrackerURL = *tracker })
	if *pwStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("reading the password from stdin: %w", err)
		}
		st.SMTP.Password = strings.TrimRight(line, "\r\n")
		changed = true
	} else {
		st.SMTP.Password = "" // keep the stored one
	}
	if changed {
		if err := c.Emails.SaveSettings(e.Ctx(), st); err != nil {
			return err
		}
		st, _ = c.Emails.Settings(e.Ctx())
	}
	st.SMTP.Password = ""
	if *asJSON {
		return e.JSON(st)
	}
	fmt.Fprintf(e.Out, "smtp %s:%d tls=%s auth=%s user=%s connections=%d rate=%d/s %d/h\nfrom %s <%s>\ntracker %s\n",
		st.SMTP.Host, st.SMTP.Port, st.SMTP.TLS, st.SMTP.Auth, st.SMTP.Username, st.SMTP.Connections, st.SMTP.PerSecond,
		st.SMTP.PerHour, st.DefaultFromName, st.DefaultFrom, st.TrackerURL)
	return nil
}
