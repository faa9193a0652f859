package emails

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/listing"
	"magpie/backend/sending"
	"magpie/backend/signing"
)

// Audience answers who is in a segment, as SQL the queue embeds in one set-based insert.
// The segments package implements it; each method returns a SELECT of one column,
// contact_id.
type Audience interface {
	// Members selects the contacts that are in any of the segments (not manually removed).
	Members(segmentIDs []string) (string, []any, error)
	// AnyRow selects the contacts with any membership row in the segments, even manually
	// removed ones (Mautic's excluded-segments rule).
	AnyRow(segmentIDs []string) (string, []any, error)
}

// Lease says whether this process is the one executor allowed to send (sync's lease in a
// team; always true alone).
type Lease interface {
	Held(ctx context.Context) bool
}

type alwaysLease struct{}

func (alwaysLease) Held(context.Context) bool { return true }

// Settings are the site's email settings (stored locally in meta; the SMTP password in a
// 0600 file next to the database, never in it).
type Settings struct {
	SMTP            sending.SMTPConfig `json:"smtp"`
	DefaultFromName string             `json:"defaultFromName"`
	DefaultFrom     string             `json:"defaultFrom"`
	TrackerURL      string             `json:"trackerUrl"` // public base URL of `magpie tracker`
	Signature       string             `json:"signature"`
	// UnsubscribeText and WebviewText: HTML with |URL| for the link; "" = the default in
	// each email's language (Mautic's unsubscribe_text / webview_text).
	UnsubscribeText string `json:"unsubscribeText"`
	WebviewText     string `json:"webviewText"`
	// Frequency rule defaults (Mautic email_frequency_number / _time): 0 = off.
	FrequencyNumber int    `json:"frequencyNumber"`
	FrequencyTime   string `json:"frequencyTime"` // DAY | WEEK | MONTH
	// MaxAttempts before a temporary failure becomes a failure (default 5).
	MaxAttempts int `json:"maxAttempts"`
}

// renderOptions are the settings' part of rendering a message at now.
func (st Settings) renderOptions(now time.Time) Options {
	return Options{Signature: st.Signature, UnsubscribeText: st.UnsubscribeText, WebviewText: st.WebviewText, Now: now}
}

const (
	metaSettings = "emails.settings"
	metaSecret   = "emails.link_secret"
)

// Service is the emails domain: definitions, rendering, the send queue and statistics.
type Service struct {
	db       *db.DB
	contacts *contacts.Service
	dir      string // data dir: SMTP secret, send journals

	mu        sync.Mutex
	audience  Audience
	lease     Lease
	links     Links
	fixed     bool // links installed by SetLinks (kept when settings change)
	linkKey   func(context.Context) ([]byte, string, error)
	mailer    func(Settings) (sending.Mailer, error)
	assetFile AssetFile
	drainMu   sync.Mutex // one drain per process
	bg        *background
}

// New returns the service; dataDir holds the SMTP secret and the send journals.
func New(d *db.DB, cs *contacts.Service, dataDir string) *Service {
	return &Service{db: d, contacts: cs, dir: dataDir, lease: alwaysLease{},
		mailer: func(st Settings) (sending.Mailer, error) { return sending.NewSMTP(st.SMTP) }}
}

// SetAudience installs segment membership (package segments).
func (s *Service) SetAudience(a Audience) { s.mu.Lock(); s.audience = a; s.mu.Unlock() }

// SetLease installs the single-executor lease (package sync).
func (s *Service) SetLease(l Lease) { s.mu.Lock(); s.lease = l; s.mu.Unlock() }

// SetLinks replaces the link maker (tests; a tracker with its own URL scheme).
func (s *Service) SetLinks(l Links) { s.mu.Lock(); s.links, s.fixed = l, l != nil; s.mu.Unlock() }

// SetLinkKey installs where the link-signing secret and the tracker's public URL come from
// (the tracker's settings), so the tracker verifies what the emails sign.
func (s *Service) SetLinkKey(f func(context.Context) (secret []byte, publicURL string, err error)) {
	s.mu.Lock()
	s.linkKey = f
	if !s.fixed {
		s.links = nil
	}
	s.mu.Unlock()
}

// SetMailer replaces the mailer factory (tests, benchmarks, dry runs).
func (s *Service) SetMailer(f func(Settings) (sending.Mailer, error)) {
	s.mu.Lock()
	s.mailer = f
	s.mu.Unlock()
}

// Settings returns the stored settings (with the SMTP password).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	v, err := s.db.Meta(ctx, metaSettings)
	if err != nil {
		return st, err
	}
	if v != "" {
		if err := json.Unmarshal([]byte(v), &st); err != nil {
			return st, fmt.Errorf("emails: settings: %w", err)
		}
	}
	if st.SMTP.TLS == "" {
		st.SMTP.TLS = "starttls"
	}
	if st.FrequencyTime == "" {
		st.FrequencyTime = "DAY"
	}
	if st.MaxAttempts <= 0 {
		st.MaxAttempts = 5
	}
	if b, err := os.ReadFile(s.secretPath()); err == nil {
		st.SMTP.Password = strings.TrimRight(string(b), "\n")
	}
	return st, nil
}

func (s *Service) secretPath() string { return filepath.Join(s.dir, "smtp.secret") }

// SaveSettings validates and stores settings; an empty password keeps the stored one.
func (s *Service) SaveSettings(ctx context.Context, st Settings) error {
	f, msgs := map[string]string{}, map[string]string{}
	switch st.SMTP.TLS {
	case "", "starttls", "opportunistic", "tls", "none":
	default:
		f["tls"], msgs["tls"] = "emails.errors.tls", fmt.Sprintf("TLS mode %q is not starttls, opportunistic, tls or none", st.SMTP.TLS)
	}
	switch strings.ToLower(st.SMTP.Auth) {
	case "", "plain", "login", "cram-md5", "xoauth2":
	default:
		f["auth"], msgs["auth"] = "emails.errors.auth", fmt.Sprintf("authentication %q is not plain, login, cram-md5 or xoauth2", st.SMTP.Auth)
	}
	if st.SMTP.Port < 0 || st.SMTP.Port > 65535 {
		f["port"], msgs["port"] = "emails.errors.port", fmt.Sprintf("port %d is out of range", st.SMTP.Port)
	}
	if st.DefaultFrom != "" {
		probe := Email{Name: "x", FromAddress: st.DefaultFrom}
		if probe.Validate() != nil {
			f["defaultFrom"], msgs["defaultFrom"] = "emails.errors.fromAddress", fmt.Sprintf("%q is not an email address", st.DefaultFrom)
		}
	}
	for k, v := range map[string]string{"unsubscribeText": st.UnsubscribeText, "webviewText": st.WebviewText} {
		if strings.TrimSpace(v) != "" && !strings.Contains(v, "|URL|") {
			f[k], msgs[k] = "emails.errors.urlPlaceholder", "the text needs |URL| where its link goes"
		}
	}
	switch st.FrequencyTime {
	case "", "DAY", "WEEK", "MONTH":
	default:
		f["frequencyTime"], msgs["frequencyTime"] = "emails.errors.frequencyTime", "frequency period must be DAY, WEEK or MONTH"
	}
	if len(f) > 0 {
		return apperr.FieldErrors(f, msgs)
	}
	if st.SMTP.Password != "" {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(s.secretPath(), []byte(st.SMTP.Password), 0o600); err != nil {
			return fmt.Errorf("emails: store SMTP password: %w", err)
		}
	}
	st.SMTP.Password = ""
	b, _ := json.Marshal(st)
	s.mu.Lock()
	if !s.fixed {
		s.links = nil // the tracker URL may have changed
	}
	s.mu.Unlock()
	return s.db.SetMeta(ctx, metaSettings, string(b))
}

// Links returns the link maker: the installed one, else signed links to the tracker URL
// with the site's link secret (made on first use).
func (s *Service) Links(ctx context.Context) (Links, error) {
	s.mu.Lock()
	l := s.links
	s.mu.Unlock()
	if l != nil {
		return l, nil
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	lk := s.linkKey
	s.mu.Unlock()
	var key []byte
	base := st.TrackerURL
	if lk != nil {
		k, pub, err := lk(ctx)
		if err != nil {
			return nil, err
		}
		key = k
		if base == "" {
			base = pub
		}
	} else {
		secret, err := s.db.Meta(ctx, metaSecret)
		if err != nil {
			return nil, err
		}
		if secret != "" {
			key, _ = base64.StdEncoding.DecodeString(secret)
		}
		if len(key) < 32 {
			key = signing.NewSecret()
			if err := s.db.SetMeta(ctx, metaSecret, base64.StdEncoding.EncodeToString(key)); err != nil {
				return nil, err
			}
		}
	}
	signer, err := signing.New(key)
	if err != nil {
		return nil, err
	}
	if base == "" {
		base = "http://127.0.0.1:8089" // `magpie tracker`'s default address
	}
	l = SignedLinks{BaseURL: base, Signer: signer}
	s.mu.Lock()
	s.links = l
	s.mu.Unlock()
	return l, nil
}

// loadRecipients reads the personalisation data of contacts (fields, primary company,
// owner) in one pass per table.
func (s *Service) loadRecipients(ctx context.Context, idList []string) (map[string]Recipient, error) {
	cs, err := s.contacts.Load(ctx, idList, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Recipient, len(cs))
	owners := map[string]bool{}
	for _, c := range cs {
		if c.Deleted {
			continue
		}
		m := make(map[string]string, len(c.Values)+1)
		for k, v := range c.Values {
			m[k] = contacts.Text(v)
		}
		m["id"] = c.ID
		name := strings.TrimSpace(m["firstname"] + " " + m["lastname"])
		out[c.ID] = Recipient{ContactID: c.ID, Address: strings.TrimSpace(m["email"]), Name: name,
			Locale: m["preferred_locale"], Contact: m, Owner: map[string]string{"id": c.OwnerID}}
		if c.OwnerID != "" {
			owners[c.OwnerID] = true
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	// Primary companies.
	rows, err := s.db.R.QueryContext(ctx, `SELECT cc.contact_id, c.* FROM company_contacts cc
		JOIN companies c ON c.id = cc.company_id AND c.deleted = 0
		WHERE cc.deleted = 0 AND cc.is_primary = 1 AND cc.contact_id IN (`+listing.Placeholders(len(idList))+`)`,
		listing.Strings(idList)...)
	if err != nil {
		return nil, err
	}
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return nil, err
		}
		cid, _ := vals[0].(string)
		r, ok := out[cid]
		if !ok {
			continue
		}
		r.Company = map[string]string{}
		for i, c := range cols[1:] {
			if strings.HasPrefix(c, "company") || c == "score" {
				r.Company[c] = contacts.Text(bytesToString(vals[i+1]))
			}
		}
		out[cid] = r
	}
	rows.Close()
	// Owners.
	if len(owners) > 0 {
		ol := make([]string, 0, len(owners))
		for o := range owners {
			ol = append(ol, o)
		}
		rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, coalesce(email,'') FROM users WHERE id IN (`+
			listing.Placeholders(len(ol))+`)`, listing.Strings(ol)...)
		if err != nil {
			return nil, err
		}
		byID := map[string]map[string]string{}
		for rows.Next() {
			var id, name, email string
			if err := rows.Scan(&id, &name, &email); err != nil {
				rows.Close()
				return nil, err
			}
			first, last, _ := strings.Cut(name, " ")
			byID[id] = map[string]string{"id": id, "name": name, "firstname": first, "lastname": last, "email": email}
		}
		rows.Close()
		for id, r := range out {
			if o, ok := byID[r.Owner["id"]]; ok {
				r.Owner = o
				out[id] = r
			}
		}
	}
	return out, nil
}

func bytesToString(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

var errNoAudience = errors.New("emails: segment membership is not available in this build")

var errNoAssets = errors.New("the asset store is not available")
