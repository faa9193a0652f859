package pages

import (
	"context"
	"database/sql"
	"errors"
	"html"
	"strconv"
	"strings"
	"time"

	"magpie/backend/db"
	"magpie/backend/ids"
)

// PrefSegment is a segment and whether contacts see it on the preference center.
type PrefSegment struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Visible bool   `json:"visible"`
	Member  bool   `json:"member"`
}

// PrefSegments lists every segment with its preference-center flag.
func (s *Service) PrefSegments(ctx context.Context) ([]PrefSegment, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT s.id, s.name, coalesce(p.visible, 0) FROM segments s
		LEFT JOIN segment_prefs p ON p.segment_id = s.id AND p.deleted = 0 WHERE s.deleted = 0 ORDER BY s.name, s.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PrefSegment
	for rows.Next() {
		var p PrefSegment
		if err := rows.Scan(&p.ID, &p.Name, &p.Visible); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetPrefVisible flags a segment as visible (or not) on the preference center.
func (s *Service) SetPrefVisible(ctx context.Context, segmentID string, visible bool) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM segments WHERE id = ? AND deleted = 0", segmentID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errors.New("pages: no segment " + segmentID)
		}
		id := ids.Derived("segment_pref", segmentID)
		ok, err := tx.Update("segment_prefs", id, db.Cols{"visible": b2i(visible), "deleted": 0, "deleted_at": nil})
		if err != nil || ok {
			return err
		}
		return tx.Insert("segment_prefs", id, db.Cols{"segment_id": segmentID, "visible": b2i(visible)})
	})
}

// VisiblePrefSegment reports whether a contact may join or leave a segment from the
// preference center (checked again when the change is applied).
func VisiblePrefSegment(q interface {
	QueryRow(string, ...any) *sql.Row
}, segmentID string) (bool, error) {
	var v int
	err := q.QueryRow(`SELECT p.visible FROM segment_prefs p JOIN segments s ON s.id = p.segment_id AND s.deleted = 0
		WHERE p.segment_id = ? AND p.deleted = 0`, segmentID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return v == 1, err
}

// PrefView is what the preference center shows one contact.
type PrefView struct {
	Segments   []PrefSegment  `json:"segments"`   // visible segments with membership
	EmailOK    bool           `json:"emailOk"`    // no email DNC
	Categories []PrefCategory `json:"categories"` // email categories in use, with the contact's choice
	Frequency  PrefFrequency  `json:"frequency"`  // the contact's email frequency rule
}

// PrefCategory is an email category and whether the contact receives it (Mautic's
// lead_categories: unsubscribed = manually_removed).
type PrefCategory struct {
	Name       string `json:"name"`
	Subscribed bool   `json:"subscribed"`
}

// PrefFrequency is the contact's email frequency rule as the form shows it: at most Number
// per Time (DAY/WEEK/MONTH; 0 = no limit), paused between two dates (YYYY-MM-DD, UTC).
type PrefFrequency struct {
	Number    int    `json:"number"`
	Time      string `json:"time"`
	PauseFrom string `json:"pauseFrom"`
	PauseTo   string `json:"pauseTo"`
}

// PrefState reads a contact's visible subscriptions and email channel state.
func (s *Service) PrefState(ctx context.Context, contactID string) (PrefView, error) {
	var v PrefView
	rows, err := s.db.R.QueryContext(ctx, `SELECT s.id, s.name, EXISTS(SELECT 1 FROM segment_members m WHERE m.segment_id = s.id
		AND m.contact_id = ? AND m.manually_removed = 0) FROM segments s JOIN segment_prefs p ON p.segment_id = s.id AND p.deleted = 0
		AND p.visible = 1 WHERE s.deleted = 0 ORDER BY s.name, s.id`, contactID)
	if err != nil {
		return v, err
	}
	for rows.Next() {
		p := PrefSegment{Visible: true}
		if err := rows.Scan(&p.ID, &p.Name, &p.Member); err != nil {
			rows.Close()
			return v, err
		}
		v.Segments = append(v.Segments, p)
	}
	rows.Close()
	var dnc int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM dnc WHERE contact_id = ? AND channel = 'email' AND deleted = 0`,
		contactID).Scan(&dnc); err != nil {
		return v, err
	}
	v.EmailOK = dnc == 0
	if err := s.prefCategories(ctx, contactID, &v); err != nil {
		return v, err
	}
	return v, rows.Err()
}

// prefCategories reads the email categories and the contact's frequency rule (tables of
// package emails: contact_categories, frequency_rules).
func (s *Service) prefCategories(ctx context.Context, contactID string, v *PrefView) error {
	rows, err := s.db.R.QueryContext(ctx, `SELECT min(e.category), NOT EXISTS(SELECT 1 FROM contact_categories c WHERE c.contact_id = ?
		AND c.category = e.category AND c.deleted = 0 AND c.manually_removed = 1) FROM emails e
		WHERE e.deleted = 0 AND e.is_published = 1 AND e.category <> '' GROUP BY e.category COLLATE NOCASE ORDER BY 1 COLLATE NOCASE`, contactID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c PrefCategory
		if err := rows.Scan(&c.Name, &c.Subscribed); err != nil {
			rows.Close()
			return err
		}
		v.Categories = append(v.Categories, c)
	}
	rows.Close()
	v.Frequency.Time = "DAY"
	var from, to sql.NullInt64
	err = s.db.R.QueryRowContext(ctx, `SELECT frequency_number, frequency_time, pause_from, pause_to FROM frequency_rules
		WHERE contact_id = ? AND channel = 'email' AND deleted = 0`, contactID).Scan(&v.Frequency.Number, &v.Frequency.Time, &from, &to)
	if errors.Is(err, sql.ErrNoRows) {
		return rows.Err()
	}
	day := func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02") }
	if from.Valid && to.Valid {
		// pause_to is exclusive (the start of the day after the last paused day).
		v.Frequency.PauseFrom, v.Frequency.PauseTo = day(from.Int64), day(to.Int64-1)
	}
	return err
}

// PreferencePage returns the published preference-center page, if one is set.
func (s *Service) PreferencePage(ctx context.Context) (Page, bool, error) {
	list, err := s.query(ctx, "deleted = 0 AND is_published = 1 AND is_preference_center = 1 AND variant_parent_id IS NULL AND translation_parent_id IS NULL ORDER BY date_modified DESC, id LIMIT 1")
	if err != nil || len(list) == 0 {
		return Page{}, false, err
	}
	return list[0], true, nil
}

// prefStrings are the preference form's words, English and French (picked from the
// visitor's Accept-Language, like translations).
var prefStrings = map[string]map[string]string{
	"en": {"subs": "Subscriptions", "channels": "Channels", "email": "Email", "save": "Save preferences",
		"unsub": "Unsubscribe from all emails", "saved": "Your preferences are saved.", "unsubscribed": "You are unsubscribed from all emails.",
		"title": "Your preferences", "intro": "Choose what you receive from us.", "cats": "Topics",
		"freq": "How often", "freqMax": "At most", "freqNone": "no limit", "DAY": "per day", "WEEK": "per week", "MONTH": "per month",
		"pauseFrom": "Pause from", "pauseTo": "until"},
	"fr": {"subs": "Abonnements", "channels": "Canaux", "email": "E-mail", "save": "Enregistrer mes préférences",
		"unsub": "Me désabonner de tous les e-mails", "saved": "Vos préférences sont enregistrées.",
		"unsubscribed": "Vous êtes désabonné de tous les e-mails.", "title": "Vos préférences", "intro": "Choisissez ce que vous recevez de notre part.",
		"cats": "Thèmes", "freq": "Fréquence", "freqMax": "Au plus", "freqNone": "sans limite", "DAY": "par jour", "WEEK": "par semaine",
		"MONTH": "par mois", "pauseFrom": "Pause du", "pauseTo": "au"},
}

// PrefText returns a preference-center string in the language the visitor prefers (en, fr).
func PrefText(acceptLanguage, key string) string {
	for _, l := range parseAccept(acceptLanguage) {
		prim, _, _ := strings.Cut(l, "-")
		if m, ok := prefStrings[prim]; ok {
			return m[key]
		}
	}
	return prefStrings["en"][key]
}

// PrefForm is the preference form (inserted at {preferences} or after the page content).
// action is the signed URL the form posts to; message is shown above it (after a save);
// lang is the visitor's Accept-Language.
func PrefForm(v PrefView, action, message, lang string) string {
	tr := func(k string) string { return html.EscapeString(PrefText(lang, k)) }
	var b strings.Builder
	b.WriteString(`<form class="magpie-prefs" method="post" action="` + html.EscapeString(action) + `">`)
	if message != "" {
		b.WriteString(`<p id="prefs-message" role="status">` + html.EscapeString(message) + `</p>`)
	}
	if len(v.Segments) > 0 {
		b.WriteString(`<fieldset><legend>` + tr("subs") + `</legend>`)
		for _, sg := range v.Segments {
			chk := ""
			if sg.Member {
				chk = " checked"
			}
			id := "seg-" + html.EscapeString(sg.ID)
			b.WriteString(`<div><input type="checkbox" name="segment" value="` + html.EscapeString(sg.ID) + `" id="` + id + `"` + chk +
				`><label for="` + id + `">` + html.EscapeString(sg.Name) + `</label></div>`)
		}
		b.WriteString(`</fieldset>`)
	}
	if len(v.Categories) > 0 {
		b.WriteString(`<fieldset><legend>` + tr("cats") + `</legend>`)
		for i, c := range v.Categories {
			chk := ""
			if c.Subscribed {
				chk = " checked"
			}
			id := "cat-" + strconv.Itoa(i)
			b.WriteString(`<div><input type="checkbox" name="category" value="` + html.EscapeString(c.Name) + `" id="` + id + `"` + chk +
				`><label for="` + id + `">` + html.EscapeString(c.Name) + `</label></div>`)
		}
		b.WriteString(`</fieldset>`)
	}
	fq := v.Frequency
	num := ""
	if fq.Number > 0 {
		num = strconv.Itoa(fq.Number)
	}
	b.WriteString(`<fieldset><legend>` + tr("freq") + `</legend><div><label for="freq-number">` + tr("freqMax") +
		`</label> <input type="number" min="0" max="10000" name="freq_number" id="freq-number" value="` + num + `" placeholder="` +
		tr("freqNone") + `" style="width:6rem"> <select name="freq_time" id="freq-time" aria-label="` + tr("freq") + `">`)
	for _, p := range []string{"DAY", "WEEK", "MONTH"} {
		sel := ""
		if fq.Time == p {
			sel = " selected"
		}
		b.WriteString(`<option value="` + p + `"` + sel + `>` + tr(p) + `</option>`)
	}
	b.WriteString(`</select></div><div><label for="pause-from">` + tr("pauseFrom") + `</label> <input type="date" name="pause_from" id="pause-from" value="` +
		html.EscapeString(fq.PauseFrom) + `"> <label for="pause-to">` + tr("pauseTo") + `</label> <input type="date" name="pause_to" id="pause-to" value="` +
		html.EscapeString(fq.PauseTo) + `"></div></fieldset>`)
	chk := ""
	if v.EmailOK {
		chk = " checked"
	}
	b.WriteString(`<fieldset><legend>` + tr("channels") + `</legend><div><input type="checkbox" name="channel_email" value="1" id="channel-email"` + chk +
		`><label for="channel-email">` + tr("email") + `</label></div></fieldset>`)
	b.WriteString(`<input type="hidden" name="action" value="save"><button type="submit" id="prefs-save">` + tr("save") + `</button>`)
	b.WriteString(`</form><form method="post" action="` + html.EscapeString(action) +
		`"><input type="hidden" name="action" value="unsubscribe"><button type="submit" id="unsubscribe">` + tr("unsub") + `</button></form>`)
	return b.String()
}

// defaultPrefPage is used when no page is flagged as the preference center.
var defaultPrefPage = Page{Title: "Your preferences", HTML: `<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}
fieldset{border:1px solid #ccc;border-radius:.4rem;margin:1rem 0}button{font-size:1rem;padding:.5rem 1rem;margin:.3rem 0}</style>
<h1>{prefs_title}</h1><p>{prefs_intro}</p>{preferences}`, NoIndex: true, PreferenceCenter: true}

// RenderPrefs renders the preference center for a contact: the configured page (or a plain
// default) with the form at {preferences}, or after the content when the page has no token.
// view, when set, is shown instead of the stored state (the choices just posted).
func (s *Service) RenderPrefs(ctx context.Context, contactID, action, message, lang string, view *PrefView, o RenderOptions) (string, error) {
	p, ok, err := s.PreferencePage(ctx)
	if err != nil {
		return "", err
	}
	if !ok {
		p = defaultPrefPage
		p.HTML = strings.NewReplacer("{prefs_title}", html.EscapeString(PrefText(lang, "title")),
			"{prefs_intro}", html.EscapeString(PrefText(lang, "intro"))).Replace(p.HTML)
		p.Title = PrefText(lang, "title")
	}
	var v PrefView
	if view != nil {
		v = *view
	} else if v, err = s.PrefState(ctx, contactID); err != nil {
		return "", err
	}
	form := PrefForm(v, action, message, lang)
	if strings.Contains(p.HTML, "{preferences}") {
		p.HTML = strings.Replace(p.HTML, "{preferences}", "\x00prefs\x00", 1)
	} else if i := strings.LastIndex(strings.ToLower(p.HTML), "</body>"); i >= 0 {
		p.HTML = p.HTML[:i] + "\x00prefs\x00" + p.HTML[i:]
	} else {
		p.HTML += "\x00prefs\x00"
	}
	p.NoIndex = true
	out := Render(p, o)
	return strings.Replace(out, "\x00prefs\x00", form, 1), nil
}
