package tracking

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/emails"
	"magpie/backend/pages"
)

// TestPreferenceCenter_CategoriesAndFrequency: the preference center lists the email
// categories and the frequency rule; a save unsubscribes from one category and sets a limit
// and a pause (stored by ingest where the sender reads them); bad values are refused.
func TestPreferenceCenter_CategoriesAndFrequency(t *testing.T) {
	f := newWebFixture(t)
	ctx := context.Background()
	ann, _ := f.cs.Create(ctx, contacts.Input{Values: map[string]string{"firstname": "Ann", "email": "ann@x.io"}}, "test")
	es := emails.New(f.web.DB, f.cs, t.TempDir())
	for _, c := range []string{"Newsletter", "Offers", "newsletter", ""} {
		if _, err := es.Save(ctx, emails.Email{Name: "E " + c, Kind: emails.List, Category: c, Published: true}); err != nil {
			t.Fatal(err)
		}
	}
	// Without a preference page the plain unsubscribe page links to the default one.
	unsub := strings.TrimPrefix(f.links.Unsubscribe("m1", "e1", ann.ID, "ann@x.io"), testBase)
	if b := f.do(httptest.NewRequest("GET", unsub, nil)).Body.String(); !strings.Contains(b, `id="manage-prefs" href="`+testBase+`/prefs/`) {
		t.Fatalf("no preference link on the plain unsubscribe page: %s", b)
	}
	if _, err := f.web.Pages.Save(ctx, pages.Page{Title: "Prefs", Alias: "prefs", PreferenceCenter: true, Published: true,
		HTML: "{preferences}"}); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(f.links.Unsubscribe("m1", "e1", ann.ID, "ann@x.io"), testBase)
	body := f.do(httptest.NewRequest("GET", path, nil)).Body.String()
	for _, want := range []string{`name="category" value="Newsletter"`, `name="category" value="Offers"`, `name="freq_number"`, `name="pause_from"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("preference center misses %s: %s", want, body)
		}
	}
	if strings.Count(body, `name="category"`) != 2 {
		t.Fatalf("categories are listed once each, case-insensitively: %s", body)
	}
	i := strings.Index(body, `action="`+testBase+"/prefs/")
	action := body[i+len(`action="`):]
	prefsPath := strings.TrimPrefix(action[:strings.IndexByte(action, '"')], testBase)
	post1 := func(v url.Values) *httptest.ResponseRecorder {
		v.Set("action", "save")
		v.Set("channel_email", "1")
		return f.do(post(prefsPath, form(v), "application/x-www-form-urlencoded"))
	}
	for _, bad := range []url.Values{
		{"freq_time": {"YEAR"}},
		{"freq_time": {"DAY"}, "freq_number": {"-2"}},
		{"freq_time": {"DAY"}, "pause_from": {"2026-12-01"}},
		{"freq_time": {"DAY"}, "pause_from": {"2026-12-10"}, "pause_to": {"2026-12-01"}},
	} {
		if w := post1(bad); w.Code != 400 {
			t.Errorf("%v: %d, want 400", bad, w.Code)
		}
	}
	w := post1(url.Values{"category": {"offers"}, "freq_number": {"2"}, "freq_time": {"WEEK"},
		"pause_from": {"2026-12-20"}, "pause_to": {"2026-12-31"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `value="2"`) {
		t.Fatalf("save: %d %s", w.Code, w.Body)
	}
	f.flush(t)
	subs, err := es.ContactCategories(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range subs {
		got[s.Category] = s.Subscribed
	}
	if got["Newsletter"] || !got["Offers"] {
		t.Fatalf("categories after save = %v, want Newsletter off, Offers on", got)
	}
	r, err := es.FrequencyRuleOf(ctx, ann.ID)
	if err != nil || r.Number != 2 || r.Time != "WEEK" || r.PauseFrom == nil ||
		r.PauseFrom.Format("2006-01-02") != "2026-12-20" || r.PauseTo.Format("2006-01-02") != "2027-01-01" {
		t.Fatalf("rule = %+v, %v", r, err)
	}
	st, _ := f.web.Pages.PrefState(ctx, ann.ID)
	if st.Frequency.PauseTo != "2026-12-31" || st.Frequency.Number != 2 {
		t.Fatalf("state shows %+v", st.Frequency)
	}
	// Clearing the limit and the pause removes the rule (the global default applies).
	post1(url.Values{"freq_number": {""}, "freq_time": {"DAY"}, "category": {"Newsletter", "Offers"}})
	f.flush(t)
	if r, _ := es.FrequencyRuleOf(ctx, ann.ID); r.Number != 0 || r.PauseFrom != nil {
		t.Fatalf("rule not cleared: %+v", r)
	}
	if subs, _ := es.ContactCategories(ctx, ann.ID); !subs[0].Subscribed || !subs[1].Subscribed {
		t.Fatalf("resubscribe: %+v", subs)
	}
}
