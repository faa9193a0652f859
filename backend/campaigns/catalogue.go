package campaigns

import "strings"

func p(name, typ string, required bool, opts ...Option) PropSpec {
	return PropSpec{Name: name, Type: typ, Required: required, Options: opts}
}

func opts(values ...string) []Option {
	out := make([]Option, 0, len(values))
	for _, v := range values {
		out = append(out, Option{Value: v, Label: v})
	}
	return out
}

var compareOps = opts("=", "!=", "gt", "gte", "lt", "lte")

// fieldOps are the segment operators a field condition offers (Mautic's lead.field_value).
var fieldOps = opts("=", "!=", "gt", "gte", "lt", "lte", "empty", "!empty", "like", "!like",
	"startsWith", "endsWith", "contains", "in", "!in", "regexp", "!regexp", "date")

// catalogue is every event type with its properties. Entries the engine does not run yet
// are comingSoon (the builder shows them greyed out; publish refuses them).
var catalogue = []EventSpec{
	// Actions.
	{Type: "email.send", Kind: KindAction, Group: "email", Props: []PropSpec{p("email", "email", true),
		p("emailType", "select", false, Option{"marketing", "Marketing"}, Option{"transactional", "Transactional"})}},
	{Type: "contact.tags", Kind: KindAction, Group: "contact", Props: []PropSpec{p("add", "tags", false), p("remove", "tags", false)}},
	{Type: "points.adjust", Kind: KindAction, Group: "contact", Props: []PropSpec{p("points", "number", true)}},
	{Type: "segment.change", Kind: KindAction, Group: "contact", Props: []PropSpec{p("add", "segments", false), p("remove", "segments", false)}},
	{Type: "contact.update", Kind: KindAction, Group: "contact", Props: []PropSpec{p("values", "contactvalues", true)}},
	{Type: "company.update", Kind: KindAction, Group: "contact", Props: []PropSpec{p("values", "companyvalues", true)}},
	{Type: "stage.change", Kind: KindAction, Group: "contact", Props: []PropSpec{p("stage", "stage", true)}},
	{Type: "dnc.add", Kind: KindAction, Group: "contact", Props: []PropSpec{p("channels", "multiselect", false, Option{"email", "Email"}), p("reason", "text", false)}},
	{Type: "dnc.remove", Kind: KindAction, Group: "contact", Props: []PropSpec{p("channels", "multiselect", false, Option{"email", "Email"})}},
	{Type: "campaign.change", Kind: KindAction, Group: "campaign", Props: []PropSpec{p("add", "campaign", false), p("remove", "campaign", false)}},
	{Type: "jump", Kind: KindAction, Group: "campaign", Props: []PropSpec{p("event", "event", true)}},
	{Type: "contact.delete", Kind: KindAction, Group: "contact"},
	{Type: "webhook", Kind: KindAction, Group: "other", Props: []PropSpec{p("url", "url", true),
		p("method", "select", false, opts("POST", "GET", "PUT", "PATCH", "DELETE")...), p("headers", "json", false),
		p("data", "json", false), p("timeout", "number", false)}},
	{Type: "owner.change", Kind: KindAction, Group: "contact", Props: []PropSpec{p("owner", "user", true)}},
	{Type: "dwc.push", Kind: KindAction, Group: "page", Props: []PropSpec{p("slot", "text", true), p("dwc", "dwc", true)}},
	// Decisions.
	{Type: "email.open", Kind: KindDecision, Group: "email"},
	{Type: "email.click", Kind: KindDecision, Group: "email", Props: []PropSpec{p("urls", "text", false)}},
	{Type: "page.visit", Kind: KindDecision, Group: "page", Props: []PropSpec{p("urls", "text", false)}},
	{Type: "form.submit", Kind: KindDecision, Group: "form", Props: []PropSpec{p("forms", "form", false)}},
	{Type: "asset.download", Kind: KindDecision, Group: "asset", Props: []PropSpec{p("assets", "asset", false)}},
	{Type: "device.type", Kind: KindDecision, Group: "page", Props: []PropSpec{
		p("types", "multiselect", false, opts("desktop", "mobile", "tablet")...), p("os", "text", false)}},
	{Type: "dwc.request", Kind: KindDecision, Group: "page", Props: []PropSpec{p("slot", "text", true), p("default", "dwc", false)}},
	// Conditions.
	{Type: "field.value", Kind: KindCondition, Group: "contact", Props: []PropSpec{p("field", "field", true),
		p("operator", "select", true, fieldOps...), p("value", "fieldvalue", false)}},
	{Type: "email.valid", Kind: KindCondition, Group: "contact"},
	{Type: "segment.member", Kind: KindCondition, Group: "contact", Props: []PropSpec{p("segments", "segments", true)}},
	{Type: "tags.has", Kind: KindCondition, Group: "contact", Props: []PropSpec{p("tags", "tags", true)}},
	{Type: "points.value", Kind: KindCondition, Group: "contact", Props: []PropSpec{p("operator", "select", true, compareOps...), p("points", "number", true)}},
	{Type: "campaign.member", Kind: KindCondition, Group: "campaign", Props: []PropSpec{p("campaigns", "campaign", true)}},
	{Type: "form.field", Kind: KindCondition, Group: "form", Props: []PropSpec{p("form", "form", true), p("field", "text", true),
		p("operator", "select", true, opts("=", "!=", "gt", "gte", "lt", "lte", "like", "startsWith", "endsWith", "contains")...), p("value", "text", false)}},
	{Type: "date", Kind: KindCondition, Group: "contact", Props: []PropSpec{p("field", "field", true),
		p("operator", "select", true, opts("anniversary", "=", "gt", "lt", "gte", "lte")...), p("value", "text", false)}},
	{Type: "stage.is", Kind: KindCondition, Group: "contact", Props: []PropSpec{p("stages", "stage", true)}},
	{Type: "owner.is", Kind: KindCondition, Group: "contact", Props: []PropSpec{p("owners", "users", true)}},
	{Type: "dnc.has", Kind: KindCondition, Group: "contact", Props: []PropSpec{p("channels", "multiselect", false, Option{"email", "Email"})}},
	// Mautic events whose channels Magpie does not have yet.

	{Type: "email.send.to.user", Kind: KindAction, Group: "email", ComingSoon: true},
	{Type: "sms.send", Kind: KindAction, Group: "other", ComingSoon: true},
	{Type: "notification.send", Kind: KindAction, Group: "other", ComingSoon: true},
	{Type: "company.add", Kind: KindAction, Group: "contact", ComingSoon: true},
	{Type: "email.reply", Kind: KindDecision, Group: "email", ComingSoon: true},
	{Type: "page.visited", Kind: KindCondition, Group: "page", Props: []PropSpec{p("urls", "text", true)}},
	{Type: "device.has", Kind: KindCondition, Group: "page", Props: []PropSpec{
		p("types", "multiselect", false, opts("desktop", "mobile", "tablet")...), p("os", "text", false)}},
}

var specByType = func() map[string]EventSpec {
	m := map[string]EventSpec{}
	for _, s := range catalogue {
		m[s.Type] = s
	}
	return m
}()

// Catalogue returns every event type.
func Catalogue() []EventSpec { return append([]EventSpec(nil), catalogue...) }

// Spec returns the catalogue entry of a type.
func Spec(typ string) (EventSpec, bool) {
	s, ok := specByType[typ]
	return s, ok
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
