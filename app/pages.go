package app

import (
	"encoding/json"
	"strings"
	"time"

	"magpie/backend/dwc"
	"magpie/backend/focus"
	"magpie/backend/pages"
	"magpie/backend/tracking"
)

// Pages is the landing pages list and editor, and the preference center settings.
type Pages struct{ s *Shell }

// PageView is a page as the editor edits it.
type PageView struct {
	ID                  string `json:"id"`
	Title               string `json:"title"`
	Alias               string `json:"alias"`
	CustomPath          string `json:"customPath"`
	Mode                string `json:"mode"`
	HTML                string `json:"html"`
	Source              string `json:"source"`
	SEOTitle            string `json:"seoTitle"`
	MetaDescription     string `json:"metaDescription"`
	SocialImage         string `json:"socialImage"`
	Language            string `json:"language"`
	TranslationParentID string `json:"translationParentId"`
	VariantParentID     string `json:"variantParentId"`
	VariantWeight       int    `json:"variantWeight"`
	PreferenceCenter    bool   `json:"preferenceCenter"`
	NoIndex             bool   `json:"noIndex"`
	Published           bool   `json:"published"`
	DateAdded           string `json:"dateAdded"`
	DateModified        string `json:"dateModified"`
	Deleted             bool   `json:"deleted"`
	Hits                int    `json:"hits"`
	UniqueHits          int    `json:"uniqueHits"`
	Conversions         int    `json:"conversions"`
	ABCriteria          string `json:"abCriteria"`
	ABHours             int    `json:"abHours"`
	ABWinnerID          string `json:"abWinnerId"`
	ABDecidedAt         string `json:"abDecidedAt"`
}

func pageView(p pages.Page) PageView {
	return PageView{ID: p.ID, Title: p.Title, Alias: p.Alias, CustomPath: p.CustomPath, Mode: p.Mode, HTML: p.HTML, Source: p.Source,
		SEOTitle: p.SEOTitle, MetaDescription: p.MetaDescription, SocialImage: p.SocialImage, Language: p.Language,
		TranslationParentID: p.TranslationParentID, VariantParentID: p.VariantParentID, VariantWeight: p.VariantWeight,
		PreferenceCenter: p.PreferenceCenter, NoIndex: p.NoIndex, Published: p.Published, DateAdded: ts(p.DateAdded),
		DateModified: ts(p.DateModified), Deleted: p.Deleted, Hits: p.Hits, UniqueHits: p.UniqueHits, Conversions: p.Conversions,
		ABCriteria: p.ABCriteria, ABHours: p.ABHours, ABWinnerID: p.ABWinnerID, ABDecidedAt: tsMs(p.ABDecidedAt)}
}

// tsMs formats Unix milliseconds like ts ("" for 0).
func tsMs(ms int64) string {
	if ms == 0 {
		return ""
	}
	return ts(time.UnixMilli(ms).UTC())
}

func (v PageView) page() pages.Page {
	return pages.Page{ID: v.ID, Title: v.Title, Alias: v.Alias, CustomPath: v.CustomPath, Mode: v.Mode, HTML: v.HTML, Source: v.Source,
		SEOTitle: v.SEOTitle, MetaDescription: v.MetaDescription, SocialImage: v.SocialImage, Language: v.Language,
		TranslationParentID: v.TranslationParentID, VariantParentID: v.VariantParentID, VariantWeight: v.VariantWeight,
		PreferenceCenter: v.PreferenceCenter, NoIndex: v.NoIndex, Published: v.Published, ABCriteria: v.ABCriteria, ABHours: v.ABHours}
}

// List returns the pages (or the trash) with their counters.
func (a *Pages) List(trash bool) ([]PageView, error) {
	list, err := a.s.core.Pages.List(a.s.context(), trash)
	out := make([]PageView, 0, len(list))
	for _, p := range list {
		v := pageView(p)
		v.HTML, v.Source = "", ""
		out = append(out, v)
	}
	return out, err
}

// Get returns one page.
func (a *Pages) Get(id string) (PageView, error) {
	p, err := a.s.core.Pages.Get(a.s.context(), id)
	return pageView(p), err
}

// Save creates or updates a page (its HTML is sanitised).
func (a *Pages) Save(v PageView) (PageView, error) {
	p, err := a.s.core.Pages.Save(a.s.context(), v.page())
	return pageView(p), err
}

// Delete moves a page (with its variants and translations) to the trash.
func (a *Pages) Delete(id string) error { return a.s.core.Pages.Delete(a.s.context(), id) }

// Restore brings a page back from the trash.
func (a *Pages) Restore(id string) error { return a.s.core.Pages.Restore(a.s.context(), id) }

// Stats returns the hits and conversions of a page, its variants and translations.
func (a *Pages) Stats(id string) ([]pages.VariantStat, error) {
	return a.s.core.Pages.Stats(a.s.context(), id)
}

// Preview renders a page as an anonymous visitor sees it (tracking script included).
func (a *Pages) Preview(v PageView) (string, error) {
	p := v.page()
	if err := p.Validate(); err != nil {
		return "", err
	}
	st, _ := tracking.LoadSettings(a.s.context(), a.s.core.DB)
	return pages.Render(p, pages.RenderOptions{Base: st.PublicURL}), nil
}

// PublicURL is the tracker's public URL (pages are served at PublicURL/p/alias); "" when unset.
func (a *Pages) PublicURL() (string, error) {
	st, err := tracking.LoadSettings(a.s.context(), a.s.core.DB)
	return st.PublicURL, err
}

// PrefSegments lists the segments with their preference-center flag.
func (a *Pages) PrefSegments() ([]pages.PrefSegment, error) {
	return a.s.core.Pages.PrefSegments(a.s.context())
}

// SetPrefVisible shows or hides a segment on the preference center.
func (a *Pages) SetPrefVisible(segmentID string, visible bool) error {
	return a.s.core.Pages.SetPrefVisible(a.s.context(), segmentID, visible)
}

// DWC is dynamic web content: slots, their default content and filter variants.
type DWC struct{ s *Shell }

// DWCVariant is a variant of a slot (filters as segment-filter JSON text).
type DWCVariant struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Filters string `json:"filters"`
	Content string `json:"content"`
}

// DWCView is a slot as the editor edits it.
type DWCView struct {
	ID             string       `json:"id"`
	Name           string       `json:"name"`
	Slot           string       `json:"slot"`
	DefaultContent string       `json:"defaultContent"`
	Published      bool         `json:"published"`
	Variants       []DWCVariant `json:"variants"`
	DateModified   string       `json:"dateModified"`
	Deleted        bool         `json:"deleted"`
}

func dwcView(s dwc.Slot) DWCView {
	v := DWCView{ID: s.ID, Name: s.Name, Slot: s.Slot, DefaultContent: s.DefaultContent, Published: s.Published,
		DateModified: ts(s.DateModified), Deleted: s.Deleted, Variants: []DWCVariant{}}
	for _, x := range s.Variants {
		v.Variants = append(v.Variants, DWCVariant{ID: x.ID, Name: x.Name, Filters: string(x.Filters), Content: x.Content})
	}
	return v
}

// List returns the slots (or the trash).
func (a *DWC) List(trash bool) ([]DWCView, error) {
	list, err := a.s.core.DWC.List(a.s.context(), trash)
	out := make([]DWCView, 0, len(list))
	for _, s := range list {
		out = append(out, dwcView(s))
	}
	return out, err
}

// Get returns one slot.
func (a *DWC) Get(id string) (DWCView, error) {
	s, err := a.s.core.DWC.Get(a.s.context(), id)
	return dwcView(s), err
}

// Save creates or updates a slot and its variants.
func (a *DWC) Save(v DWCView) (DWCView, error) {
	in := dwc.Slot{ID: v.ID, Name: v.Name, Slot: v.Slot, DefaultContent: v.DefaultContent, Published: v.Published}
	for _, x := range v.Variants {
		f := x.Filters
		if f == "" {
			f = "[]"
		}
		in.Variants = append(in.Variants, dwc.Variant{ID: x.ID, Name: x.Name, Filters: json.RawMessage(f), Content: x.Content})
	}
	s, err := a.s.core.DWC.Save(a.s.context(), in)
	return dwcView(s), err
}

// Delete moves a slot to the trash.
func (a *DWC) Delete(id string) error { return a.s.core.DWC.Delete(a.s.context(), id) }

// Restore brings a slot back.
func (a *DWC) Restore(id string) error { return a.s.core.DWC.Restore(a.s.context(), id) }

// Resolve shows what a contact would see in a slot ("" contact = an unknown visitor).
func (a *DWC) Resolve(contactID, slot string) (string, error) {
	c, _, err := a.s.core.DWC.Resolve(a.s.context(), contactID, slot)
	return c, err
}

// Focus is the focus items list and editor.
type Focus struct{ s *Shell }

// FocusView is an item as the editor edits it.
type FocusView struct {
	ID             string       `json:"id"`
	Name           string       `json:"name"`
	Style          string       `json:"style"`
	Position       string       `json:"position"`
	ContentType    string       `json:"contentType"`
	Headline       string       `json:"headline"`
	Body           string       `json:"body"`
	FormID         string       `json:"formId"`
	LinkURL        string       `json:"linkUrl"`
	LinkText       string       `json:"linkText"`
	Colors         focus.Colors `json:"colors"`
	Trigger        string       `json:"trigger"`
	TriggerValue   int          `json:"triggerValue"`
	Frequency      string       `json:"frequency"`
	MaxPerDay      int          `json:"maxPerDay"`
	StopAfterClose bool         `json:"stopAfterClose"`
	URLInclude     string       `json:"urlInclude"`
	URLExclude     string       `json:"urlExclude"`
	Published      bool         `json:"published"`
	DateModified   string       `json:"dateModified"`
	Deleted        bool         `json:"deleted"`
}

func focusView(it focus.Item) FocusView {
	return FocusView{ID: it.ID, Name: it.Name, Style: it.Style, Position: it.Position, ContentType: it.ContentType, Headline: it.Headline,
		Body: it.Body, FormID: it.FormID, LinkURL: it.LinkURL, LinkText: it.LinkText, Colors: it.Colors, Trigger: it.Trigger,
		TriggerValue: it.TriggerValue, Frequency: it.Frequency, MaxPerDay: it.MaxPerDay, StopAfterClose: it.StopAfterClose,
		URLInclude: it.URLInclude, URLExclude: it.URLExclude, Published: it.Published, DateModified: ts(it.DateModified), Deleted: it.Deleted}
}

func (v FocusView) item() focus.Item {
	return focus.Item{ID: v.ID, Name: v.Name, Style: v.Style, Position: v.Position, ContentType: v.ContentType, Headline: v.Headline,
		Body: v.Body, FormID: v.FormID, LinkURL: v.LinkURL, LinkText: v.LinkText, Colors: v.Colors, Trigger: v.Trigger,
		TriggerValue: v.TriggerValue, Frequency: v.Frequency, MaxPerDay: v.MaxPerDay, StopAfterClose: v.StopAfterClose,
		URLInclude: v.URLInclude, URLExclude: v.URLExclude, Published: v.Published}
}

// List returns the items (or the trash).
func (a *Focus) List(trash bool) ([]FocusView, error) {
	list, err := a.s.core.Focus.List(a.s.context(), trash)
	out := make([]FocusView, 0, len(list))
	for _, it := range list {
		out = append(out, focusView(it))
	}
	return out, err
}

// Get returns one item.
func (a *Focus) Get(id string) (FocusView, error) {
	it, err := a.s.core.Focus.Get(a.s.context(), id)
	return focusView(it), err
}

// Save creates or updates an item.
func (a *Focus) Save(v FocusView) (FocusView, error) {
	it, err := a.s.core.Focus.Save(a.s.context(), v.item())
	return focusView(it), err
}

// Delete moves an item to the trash.
func (a *Focus) Delete(id string) error { return a.s.core.Focus.Delete(a.s.context(), id) }

// Restore brings an item back.
func (a *Focus) Restore(id string) error { return a.s.core.Focus.Restore(a.s.context(), id) }

// Preview renders an item as mtc.js would show it (markup and CSS for a shadow root).
func (a *Focus) Preview(v FocusView) (focus.Public, error) {
	it := v.item()
	if strings.TrimSpace(it.Name) == "" {
		it.Name = "preview" // a new item is previewed before it has a name
	}
	if err := it.Validate(); err != nil {
		return focus.Public{}, err
	}
	st, _ := tracking.LoadSettings(a.s.context(), a.s.core.DB)
	return it.Public(st.PublicURL), nil
}

// FocusStats is an item's views and conversions with the chart option as a JSON string.
type FocusStats struct {
	Views             int      `json:"views"`
	UniqueViews       int      `json:"uniqueViews"`
	Conversions       int      `json:"conversions"`
	UniqueConversions int      `json:"uniqueConversions"`
	Rate              float64  `json:"rate"`
	Days              []string `json:"days"`
	ViewsByDay        []int    `json:"viewsByDay"`
	ConversionsByDay  []int    `json:"conversionsByDay"`
	Chart             string   `json:"chart"`
}

// Stats returns an item's views and conversions (total, unique, per day over the last days).
func (a *Focus) Stats(id string, days int) (FocusStats, error) {
	st, err := a.s.core.Focus.Stats(a.s.context(), id, days)
	return FocusStats{Views: st.Views, UniqueViews: st.UniqueViews, Conversions: st.Conversions, UniqueConversions: st.UniqueConversions,
		Rate: st.Rate, Days: st.Days, ViewsByDay: st.ViewsByDay, ConversionsByDay: st.ConversionsByDay, Chart: string(st.Chart)}, err
}
