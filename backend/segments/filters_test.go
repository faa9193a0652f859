package segments_test

import (
	"fmt"
	"strings"
	"testing"

	"magpie/backend/db"
)

// leaf renders one Mautic filter object.
func leaf(glue, field, op string, v any) string {
	val := "null"
	switch x := v.(type) {
	case string:
		val = fmt.Sprintf("%q", x)
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = fmt.Sprintf("%q", s)
		}
		val = "[" + strings.Join(q, ",") + "]"
	case nil:
	default:
		val = fmt.Sprint(x)
	}
	return fmt.Sprintf(`{"glue":%q,"object":"lead","field":%q,"operator":%q,"properties":{"filter":%s}}`, glue, field, op, val)
}

func one(field, op string, v any) string { return "[" + leaf("and", field, op, v) + "]" }

// The expected sets are Mautic 5's answers for the fixture (MAUTIC.md §3.3–3.6, §14):
// Ann (Paris, 10 points, tags vip+news, Acme, 3 hits in 2 sessions on iPhone), Bob (no city,
// 0 points, tag news, Acme+Beta, read e1 twice), Élodie (Montréal, 3 points, unsubscribed,
// one hit without URL), Dan (nothing).
func TestOperators(t *testing.T) {
	f := newFixture(t)
	all := []string{"Ann", "Bob", "Dan", "Élodie"}
	_ = all
	tests := []struct {
		name    string
		filters string
		want    []string
	}{
		{"text = is case-insensitive", one("email", "=", "ANN@X.IO"), []string{"Ann"}},
		{"text != includes NULL", one("email", "!=", "ann@x.io"), []string{"Bob", "Dan", "Élodie"}},
		{"= is accent-insensitive (Q1)", one("firstname", "=", "elodie"), []string{"Élodie"}},
		{"= accent in value", one("city", "=", "MONTREAL"), []string{"Élodie"}},
		{"empty", one("city", "empty", nil), []string{"Bob", "Dan"}},
		{"!empty", one("city", "!empty", nil), []string{"Ann", "Élodie"}},
		{"like wraps in %", one("city", "like", "mont"), []string{"Élodie"}},
		{"like verbatim with %", one("city", "like", "%is"), []string{"Ann"}},
		{"!like includes NULL", one("city", "!like", "par"), []string{"Bob", "Dan", "Élodie"}},
		{"contains escapes _ (Q5 fixed)", one("city", "contains", "a_i"), []string{}},
		{"startsWith folds accents", one("city", "startsWith", "MONTRE"), []string{"Élodie"}},
		{"endsWith", one("email", "endsWith", "@y.io"), []string{"Bob"}},
		{"regexp case-insensitive", one("city", "regexp", "^pa"), []string{"Ann"}},
		{"!regexp excludes NULL (Q4)", one("city", "!regexp", "^pa"), []string{"Élodie"}},
		{"in splits on |", one("city", "in", "paris|montreal"), []string{"Ann", "Élodie"}},
		{"!in includes NULL", one("city", "!in", "paris"), []string{"Bob", "Dan", "Élodie"}},
		{"number gt", one("points", "gt", 2), []string{"Ann", "Élodie"}},
		{"number lte", one("points", "lte", 3), []string{"Bob", "Dan", "Élodie"}},
		{"points empty matches 0 (Q2)", one("points", "empty", nil), []string{"Bob", "Dan"}},
		{"points !empty excludes 0", one("points", "!empty", nil), []string{"Ann", "Élodie"}},
		{"custom number =", one("score_n", "=", "5"), []string{"Ann"}},
		{"custom number empty: NULL and 0", one("score_n", "empty", nil), []string{"Bob", "Dan", "Élodie"}},
		{"custom number != includes NULL", one("score_n", "!=", 5), []string{"Bob", "Dan", "Élodie"}},
		{"number like", one("points", "like", "1"), []string{"Ann"}},
		{"boolean =", one("vip", "=", "1"), []string{"Ann"}},
		{"boolean != includes NULL", one("vip", "!=", "1"), []string{"Bob", "Dan", "Élodie"}},
		{"multiselect in = all of (Q3)", one("interests", "in", []string{"a", "b"}), []string{"Ann"}},
		{"multiselect anyOf", one("interests", "anyOf", []string{"a", "b"}), []string{"Ann", "Bob"}},
		{"multiselect allOf", one("interests", "allOf", []string{"b"}), []string{"Ann", "Bob"}},
		{"multiselect !in: none of, or NULL", one("interests", "!in", []string{"a"}), []string{"Bob", "Dan", "Élodie"}},
		{"multiselect notAllOf", one("interests", "notAllOf", []string{"a", "b"}), []string{"Bob", "Dan", "Élodie"}},
		{"multiselect empty", one("interests", "empty", nil), []string{"Dan"}},
		{"tags in = any of", one("tags", "in", []string{"vip", "news"}), []string{"Ann", "Bob"}},
		{"tags !in = none of", one("tags", "!in", []string{"vip"}), []string{"Bob", "Dan", "Élodie"}},
		{"tags allOf", one("tags", "allOf", []string{"VIP", "news"}), []string{"Ann"}},
		{"tags empty", one("tags", "empty", nil), []string{"Dan", "Élodie"}},
		{"tags !empty", one("tags", "!empty", nil), []string{"Ann", "Bob"}},
		{"dnc yes", one("dnc_unsubscribed", "=", "1"), []string{"Élodie"}},
		{"dnc no", one("dnc_unsubscribed", "=", "0"), []string{"Ann", "Bob", "Dan"}},
		{"dnc != yes", one("dnc_unsubscribed", "!=", "1"), []string{"Ann", "Bob", "Dan"}},
		{"dnc other reason", one("dnc_bounced", "=", "1"), []string{}},
		{"company any linked (Q13)", one("companyname", "=", "acme"), []string{"Ann", "Bob"}},
		{"company != matches another linked company or none (Q13)", one("companyname", "!=", "Acme"), []string{"Bob", "Dan", "Élodie"}},
		{"company empty", one("companyname", "empty", nil), []string{"Dan", "Élodie"}},
		{"date_added = today", one("date_added", "=", "today"), []string{"Ann"}},
		{"date_added = last week", one("date_added", "=", "last week"), []string{"Bob"}},
		{"date_added != today includes others", one("date_added", "!=", "today"), []string{"Bob", "Dan", "Élodie"}},
		{"date_added lt this month", one("date_added", "lt", "this month"), []string{"Bob", "Dan", "Élodie"}},
		{"date_added gt -7 days", one("date_added", "gt", "-7 days"), []string{"Ann", "Bob"}},
		{"date_added = this year", one("date_added", "=", "this year"), []string{"Ann", "Bob", "Élodie"}},
		{"date_added gte absolute", one("date_added", "gte", "2026-01-15"), []string{"Ann", "Bob", "Élodie"}},
		{"date_added startsWith", one("date_added", "startsWith", "2025-06"), []string{"Dan"}},
		{"date empty is NULL only", one("birthday", "empty", nil), []string{"Dan", "Élodie"}},
		{"date field anniversary", one("birthday", "=", "birthday"), []string{"Ann"}},
		{"date field lt absolute", one("birthday", "lt", "1989-01-01"), []string{"Bob"}},
		{"date field gt today (text date)", one("renewal_at", "gt", "today"), []string{}},
		{"datetime field = today", one("renewal_at", "=", "today"), []string{"Ann"}},
		{"datetime field gte today", one("renewal_at", "gte", "today"), []string{"Ann"}},
		{"hit_url =", one("hit_url", "=", "https://shop.io/PRICING"), []string{"Ann"}},
		{"hit_url like", one("hit_url", "like", "pricing"), []string{"Ann"}},
		{"hit_url != excludes NULL-url hits", one("hit_url", "!=", "https://shop.io/pricing"), []string{"Bob", "Dan"}},
		{"hit_url !like", one("hit_url", "!like", "shop.io"), []string{"Dan"}},
		{"hit_url !regexp = any other hit", one("hit_url", "!regexp", "pricing"), []string{"Ann", "Bob"}},
		{"hit_url_date = yesterday", one("hit_url_date", "=", "yesterday"), []string{"Ann"}},
		{"hit_url_date != yesterday", one("hit_url_date", "!=", "yesterday"), []string{"Bob", "Dan", "Élodie"}},
		{"hit_url_count = 0", one("hit_url_count", "=", 0), []string{"Dan"}},
		{"hit_url_count gt 1", one("hit_url_count", "gt", 1), []string{"Ann"}},
		{"sessions = 2", one("sessions", "=", 2), []string{"Ann"}},
		{"sessions lt 1", one("sessions", "lt", 1), []string{"Dan"}},
		{"referer", one("referer", "contains", "google"), []string{"Bob"}},
		{"read count gte 2", one("lead_email_read_count", "gte", 2), []string{"Bob"}},
		{"read count = 0 includes never sent", one("lead_email_read_count", "=", 0), []string{"Ann", "Dan", "Élodie"}},
		{"read a specific email", one("lead_email_received", "in", []string{"e1"}), []string{"Bob"}},
		{"sent by name", one("lead_email_sent", "in", []string{"Welcome"}), []string{"Bob"}},
		{"not sent", one("lead_email_sent", "!in", []string{"e1"}), []string{"Ann", "Dan", "Élodie"}},
		{"email sent date", one("lead_email_sent_date", "lt", "this month"), []string{"Bob"}},
		{"device os", one("device_os", "in", []string{"iOS"}), []string{"Ann"}},
		{"device type !in", one("device_type", "!in", []string{"mobile"}), []string{"Bob", "Dan", "Élodie"}},
		{"device empty", one("device_type", "empty", nil), []string{"Bob", "Dan", "Élodie"}},
		{"utm =", one("utm_source", "=", "Newsletter"), []string{"Ann"}},
		{"utm !=", one("utm_source", "!=", "newsletter"), []string{"Bob", "Dan", "Élodie"}},
		{"utm empty", one("utm_source", "empty", nil), []string{"Bob", "Dan", "Élodie"}},
		{"AND binds tighter than OR", "[" + leaf("and", "firstname", "=", "Ann") + "," + leaf("or", "points", "empty", nil) + "," +
			leaf("and", "city", "empty", nil) + "]", []string{"Ann", "Bob", "Dan"}},
		{"first glue ignored", "[" + leaf("or", "city", "=", "paris") + "," + leaf("and", "points", "gt", 5) + "]", []string{"Ann"}},
		{"two OR groups", "[" + leaf("and", "tags", "in", []string{"news"}) + "," + leaf("and", "city", "empty", nil) + "," +
			leaf("or", "dnc_unsubscribed", "=", 1) + "]", []string{"Bob", "Élodie"}},
		{"nested not", `{"op":"not","children":[` + leaf("", "city", "=", "paris") + `]}`, []string{"Bob", "Dan", "Élodie"}},
		{"nested and/or", `{"op":"and","children":[{"op":"or","children":[` + leaf("", "city", "=", "paris") + "," +
			leaf("", "city", "empty", nil) + `]},` + leaf("", "tags", "in", []string{"news"}) + `]}`, []string{"Ann", "Bob"}},
		{"legacy top-level filter value", `[{"glue":"and","field":"city","operator":"=","filter":"Paris"}]`, []string{"Ann"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.match(t, tc.filters); !equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, filters, want string
	}{
		{"unknown field", "[" + leaf("and", "city", "=", "x") + "," + leaf("and", "nope", "=", "x") + "]", `filter 2 (nope): unknown field "nope"`},
		{"operator not offered", one("vip", "like", "x"), `filter 1 (vip): operator "like" is not available`},
		{"bad regexp", one("city", "regexp", "(["), `filter 1 (city): bad regular expression`},
		{"bad date", one("date_added", "gt", "someday"), `filter 1 (date_added): "someday" is not a date`},
		{"not a number", one("points", "gt", "many"), `filter 1 (points): value "many" is not a number`},
		{"bad count", one("sessions", "=", "-1"), `filter 1 (sessions): value "-1" must be a whole number`},
		{"empty tags", one("tags", "in", []string{}), `filter 1 (tags): choose at least one tag`},
		{"bad yes/no", one("dnc_bounced", "=", "maybe"), `filter 1 (dnc_bounced): value "maybe" must be yes or no`},
		{"unknown segment", one("leadlist", "in", []string{"ghost"}), `filter 1 (leadlist): segment "ghost"`},
		{"nested path", `{"op":"and","children":[{"op":"or","children":[` + leaf("", "city", "=", "x") + "," + leaf("", "zz", "=", "x") + `]}]}`, `filter 1.2 (zz)`},
		{"not JSON", `[{"field":`, "not valid JSON"},
		{"bad group op", `{"op":"xor","children":[]}`, "op must be and, or or not"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := f.seg.Preview(t.Context(), []byte(tc.filters), "", f.clk.Now(), 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

// Campaign membership (Mautic's "campaign" filter): a row not manually removed is a member;
// an exited contact (manually_removed = 1) is not.
func TestCampaignMembershipFilter(t *testing.T) {
	f := newFixture(t)
	if err := f.d.Write(t.Context(), func(tx *db.Tx) error {
		for _, m := range []struct {
			campaign, who string
			removed       int
		}{{"welcome", "Ann", 0}, {"welcome", "Bob", 1}, {"promo", "Bob", 0}, {"promo", "Dan", 0}} {
			if _, err := tx.Exec("INSERT OR IGNORE INTO campaign_keys(campaign_id) VALUES(?)", m.campaign); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO campaign_members(campaign_key, contact_id, date_added, manually_removed)
				VALUES((SELECT k FROM campaign_keys WHERE campaign_id = ?), ?, 0, ?)`, m.campaign, f.ids[m.who], m.removed); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, filters string
		want          []string
	}{
		{"in", one("campaign", "in", []string{"welcome"}), []string{"Ann"}},
		{"in any of two", one("campaign", "in", []string{"welcome", "promo"}), []string{"Ann", "Bob", "Dan"}},
		{"!in includes non-members and exited", one("campaign", "!in", []string{"welcome"}), []string{"Bob", "Dan", "Élodie"}},
		{"empty", one("campaign", "empty", nil), []string{"Élodie"}},
		{"!empty", one("campaign", "!empty", nil), []string{"Ann", "Bob", "Dan"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.match(t, tc.filters); !equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if _, _, err := f.seg.Preview(t.Context(), []byte(one("campaign", "in", []string{})), "", f.clk.Now(), 0); err == nil ||
		!strings.Contains(err.Error(), "choose at least one campaign") {
		t.Fatalf("empty campaign list: %v", err)
	}
}
