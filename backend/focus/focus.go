// Package focus is Mautic's focus items: a bar, modal, notification or full-page overlay
// with a form, a link or text, shown by the tracker's mtc.js inside a shadow root (so the
// host page's styles and the item's never mix) when its trigger fires (on load, after N
// seconds, at a scroll percentage, on exit intent), on URLs its include/exclude wildcard rules
// allow, within its frequency caps.
package focus

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/ids"
	"magpie/backend/webhtml"
)

func init() {
	db.Declare(db.Table{Name: "focus_items", Synced: true})
}

// Colors of an item (#rrggbb or #rgb).
type Colors struct {
	Background string `json:"background,omitempty"`
	Text       string `json:"text,omitempty"`
	Button     string `json:"button,omitempty"`
	ButtonText string `json:"buttonText,omitempty"`
}

// Item is one focus item.
type Item struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Style          string    `json:"style"`    // bar | modal | notification | page
	Position       string    `json:"position"` // top|bottom; top|middle|bottom; top-left|top-right|bottom-left|bottom-right
	ContentType    string    `json:"contentType"`
	Headline       string    `json:"headline"`
	Body           string    `json:"body"`
	FormID         string    `json:"formId"`
	LinkURL        string    `json:"linkUrl"`
	LinkText       string    `json:"linkText"`
	Colors         Colors    `json:"colors"`
	Trigger        string    `json:"trigger"`      // load | delay | scroll | exit
	TriggerValue   int       `json:"triggerValue"` // seconds or percent
	Frequency      string    `json:"frequency"`    // everypage | session | 2min | 15min | hour | day
	MaxPerDay      int       `json:"maxPerDay"`
	StopAfterClose bool      `json:"stopAfterClose"`
	URLInclude     string    `json:"urlInclude"` // one wildcard pattern per line
	URLExclude     string    `json:"urlExclude"`
	Published      bool      `json:"published"`
	DateAdded      time.Time `json:"dateAdded"`
	DateModified   time.Time `json:"dateModified"`
	Deleted        bool      `json:"deleted"`
}

var (
	styles    = map[string][]string{"bar": {"top", "bottom"}, "modal": {"top", "middle", "bottom"}, "notification": {"top-left", "top-right", "bottom-left", "bottom-right"}, "page": {""}}
	contents  = map[string]bool{"form": true, "link": true, "text": true}
	triggers  = map[string]bool{"load": true, "delay": true, "scroll": true, "exit": true}
	intervals = map[string]time.Duration{"everypage": 0, "session": 0, "2min": 2 * time.Minute, "15min": 15 * time.Minute,
		"hour": time.Hour, "day": 24 * time.Hour}
	colorRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	formRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// Validate normalises and checks an item; errors name the field.
func (it *Item) Validate() error {
	f, msgs := map[string]string{}, map[string]string{}
	bad := func(field, key, msg string) { f[field] = key; msgs[field] = msg }
	it.Name = strings.TrimSpace(it.Name)
	if it.Name == "" {
		bad("name", "focus.errors.nameRequired", "a name is required")
	}
	if it.Style == "" {
		it.Style = "bar"
	}
	pos, ok := styles[it.Style]
	if !ok {
		bad("style", "focus.errors.style", fmt.Sprintf("style %q is not bar, modal, notification or page", it.Style))
	} else {
		if it.Position == "" || it.Style == "page" {
			it.Position = pos[0]
		}
		if !contains(pos, it.Position) {
			bad("position", "focus.errors.position", fmt.Sprintf("position %q is not one of %s for a %s", it.Position, strings.Join(pos, ", "), it.Style))
		}
	}
	if it.ContentType == "" {
		it.ContentType = "text"
	}
	if !contents[it.ContentType] {
		bad("contentType", "focus.errors.contentType", fmt.Sprintf("content %q is not form, link or text", it.ContentType))
	}
	if it.ContentType == "form" && !formRE.MatchString(it.FormID) {
		bad("formId", "focus.errors.formId", "pick the form to show")
	}
	if it.ContentType == "link" || it.LinkURL != "" {
		if !(strings.HasPrefix(it.LinkURL, "https://") || strings.HasPrefix(it.LinkURL, "http://") || strings.HasPrefix(it.LinkURL, "/")) || !webhtml.SafeURL(it.LinkURL) {
			bad("linkUrl", "focus.errors.linkUrl", fmt.Sprintf("link %q must be an http(s) URL", it.LinkURL))
		}
	}
	if it.Trigger == "" {
		it.Trigger = "load"
	}
	if !triggers[it.Trigger] {
		bad("trigger", "focus.errors.trigger", fmt.Sprintf("trigger %q is not load, delay, scroll or exit", it.Trigger))
	}
	switch {
	case it.Trigger == "delay" && (it.TriggerValue < 1 || it.TriggerValue > 3600):
		bad("triggerValue", "focus.errors.delay", fmt.Sprintf("delay %d must be 1–3600 seconds", it.TriggerValue))
	case it.Trigger == "scroll" && (it.TriggerValue < 1 || it.TriggerValue > 100):
		bad("triggerValue", "focus.errors.scroll", fmt.Sprintf("scroll %d must be 1–100 %%", it.TriggerValue))
	case it.Trigger == "load" || it.Trigger == "exit":
		it.TriggerValue = 0
	}
	if it.Frequency == "" {
		it.Frequency = "everypage"
	}
	if _, ok := intervals[it.Frequency]; !ok {
		bad("frequency", "focus.errors.frequency", fmt.Sprintf("frequency %q is not everypage, session, 2min, 15min, hour or day", it.Frequency))
	}
	if it.MaxPerDay < 0 || it.MaxPerDay > 1000 {
		bad("maxPerDay", "focus.errors.maxPerDay", "the daily cap must be 0 (none) to 1000")
	}
	for k, v := range map[string]string{"colors.background": it.Colors.Background, "colors.text": it.Colors.Text,
		"colors.button": it.Colors.Button, "colors.buttonText": it.Colors.ButtonText} {
		if v != "" && !colorRE.MatchString(v) {
			bad(k, "focus.errors.color", fmt.Sprintf("colour %q must look like #1a2b3c", v))
		}
	}
	for name, list := range map[string]string{"urlInclude": it.URLInclude, "urlExclude": it.URLExclude} {
		for i, p := range patterns(list) {
			if len(p) > 500 {
				bad(name, "focus.errors.pattern", fmt.Sprintf("pattern %d is longer than 500 characters", i+1))
			}
		}
	}
	it.Body = webhtml.Sanitize(it.Body)
	if len(f) > 0 {
		return apperr.FieldErrors(f, msgs)
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Service manages focus items.
type Service struct {
	db *db.DB

	mu        sync.Mutex
	published []Item // cache of Published; nil = stale (any focus_items change, local or synced)
}

// New returns the service.
func New(d *db.DB) *Service {
	s := &Service{db: d}
	d.OnCommit(func(c db.Commit) {
		if c.Touches("focus_items") {
			s.mu.Lock()
			s.published = nil
			s.mu.Unlock()
		}
	})
	return s
}

const selectItem = `SELECT id, name, style, position, content_type, headline, body, form_id, link_url, link_text, colors,
	trigger_kind, trigger_value, frequency, max_per_day, stop_after_close, url_include, url_exclude, is_published,
	date_added, date_modified, deleted FROM focus_items`

func scanItem(sc db.Scanner) (Item, error) {
	var it Item
	var colors string
	var a, m int64
	err := sc.Scan(&it.ID, &it.Name, &it.Style, &it.Position, &it.ContentType, &it.Headline, &it.Body, &it.FormID, &it.LinkURL,
		&it.LinkText, &colors, &it.Trigger, &it.TriggerValue, &it.Frequency, &it.MaxPerDay, &it.StopAfterClose, &it.URLInclude,
		&it.URLExclude, &it.Published, &a, &m, &it.Deleted)
	_ = json.Unmarshal([]byte(colors), &it.Colors)
	it.DateAdded, it.DateModified = time.UnixMilli(a).UTC(), time.UnixMilli(m).UTC()
	return it, err
}

func (s *Service) query(ctx context.Context, where string, args ...any) ([]Item, error) {
	return db.Collect(ctx, s.db.R, scanItem, selectItem+" WHERE "+where, args...)
}

// List returns the items (or the trash) by name.
func (s *Service) List(ctx context.Context, trash bool) ([]Item, error) {
	return s.query(ctx, "deleted = ? ORDER BY name, id", trash)
}

// Published returns the live items (cached until an item changes; callers must not modify them).
func (s *Service) Published(ctx context.Context) ([]Item, error) {
	s.mu.Lock()
	cached := s.published
	s.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	list, err := s.query(ctx, "deleted = 0 AND is_published = 1 ORDER BY date_added, id")
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []Item{}
	}
	s.mu.Lock()
	s.published = list
	s.mu.Unlock()
	return list, nil
}

// Get returns one item.
func (s *Service) Get(ctx context.Context, id string) (Item, error) {
	it, err := scanItem(s.db.R.QueryRowContext(ctx, selectItem+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, apperr.NotFoundf("focus.errors.notFound", map[string]any{"id": id}, "no focus item %q", id)
	}
	return it, err
}

// Save creates (empty ID) or updates an item.
func (s *Service) Save(ctx context.Context, it Item) (Item, error) {
	if err := it.Validate(); err != nil {
		return it, err
	}
	isNew := it.ID == ""
	if isNew {
		it.ID = ids.New()
	}
	colors, _ := json.Marshal(it.Colors)
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cols := db.Cols{"name": it.Name, "style": it.Style, "position": it.Position, "content_type": it.ContentType,
			"headline": it.Headline, "body": it.Body, "form_id": it.FormID, "link_url": it.LinkURL, "link_text": it.LinkText,
			"colors": string(colors), "trigger_kind": it.Trigger, "trigger_value": it.TriggerValue, "frequency": it.Frequency,
			"max_per_day": it.MaxPerDay, "stop_after_close": it.StopAfterClose, "url_include": it.URLInclude,
			"url_exclude": it.URLExclude, "is_published": it.Published, "date_modified": tx.NowMs()}
		if isNew {
			cols["date_added"] = tx.NowMs()
			return tx.Insert("focus_items", it.ID, cols)
		}
		ok, err := tx.Update("focus_items", it.ID, cols)
		if err == nil && !ok {
			return apperr.NotFoundf("focus.errors.notFound", map[string]any{"id": it.ID}, "no focus item %q", it.ID)
		}
		return err
	})
	if err != nil {
		return it, err
	}
	return s.Get(ctx, it.ID)
}

// Delete moves an item to the trash; Restore brings it back.
func (s *Service) Delete(ctx context.Context, id string) error  { return s.setDeleted(ctx, id, true) }
func (s *Service) Restore(ctx context.Context, id string) error { return s.setDeleted(ctx, id, false) }

func (s *Service) setDeleted(ctx context.Context, id string, del bool) error {
	return s.db.Trash(ctx, "focus_items", id, del, apperr.NotFoundf("focus.errors.notFound", map[string]any{"id": id}, "no focus item %q", id))
}
