// Package eventimport loads behaviour history from another tool (page hits, email sends,
// reads and clicks, asset downloads) into the event log, keyed by contact email. Lines are
// JSON objects (NDJSON) or CSV rows with a header; bad lines are reported by number and
// skipped, the rest load. Re-importing the same file stores nothing twice: each event's id
// is derived from its content.
package eventimport

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fold"
	"magpie/backend/ids"
)

// BatchSize is how many lines one transaction holds.
const BatchSize = 2000

// LineError is one rejected line.
type LineError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Result sums up an import.
type Result struct {
	Lines           int         `json:"lines"`
	Stored          int         `json:"stored"`
	Duplicates      int         `json:"duplicates"`
	ContactsCreated int         `json:"contactsCreated"`
	Errors          []LineError `json:"errors"`
}

// types maps the file's type names to event types; the log's own names are accepted too.
var types = map[string]events.Type{
	"page_hit": events.PageHit, "pagehit": events.PageHit, "page.hit": events.PageHit,
	"email_sent": events.EmailSent, "email.sent": events.EmailSent,
	"email_read": events.EmailRead, "email.read": events.EmailRead,
	"email_clicked": events.EmailClicked, "email.clicked": events.EmailClicked,
	"asset_download": events.AssetDownloaded, "asset.downloaded": events.AssetDownloaded,
	"form_submitted": events.FormSubmitted, "form.submitted": events.FormSubmitted,
}

// Row is one input record (JSON keys or CSV header names).
type Row map[string]string

// Load reads r (format "jsonl" or "csv"; "" guesses from the first byte) and stores the
// events, committing every BatchSize lines.
func Load(ctx context.Context, d *db.DB, r io.Reader, format string) (Result, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if format == "" {
		format = "jsonl"
		if b, err := br.Peek(1); err == nil && b[0] != '{' {
			format = "csv"
		}
	}
	next, err := reader(br, format)
	if err != nil {
		return Result{}, err
	}
	var res Result
	type item struct {
		line int
		row  Row
	}
	batch := make([]item, 0, BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			ops := contacts.NewOps(tx, "import")
			cache := map[string]string{}
			for _, it := range batch {
				ev, err := toEvent(it.row)
				if err != nil {
					res.Errors = append(res.Errors, LineError{it.line, err.Error()})
					continue
				}
				email := strings.TrimSpace(it.row["email"])
				cid, created, err := contactFor(tx, ops, cache, email)
				if err != nil {
					return fmt.Errorf("line %d: %w", it.line, err)
				}
				if created {
					res.ContactsCreated++
				}
				ev.ContactID = cid
				if it.row["id"] == "" {
					ev.ID = ids.Derived("imported_event", fold.String(email), string(ev.Type),
						strconv.FormatInt(ev.At.UnixMilli(), 10), ev.URL, ev.ObjectID, ev.ObjectName)
				}
				ok, err := events.Append(tx, ev)
				if err != nil {
					return fmt.Errorf("line %d: %w", it.line, err)
				}
				if ok {
					res.Stored++
				} else {
					res.Duplicates++
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	for line := 1; ; line++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		row, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var fatal fatalError
			if errors.As(err, &fatal) {
				return res, fatal.error
			}
			res.Lines++
			res.Errors = append(res.Errors, LineError{line, err.Error()})
			continue
		}
		if row == nil { // blank line
			continue
		}
		res.Lines++
		batch = append(batch, item{line, row})
		if len(batch) == BatchSize {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	return res, flush()
}

type fatalError struct{ error }

func reader(br *bufio.Reader, format string) (func() (Row, error), error) {
	switch format {
	case "jsonl", "ndjson", "json":
		return func() (Row, error) {
			b, err := br.ReadBytes('\n')
			if len(b) == 0 && err != nil {
				if errors.Is(err, io.EOF) {
					return nil, io.EOF
				}
				return nil, fatalError{err}
			}
			s := strings.TrimSpace(string(b))
			if s == "" {
				return nil, nil
			}
			var raw map[string]any
			if err := json.Unmarshal([]byte(s), &raw); err != nil {
				return nil, fmt.Errorf("not a JSON object: %v", err)
			}
			row := Row{}
			for k, v := range raw {
				switch x := v.(type) {
				case nil:
				case string:
					row[strings.ToLower(k)] = x
				case float64:
					row[strings.ToLower(k)] = strconv.FormatFloat(x, 'f', -1, 64)
				case bool:
					row[strings.ToLower(k)] = strconv.FormatBool(x)
				default:
					return nil, fmt.Errorf("field %q: want a string or number", k)
				}
			}
			return row, nil
		}, nil
	case "csv":
		cr := csv.NewReader(br)
		cr.FieldsPerRecord = -1
		header, err := cr.Read()
		if err != nil {
			return nil, fmt.Errorf("events CSV: no header line: %w", err)
		}
		for i := range header {
			header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")))
		}
		return func() (Row, error) {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			if err != nil {
				return nil, err
			}
			row := Row{}
			for i, v := range rec {
				if i < len(header) && v != "" {
					row[header[i]] = v
				}
			}
			return row, nil
		}, nil
	}
	return nil, fmt.Errorf("events: unknown format %q (want jsonl or csv)", format)
}

// toEvent validates a row and builds its event (ContactID is set by the caller).
func toEvent(r Row) (events.Event, error) {
	t, ok := types[strings.ToLower(strings.TrimSpace(r["type"]))]
	if !ok {
		if r["type"] == "" {
			return events.Event{}, errors.New("type is missing")
		}
		return events.Event{}, fmt.Errorf("type %q is unknown (want page_hit, email_sent, email_read, email_clicked or asset_download)", r["type"])
	}
	email := strings.TrimSpace(r["email"])
	if email == "" || !strings.Contains(email, "@") {
		return events.Event{}, fmt.Errorf("email %q is not an email address", email)
	}
	at, err := ParseTime(r["at"])
	if err != nil {
		return events.Event{}, err
	}
	ev := events.Event{ID: r["id"], Type: t, At: at, URL: r["url"], Title: r["title"], Referrer: r["referrer"],
		Source: "import", UserAgent: r["user_agent"],
		UTM: events.UTM{Source: r["utm_source"], Medium: r["utm_medium"], Campaign: r["utm_campaign"],
			Content: r["utm_content"], Term: r["utm_term"]}}
	if ev.Referrer == "" {
		ev.Referrer = r["referer"]
	}
	switch t {
	case events.EmailSent, events.EmailRead, events.EmailClicked:
		ev.ObjectID, ev.ObjectName = r["email_id"], r["email_name"]
	case events.AssetDownloaded:
		ev.ObjectID, ev.ObjectName = r["asset_id"], firstOf(r["asset_name"], r["asset"])
	case events.FormSubmitted:
		ev.ObjectID, ev.ObjectName = r["form_id"], r["form_name"]
	}
	if t == events.PageHit && ev.URL == "" {
		return ev, errors.New("url is missing for a page hit")
	}
	return ev, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ParseTime reads RFC 3339, "YYYY-MM-DD HH:MM:SS" (UTC), "YYYY-MM-DD" or Unix seconds or
// milliseconds.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("at is missing")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > 1e11 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("at %q is not a date (use RFC 3339, YYYY-MM-DD HH:MM:SS or Unix time)", s)
}

// contactFor finds the live contact with email, creating it when there is none.
func contactFor(tx *db.Tx, ops *contacts.Ops, cache map[string]string, email string) (string, bool, error) {
	key := strings.ToLower(email)
	if id, ok := cache[key]; ok {
		return id, false, nil
	}
	var id string
	err := tx.QueryRow(`SELECT id FROM contacts WHERE `+contacts.EmailEq+` AND deleted = 0 LIMIT 1`, email, email).Scan(&id)
	if err == nil {
		cache[key] = id
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, err
	}
	id, err = ops.Create(db.Cols{"email": email}, contacts.CreateOpts{Event: events.ContactImported})
	if err != nil {
		return "", false, err
	}
	cache[key] = id
	return id, true, nil
}
