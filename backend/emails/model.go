package emails

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/fold"
	"magpie/backend/ids"
)

func init() {
	db.Declare(db.Table{Name: "emails", Synced: true, Local: []string{"name_key"}, Derive: derive})
	db.Declare(db.Table{Name: "email_versions", Synced: true})
	db.Declare(db.Table{Name: "frequency_rules", Synced: true})
}

func derive(c db.Cols) {
	if v, ok := c["name"]; ok {
		s, _ := v.(string)
		c["name_key"] = fold.String(s)
	}
}

// Kinds of email (Mautic's email_type).
const (
	Template = "template" // sent by campaigns, forms, tests; may reach a contact repeatedly
	List     = "list"     // a segment email: sent once per contact
)

// Attachment is a file sent with every message of an email: an asset of the asset store
// (AssetID, synced with the team) or a local file (Path).
type Attachment struct {
	Name        string `json:"name"`
	AssetID     string `json:"assetId,omitempty"`
	Path        string `json:"path,omitempty"`
	ContentType string `json:"contentType,omitempty"`
}

// Email is one email definition (a parent, a variant or a translation).
type Email struct {
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	Kind                string            `json:"kind"`
	Subject             string            `json:"subject"`
	Preheader           string            `json:"preheader"`
	FromName            string            `json:"fromName"`
	FromAddress         string            `json:"fromAddress"`
	ReplyTo             string            `json:"replyTo"`
	BCC                 string            `json:"bcc"`
	UTMTags             map[string]string `json:"utmTags"`
	Headers             map[string]string `json:"headers"`
	HTML                string            `json:"html"`
	Source              string            `json:"source"`
	PlainText           string            `json:"plainText"`
	PlainTextAuto       bool              `json:"plainTextAuto"`
	Category            string            `json:"category"`
	Language            string            `json:"language"`
	TranslationParentID string            `json:"translationParentId"`
	VariantParentID     string            `json:"variantParentId"`
	VariantWeight       int               `json:"variantWeight"`
	WinnerCriteria      string            `json:"winnerCriteria"`
	WinnerAfterHours    int               `json:"winnerAfterHours"`
	// ABSample is the percent of a segment email's recipients in the A/B test (1–99): the
	// others wait for the winner. 0 = everyone is in the test (split by weight).
	ABSample         int          `json:"abSample"`
	Segments         []string     `json:"segments"`
	ExcludedSegments []string     `json:"excludedSegments"`
	Attachments      []Attachment `json:"attachments"`
	PublishUp        *time.Time   `json:"publishUp"`
	PublishDown      *time.Time   `json:"publishDown"`
	Published        bool         `json:"published"`
	Scheduled        bool         `json:"scheduled"`
	Revision         int          `json:"revision"`
	DateAdded        time.Time    `json:"dateAdded"`
	DateModified     time.Time    `json:"dateModified"`
	Deleted          bool         `json:"deleted"`
}

// utmKeys are the UTM tags an email may add to its links, in URL order.
var utmKeys = []string{"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"}

// Validate checks an email before it is stored; errors name the field.
func (e *Email) Validate() error {
	f := map[string]string{}
	msgs := map[string]string{}
	bad := func(field, key, msg string) { f[field] = key; msgs[field] = msg }
	e.Name = strings.TrimSpace(e.Name)
	if e.Name == "" {
		bad("name", "emails.errors.nameRequired", "a name is required")
	}
	switch e.Kind {
	case "":
		e.Kind = Template
	case Template, List:
	default:
		bad("kind", "emails.errors.kind", fmt.Sprintf("kind %q is not template or list", e.Kind))
	}
	if e.FromAddress != "" {
		if a, err := mail.ParseAddress(e.FromAddress); err != nil || a.Address != e.FromAddress {
			bad("fromAddress", "emails.errors.fromAddress", fmt.Sprintf("from address %q is not an email address", e.FromAddress))
		}
	}
	if e.ReplyTo != "" {
		if _, err := mail.ParseAddress(e.ReplyTo); err != nil {
			bad("replyTo", "emails.errors.replyTo", fmt.Sprintf("reply-to %q is not an email address", e.ReplyTo))
		}
	}
	for _, b := range splitList(e.BCC) {
		if _, err := mail.ParseAddress(b); err != nil {
			bad("bcc", "emails.errors.bcc", fmt.Sprintf("BCC %q is not an email address", b))
		}
	}
	for k, v := range e.UTMTags {
		if !contains(utmKeys, k) {
			bad("utmTags", "emails.errors.utm", fmt.Sprintf("%q is not a UTM tag (%s)", k, strings.Join(utmKeys, ", ")))
		}
		if strings.ContainsAny(v, "\r\n") {
			bad("utmTags", "emails.errors.utm", fmt.Sprintf("UTM tag %s contains a line break", k))
		}
	}
	for k, v := range e.Headers {
		if k == "" || strings.ContainsAny(k, ": \t\r\n") || strings.ContainsAny(v, "\r\n") {
			bad("headers", "emails.errors.header", fmt.Sprintf("header %q is invalid (line break or colon in the name)", k))
		}
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		bad("subject", "emails.errors.subject", "the subject contains a line break")
	}
	if e.VariantWeight < 0 || e.VariantWeight > 100 {
		bad("variantWeight", "emails.errors.weight", fmt.Sprintf("variant weight %d is not between 0 and 100", e.VariantWeight))
	}
	switch e.WinnerCriteria {
	case "", "open_rate", "click_rate":
	default:
		bad("winnerCriteria", "emails.errors.winner", fmt.Sprintf("winner criteria %q is not open_rate or click_rate", e.WinnerCriteria))
	}
	for i, a := range e.Attachments {
		if (a.AssetID == "") == (a.Path == "") {
			bad("attachments", "emails.errors.attachmentRef", fmt.Sprintf("attachment %d (%s) needs an asset or a file path", i+1, a.Name))
		}
	}
	if e.ABSample < 0 || e.ABSample > 100 {
		bad("abSample", "emails.errors.abSample", fmt.Sprintf("A/B sample %d%% is not between 0 and 100", e.ABSample))
	}
	if e.WinnerCriteria != "" && e.WinnerAfterHours < 0 {
		bad("winnerAfterHours", "emails.errors.winnerAfter", "the hours before choosing the winner cannot be negative")
	}
	if e.PublishUp != nil && e.PublishDown != nil && !e.PublishDown.After(*e.PublishUp) {
		bad("publishDown", "emails.errors.publishWindow", "the publish-down date must be after the publish-up date")
	}
	if e.VariantParentID != "" && e.VariantParentID == e.ID || e.TranslationParentID != "" && e.TranslationParentID == e.ID {
		bad("variantParentId", "emails.errors.selfParent", "an email cannot be its own parent")
	}
	if len(f) > 0 {
		return apperr.FieldErrors(f, msgs)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func msOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (e *Email) cols() db.Cols {
	if e.UTMTags == nil {
		e.UTMTags = map[string]string{}
	}
	if e.Headers == nil {
		e.Headers = map[string]string{}
	}
	if e.Segments == nil {
		e.Segments = []string{}
	}
	if e.ExcludedSegments == nil {
		e.ExcludedSegments = []string{}
	}
	if e.Attachments == nil {
		e.Attachments = []Attachment{}
	}
	return db.Cols{"name": e.Name, "kind": e.Kind, "subject": e.Subject, "preheader": e.Preheader,
		"from_name": e.FromName, "from_address": e.FromAddress, "reply_to": e.ReplyTo, "bcc": e.BCC,
		"utm_tags": jsonText(e.UTMTags), "headers": jsonText(e.Headers), "html": e.HTML, "source": e.Source,
		"plain_text": e.PlainText, "plain_text_auto": e.PlainTextAuto, "category": e.Category, "language": e.Language,
		"translation_parent_id": nullable(e.TranslationParentID), "variant_parent_id": nullable(e.VariantParentID),
		"variant_weight": e.VariantWeight, "winner_criteria": e.WinnerCriteria, "winner_after_hours": e.WinnerAfterHours,
		"ab_sample": e.ABSample,
		"segments":  jsonText(e.Segments), "excluded_segments": jsonText(e.ExcludedSegments),
		"attachments": jsonText(e.Attachments), "publish_up": msOrNil(e.PublishUp), "publish_down": msOrNil(e.PublishDown),
		"is_published": e.Published, "scheduled": e.Scheduled, "revision": e.Revision}
}

const selectCols = `id, name, kind, subject, preheader, from_name, from_address, reply_to, bcc, utm_tags, headers,
	html, source, plain_text, plain_text_auto, category, language, coalesce(translation_parent_id,''),
	coalesce(variant_parent_id,''), variant_weight, winner_criteria, winner_after_hours, coalesce(ab_sample, 0), segments, excluded_segments,
	attachments, publish_up, publish_down, is_published, scheduled, revision, date_added, date_modified, deleted`

func scanEmail(sc db.Scanner) (Email, error) {
	var e Email
	var utm, hdr, segs, excl, att string
	var up, down sql.NullInt64
	var added, modified int64
	err := sc.Scan(&e.ID, &e.Name, &e.Kind, &e.Subject, &e.Preheader, &e.FromName, &e.FromAddress, &e.ReplyTo, &e.BCC,
		&utm, &hdr, &e.HTML, &e.Source, &e.PlainText, &e.PlainTextAuto, &e.Category, &e.Language, &e.TranslationParentID,
		&e.VariantParentID, &e.VariantWeight, &e.WinnerCriteria, &e.WinnerAfterHours, &e.ABSample, &segs, &excl, &att, &up, &down,
		&e.Published, &e.Scheduled, &e.Revision, &added, &modified, &e.Deleted)
	if err != nil {
		return e, err
	}
	_ = json.Unmarshal([]byte(utm), &e.UTMTags)
	_ = json.Unmarshal([]byte(hdr), &e.Headers)
	_ = json.Unmarshal([]byte(segs), &e.Segments)
	_ = json.Unmarshal([]byte(excl), &e.ExcludedSegments)
	_ = json.Unmarshal([]byte(att), &e.Attachments)
	if up.Valid {
		t := time.UnixMilli(up.Int64).UTC()
		e.PublishUp = &t
	}
	if down.Valid {
		t := time.UnixMilli(down.Int64).UTC()
		e.PublishDown = &t
	}
	e.DateAdded, e.DateModified = time.UnixMilli(added).UTC(), time.UnixMilli(modified).UTC()
	return e, nil
}

// ErrNotFound is returned for a missing email.
func notFound(id string) error {
	return apperr.NotFoundf("emails.errors.notFound", map[string]any{"id": id}, "email %s not found", id)
}

// Get returns one email (also from the trash).
func (s *Service) Get(ctx context.Context, id string) (Email, error) {
	e, err := scanEmail(s.db.R.QueryRowContext(ctx, "SELECT "+selectCols+" FROM emails WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, notFound(id)
	}
	return e, err
}

func getTx(tx *db.Tx, id string) (Email, error) {
	e, err := scanEmail(tx.QueryRow("SELECT "+selectCols+" FROM emails WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, notFound(id)
	}
	return e, err
}

// Query selects emails for the list.
type Query struct {
	Search  string
	Kind    string
	Deleted bool
	// Parents only (no variants or translations) when true.
	TopLevel bool
}

// List returns emails sorted by name (a team has hundreds, not millions).
func (s *Service) List(ctx context.Context, q Query) ([]Email, error) {
	where := []string{"deleted = ?"}
	args := []any{q.Deleted}
	if q.Kind != "" {
		where = append(where, "kind = ?")
		args = append(args, q.Kind)
	}
	if q.TopLevel {
		where = append(where, "variant_parent_id IS NULL AND translation_parent_id IS NULL")
	}
	if t := strings.TrimSpace(q.Search); t != "" {
		where = append(where, "(name_key LIKE ? OR subject LIKE ?)")
		args = append(args, "%"+fold.String(t)+"%", "%"+t+"%")
	}
	return db.Collect(ctx, s.db.R, scanEmail, "SELECT "+selectCols+" FROM emails WHERE "+strings.Join(where, " AND ")+
		" ORDER BY coalesce(name_key,''), id", args...)
}

// Save creates (empty ID) or updates an email, keeping the previous content as a version.
func (s *Service) Save(ctx context.Context, e Email) (Email, error) {
	if err := e.Validate(); err != nil {
		return e, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		for _, p := range []struct{ field, id string }{{"variantParentId", e.VariantParentID}, {"translationParentId", e.TranslationParentID}} {
			if p.id == "" {
				continue
			}
			parent, err := getTx(tx, p.id)
			if err != nil || parent.Deleted {
				return apperr.FieldErrors(map[string]string{p.field: "emails.errors.parent"},
					map[string]string{p.field: fmt.Sprintf("parent email %s does not exist", p.id)})
			}
			if parent.VariantParentID != "" || parent.TranslationParentID != "" {
				return apperr.FieldErrors(map[string]string{p.field: "emails.errors.parentNested"},
					map[string]string{p.field: fmt.Sprintf("email %s is itself a variant or translation", p.id)})
			}
		}
		now := tx.NowMs()
		if e.ID == "" {
			e.ID = ids.New()
			e.Revision = 1
			cols := e.cols()
			cols["date_added"], cols["date_modified"] = now, now
			if err := tx.Insert("emails", e.ID, cols); err != nil {
				return err
			}
			return saveVersion(tx, e)
		}
		old, err := getTx(tx, e.ID)
		if err != nil {
			return err
		}
		e.Revision = old.Revision + 1
		cols := e.cols()
		cols["date_modified"] = now
		if _, err := tx.Update("emails", e.ID, cols); err != nil {
			return err
		}
		return saveVersion(tx, e)
	})
	if err != nil {
		return e, err
	}
	return s.Get(ctx, e.ID)
}

func saveVersion(tx *db.Tx, e Email) error {
	return tx.Insert("email_versions", ids.Derived("email_version", e.ID, fmt.Sprint(e.Revision)), db.Cols{
		"email_id": e.ID, "revision": e.Revision, "snapshot": jsonText(e), "date_added": tx.NowMs()})
}

// Version is a saved revision of an email.
type Version struct {
	Revision  int       `json:"revision"`
	DateAdded time.Time `json:"dateAdded"`
	Email     Email     `json:"email"`
}

// Versions lists an email's saved revisions, newest first.
func (s *Service) Versions(ctx context.Context, id string) ([]Version, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT revision, date_added, snapshot FROM email_versions
		WHERE email_id = ? AND deleted = 0 ORDER BY revision DESC`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var at int64
		var snap string
		if err := rows.Scan(&v.Revision, &at, &snap); err != nil {
			return nil, err
		}
		v.DateAdded = time.UnixMilli(at).UTC()
		if err := json.Unmarshal([]byte(snap), &v.Email); err != nil {
			return nil, fmt.Errorf("emails: version %d of %s: %w", v.Revision, id, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Delete moves emails to the trash (their variants and translations too).
func (s *Service) Delete(ctx context.Context, id string) error {
	return s.setDeleted(ctx, id, true)
}

// Restore brings emails back from the trash.
func (s *Service) Restore(ctx context.Context, id string) error {
	return s.setDeleted(ctx, id, false)
}

func (s *Service) setDeleted(ctx context.Context, id string, del bool) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(`SELECT id FROM emails WHERE id = ? OR variant_parent_id = ? OR translation_parent_id = ?`, id, id, id)
		if err != nil {
			return err
		}
		var all []string
		for rows.Next() {
			var x string
			if err := rows.Scan(&x); err != nil {
				rows.Close()
				return err
			}
			all = append(all, x)
		}
		rows.Close()
		if len(all) == 0 {
			return notFound(id)
		}
		sort.Strings(all)
		for _, x := range all {
			if del {
				_, err = tx.Delete("emails", x)
			} else {
				_, err = tx.Restore("emails", x)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Family returns an email's parent and all its variants and translations (the parent
// first), none deleted.
func (s *Service) Family(ctx context.Context, rootID string) ([]Email, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT "+selectCols+` FROM emails WHERE deleted = 0 AND
		(id = ? OR variant_parent_id = ? OR translation_parent_id = ?) ORDER BY id = ? DESC, id`, rootID, rootID, rootID, rootID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Email
	for rows.Next() {
		e, err := scanEmail(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 || out[0].ID != rootID {
		return nil, notFound(rootID)
	}
	return out, nil
}
