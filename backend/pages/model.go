// Package pages is Magpie's landing pages (Mautic's PageBundle): pages built with the
// GrapesJS builder or as raw HTML, sanitised on save, with SEO fields, A/B variants (weighted,
// sticky per visitor) and translations (Accept-Language or a language switch), served by the
// tracker at /p/{alias} or a custom path; and the preference center (segment subscriptions,
// email on/off, unsubscribe) behind signed per-contact links.
package pages

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/ids"
	"magpie/backend/webhtml"
)

func init() {
	db.Declare(db.Table{Name: "pages", Synced: true})
	db.Declare(db.Table{Name: "segment_prefs", Synced: true})
}

// Modes of a page.
const (
	Builder = "builder" // GrapesJS (source = project JSON, html = its export)
	HTML    = "html"    // raw HTML
)

// Page is a landing page, a variant (VariantParentID) or a translation (TranslationParentID).
type Page struct {
	ID                  string    `json:"id"`
	Title               string    `json:"title"`
	Alias               string    `json:"alias"`
	CustomPath          string    `json:"customPath"`
	Mode                string    `json:"mode"`
	HTML                string    `json:"html"`
	Source              string    `json:"source"`
	SEOTitle            string    `json:"seoTitle"`
	MetaDescription     string    `json:"metaDescription"`
	SocialImage         string    `json:"socialImage"`
	Language            string    `json:"language"`
	TranslationParentID string    `json:"translationParentId"`
	VariantParentID     string    `json:"variantParentId"`
	VariantWeight       int       `json:"variantWeight"`
	PreferenceCenter    bool      `json:"preferenceCenter"`
	NoIndex             bool      `json:"noIndex"`
	Published           bool      `json:"published"`
	DateAdded           time.Time `json:"dateAdded"`
	DateModified        time.Time `json:"dateModified"`
	Deleted             bool      `json:"deleted"`
	// A/B auto-winner (root pages with variants): criterion ("" none | conversions | bounce),
	// hours after the last variant joined, and the decision (abtest.go).
	ABCriteria  string `json:"abCriteria"`
	ABHours     int    `json:"abHours"`
	ABWinnerID  string `json:"abWinnerId"`
	ABDecidedAt int64  `json:"abDecidedAt"`
	// Counters (lists and stats only).
	Hits        int `json:"hits"`
	UniqueHits  int `json:"uniqueHits"`
	Conversions int `json:"conversions"`
}

var (
	aliasRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$`)
	pathRE  = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)+/?$`)
	langRE  = regexp.MustCompile(`^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$`)
)

// reserved are the tracker's own path prefixes a custom path may not take.
var reserved = []string{"/p/", "/mtc", "/mtracking.gif", "/e/", "/email/", "/r/", "/redirect/", "/form", "/dwc", "/focus",
	"/prefs", "/asset", "/health", "/metrics"}

// Slug turns a title into an alias.
func Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 100 {
		s = strings.Trim(s[:100], "-")
	}
	return s
}

// Validate normalises and checks a page; errors name the field.
func (p *Page) Validate() error {
	f := map[string]string{}
	msgs := map[string]string{}
	bad := func(field, key, msg string) { f[field] = key; msgs[field] = msg }
	p.Title = strings.TrimSpace(p.Title)
	if p.Title == "" {
		bad("title", "pages.errors.titleRequired", "a title is required")
	}
	p.Alias = strings.TrimSpace(strings.ToLower(p.Alias))
	if p.Alias == "" && p.VariantParentID == "" {
		p.Alias = Slug(p.Title)
	}
	if p.Alias != "" && !aliasRE.MatchString(p.Alias) {
		bad("alias", "pages.errors.alias", fmt.Sprintf("alias %q may hold only a-z, 0-9 and dashes (not at the ends)", p.Alias))
	}
	p.CustomPath = strings.TrimSpace(p.CustomPath)
	if p.CustomPath != "" {
		if !pathRE.MatchString(p.CustomPath) {
			bad("customPath", "pages.errors.customPath", fmt.Sprintf("custom path %q must look like /offers/spring", p.CustomPath))
		} else {
			for _, r := range reserved {
				if strings.HasPrefix(strings.ToLower(p.CustomPath)+"/", r) || strings.HasPrefix(strings.ToLower(p.CustomPath), r) {
					bad("customPath", "pages.errors.reservedPath", fmt.Sprintf("custom path %q is used by the tracker (%s…)", p.CustomPath, r))
					break
				}
			}
		}
	}
	switch p.Mode {
	case "":
		p.Mode = Builder
	case Builder, HTML:
	default:
		bad("mode", "pages.errors.mode", fmt.Sprintf("mode %q is not builder or html", p.Mode))
	}
	p.Language = strings.TrimSpace(p.Language)
	if p.Language != "" && !langRE.MatchString(p.Language) {
		bad("language", "pages.errors.language", fmt.Sprintf("language %q is not a code like en or fr-CA", p.Language))
	}
	if p.SocialImage != "" && !strings.HasPrefix(p.SocialImage, "https://") && !strings.HasPrefix(p.SocialImage, "http://") {
		bad("socialImage", "pages.errors.socialImage", "the social image must be an http(s) URL")
	}
	if p.VariantWeight < 0 || p.VariantWeight > 100 {
		bad("variantWeight", "pages.errors.weight", fmt.Sprintf("weight %d must be between 0 and 100", p.VariantWeight))
	}
	if p.VariantParentID != "" && p.TranslationParentID != "" {
		bad("variantParentId", "pages.errors.variantAndTranslation", "a page is a variant or a translation, not both")
	}
	if p.ID != "" && (p.VariantParentID == p.ID || p.TranslationParentID == p.ID) {
		bad("variantParentId", "pages.errors.selfParent", "a page cannot be its own parent")
	}
	switch p.ABCriteria {
	case "":
		p.ABHours = 0
	case ABConversions, ABBounce:
		if p.VariantParentID != "" || p.TranslationParentID != "" {
			bad("abCriteria", "pages.errors.abOnChild", "the automatic winner is set on the main page, not on a variant or translation")
		} else if p.ABHours < 1 || p.ABHours > 24*366 {
			bad("abHours", "pages.errors.abHours", fmt.Sprintf("decide after %d hours: must be 1 to 8784 (a year)", p.ABHours))
		}
	default:
		bad("abCriteria", "pages.errors.abCriteria", fmt.Sprintf("winner criterion %q is not conversions or bounce", p.ABCriteria))
	}
	if len(p.HTML) > 2<<20 {
		bad("html", "pages.errors.tooLarge", fmt.Sprintf("the HTML is %d bytes (limit 2 MiB)", len(p.HTML)))
	}
	p.HTML = webhtml.Sanitize(p.HTML)
	if len(f) > 0 {
		return apperr.FieldErrors(f, msgs)
	}
	return nil
}

// Service manages pages.
type Service struct {
	db   *db.DB
	live liveCache
}

// New returns the pages service.
func New(d *db.DB) *Service {
	s := &Service{db: d}
	s.watch(d)
	return s
}

// DB is the store.
func (s *Service) DB() *db.DB { return s.db }

const selectPage = `SELECT id, title, alias, custom_path, mode, html, source, seo_title, meta_description, social_image,
	language, coalesce(translation_parent_id, ''), coalesce(variant_parent_id, ''), variant_weight, is_preference_center,
	no_index, is_published, date_added, date_modified, deleted, coalesce(ab_criteria, ''), coalesce(ab_hours, 0),
	coalesce(ab_winner_id, ''), coalesce(ab_decided_at, 0) FROM pages`

func scanPage(sc db.Scanner) (Page, error) {
	var p Page
	var added, modified int64
	err := sc.Scan(&p.ID, &p.Title, &p.Alias, &p.CustomPath, &p.Mode, &p.HTML, &p.Source, &p.SEOTitle, &p.MetaDescription,
		&p.SocialImage, &p.Language, &p.TranslationParentID, &p.VariantParentID, &p.VariantWeight, &p.PreferenceCenter,
		&p.NoIndex, &p.Published, &added, &modified, &p.Deleted, &p.ABCriteria, &p.ABHours, &p.ABWinnerID, &p.ABDecidedAt)
	p.DateAdded, p.DateModified = time.UnixMilli(added).UTC(), time.UnixMilli(modified).UTC()
	return p, err
}

func (s *Service) query(ctx context.Context, where string, args ...any) ([]Page, error) {
	return db.Collect(ctx, s.db.R, scanPage, selectPage+" WHERE "+where, args...)
}

// List returns the pages (or the trash) by title, with hit and conversion counters.
func (s *Service) List(ctx context.Context, trash bool) ([]Page, error) {
	out, err := s.query(ctx, "deleted = ? ORDER BY title, id", trash)
	if err != nil {
		return nil, err
	}
	st, err := s.counters(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		c := st[out[i].ID]
		out[i].Hits, out[i].UniqueHits, out[i].Conversions = c.Hits, c.UniqueHits, c.Conversions
	}
	return out, nil
}

// Get returns one page.
func (s *Service) Get(ctx context.Context, id string) (Page, error) {
	p, err := scanPage(s.db.R.QueryRowContext(ctx, selectPage+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFoundf("pages.errors.notFound", map[string]any{"id": id}, "no page %q", id)
	}
	return p, err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Save creates (empty ID) or updates a page; the HTML is sanitised.
func (s *Service) Save(ctx context.Context, p Page) (Page, error) {
	if err := p.Validate(); err != nil {
		return p, err
	}
	isNew := p.ID == ""
	if isNew {
		p.ID = ids.New()
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := checkUnique(tx, p); err != nil {
			return err
		}
		for _, parent := range []string{p.VariantParentID, p.TranslationParentID} {
			if parent == "" {
				continue
			}
			var pp sql.NullString
			err := tx.QueryRow("SELECT coalesce(variant_parent_id, '') FROM pages WHERE id = ? AND deleted = 0", parent).Scan(&pp)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Invalidf("pages.errors.parent", map[string]any{"id": parent}, "parent page %q does not exist", parent)
			}
			if err != nil {
				return err
			}
			if pp.String != "" {
				return apperr.Invalidf("pages.errors.nestedVariant", nil, "page %q is itself a variant; pick its parent", parent)
			}
		}
		cols := db.Cols{"title": p.Title, "alias": p.Alias, "custom_path": p.CustomPath, "mode": p.Mode, "html": p.HTML,
			"source": p.Source, "seo_title": p.SEOTitle, "meta_description": p.MetaDescription, "social_image": p.SocialImage,
			"language": p.Language, "translation_parent_id": nullable(p.TranslationParentID),
			"variant_parent_id": nullable(p.VariantParentID), "variant_weight": p.VariantWeight,
			"is_preference_center": b2i(p.PreferenceCenter), "no_index": b2i(p.NoIndex), "is_published": b2i(p.Published),
			"ab_criteria": nullable(p.ABCriteria), "ab_hours": p.ABHours, "date_modified": tx.NowMs()}
		if p.ABCriteria == "" {
			// No automatic winner (any more): every variant is served by weight again.
			cols["ab_winner_id"], cols["ab_decided_at"] = nil, nil
		}
		if isNew {
			cols["date_added"] = tx.NowMs()
			return tx.Insert("pages", p.ID, cols)
		}
		ok, err := tx.Update("pages", p.ID, cols)
		if err == nil && !ok {
			return apperr.NotFoundf("pages.errors.notFound", map[string]any{"id": p.ID}, "no page %q", p.ID)
		}
		return err
	})
	if err != nil {
		return p, err
	}
	return s.Get(ctx, p.ID)
}

func checkUnique(tx *db.Tx, p Page) error {
	var other string
	if p.Alias != "" {
		err := tx.QueryRow("SELECT id FROM pages WHERE deleted = 0 AND alias = ? AND id <> ? LIMIT 1", p.Alias, p.ID).Scan(&other)
		if err == nil {
			return apperr.FieldErrors(map[string]string{"alias": "pages.errors.aliasTaken"},
				map[string]string{"alias": fmt.Sprintf("alias %q is already used by another page", p.Alias)})
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if p.CustomPath != "" {
		err := tx.QueryRow("SELECT id FROM pages WHERE deleted = 0 AND custom_path = ? COLLATE NOCASE AND id <> ? LIMIT 1",
			p.CustomPath, p.ID).Scan(&other)
		if err == nil {
			return apperr.FieldErrors(map[string]string{"customPath": "pages.errors.pathTaken"},
				map[string]string{"customPath": fmt.Sprintf("custom path %q is already used by another page", p.CustomPath)})
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	return nil
}

// Delete moves a page and its variants and translations to the trash.
func (s *Service) Delete(ctx context.Context, id string) error { return s.setDeleted(ctx, id, true) }

// Restore brings a page (and its children) back.
func (s *Service) Restore(ctx context.Context, id string) error { return s.setDeleted(ctx, id, false) }

func (s *Service) setDeleted(ctx context.Context, id string, del bool) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query("SELECT id FROM pages WHERE id = ?1 OR variant_parent_id = ?1 OR translation_parent_id = ?1", id)
		if err != nil {
			return err
		}
		var list []string
		for rows.Next() {
			var x string
			if err := rows.Scan(&x); err != nil {
				rows.Close()
				return err
			}
			list = append(list, x)
		}
		rows.Close()
		if len(list) == 0 {
			return apperr.NotFoundf("pages.errors.notFound", map[string]any{"id": id}, "no page %q", id)
		}
		for _, x := range list {
			if del {
				_, err = tx.Delete("pages", x)
			} else {
				_, err = tx.Restore("pages", x)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}
