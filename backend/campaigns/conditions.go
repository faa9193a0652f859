package campaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/segments"
)

// condition evaluates ev for every contact of camp_batch in one statement: ok = 1 (yes)
// or 4 (no). A condition that cannot be evaluated fails its rows with the reason.
func (x *execCtx) condition(c *compiled, ev *Event) error {
	cond, args, err := x.conditionSQL(c, ev)
	if err != nil {
		_, err2 := x.tx.Exec("UPDATE camp_batch SET ok = 3, reason = ?", err.Error())
		return err2
	}
	_, err = x.tx.Exec(`UPDATE camp_batch SET ok = CASE WHEN EXISTS (SELECT 1 FROM contacts c
		WHERE c.id = camp_batch.contact_id AND (`+cond+`)) THEN 1 ELSE 4 END`, args...)
	return err
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

var sqlOps = map[string]string{"=": "=", "!=": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// conditionSQL is the condition on contacts aliased c.
func (x *execCtx) conditionSQL(c *compiled, ev *Event) (string, []any, error) {
	switch ev.Type {
	case "email.valid":
		return `coalesce(c.email, '') GLOB '?*@?*.?*' AND c.email NOT GLOB '*[ ,;<>]*'`, nil, nil
	case "tags.has":
		tags := ev.PropList("tags")
		if len(tags) == 0 {
			return "0", nil, nil
		}
		tagIDs := make([]string, len(tags))
		for i, t := range tags {
			tagIDs[i] = contacts.TagID(t)
		}
		return "EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id AND ct.deleted = 0 AND ct.tag_id IN (" +
			placeholders(len(tagIDs)) + "))", anys(tagIDs), nil
	case "points.value":
		op, ok := sqlOps[ev.Prop("operator")]
		n, okn := ev.PropNumber("points")
		if !ok || !okn {
			return "", nil, fmt.Errorf("points condition: operator %q / points %q", ev.Prop("operator"), ev.Prop("points"))
		}
		return "c.points " + op + " ?", []any{n}, nil
	case "segment.member":
		segs := ev.PropList("segments")
		if len(segs) == 0 {
			return "0", nil, nil
		}
		return "EXISTS (SELECT 1 FROM segment_members sm JOIN segments g ON g.id = sm.segment_id WHERE sm.contact_id = c.id AND sm.manually_removed = 0 AND (g.id IN (" +
			placeholders(len(segs)) + ") OR g.alias IN (" + placeholders(len(segs)) + ")))", append(anys(segs), anys(segs)...), nil
	case "campaign.member":
		ids := ev.PropList("campaigns")
		for i, id := range ids {
			if id == "this" {
				ids[i] = c.id
			}
		}
		if len(ids) == 0 {
			return "0", nil, nil
		}
		return "EXISTS (SELECT 1 FROM campaign_members m WHERE m.contact_id = c.id AND m.manually_removed = 0 AND m.campaign_key IN " +
			"(SELECT k FROM campaign_keys WHERE campaign_id IN (" + placeholders(len(ids)) + ")))", anys(ids), nil
	case "field.value", "date":
		return x.segmentCondition(ev)
	case "form.field":
		return formFieldSQL(ev)
	case "stage.is", "owner.is":
		col, list := "c.stage_id", ev.PropList("stages")
		if ev.Type == "owner.is" {
			col, list = "c.owner_id", ev.PropList("owners")
		}
		if len(list) == 0 {
			return "0", nil, nil
		}
		return col + " IN (" + placeholders(len(list)) + ")", anys(list), nil
	case "page.visited":
		// fnmatch on the URLs the contact hit: GLOB is fnmatch (case-sensitive, * and ?).
		pats := ev.PropList("urls")
		if len(pats) == 0 {
			return "0", nil, nil
		}
		conds := make([]string, len(pats))
		args := make([]any, len(pats))
		for i, p := range pats {
			conds[i], args[i] = "u.url GLOB ?", strings.ReplaceAll(p, "[", "[[]")
		}
		return "EXISTS (SELECT 1 FROM contact_urls cu JOIN urls u ON u.id = cu.url_id WHERE cu.contact_id = c.id AND (" +
			strings.Join(conds, " OR ") + "))", args, nil
	case "device.has":
		q, args := "EXISTS (SELECT 1 FROM contact_devices d WHERE d.contact_id = c.id", []any{}
		if ts := ev.PropList("types"); len(ts) > 0 {
			q += " AND d.device_type IN (" + placeholders(len(ts)) + ")"
			args = append(args, anys(ts)...)
		}
		if os := ev.PropList("os"); len(os) > 0 {
			q += " AND d.device_os IN (" + placeholders(len(os)) + ")"
			args = append(args, anys(os)...)
		}
		return q + ")", args, nil
	case "dnc.has":
		chans := ev.PropList("channels")
		if len(chans) == 0 {
			chans = []string{"email"}
		}
		return "EXISTS (SELECT 1 FROM dnc d WHERE d.contact_id = c.id AND d.deleted = 0 AND d.channel IN (" +
			placeholders(len(chans)) + "))", anys(chans), nil
	}
	return "", nil, fmt.Errorf("condition %q is not available", ev.Type)
}

// segmentCondition compiles a field condition with the segment engine (One mode), so
// every field type and operator behaves as in segment filters.
func (x *execCtx) segmentCondition(ev *Event) (string, []any, error) {
	if x.s.deps.Segments == nil {
		return "", nil, fmt.Errorf("field conditions need the segment engine")
	}
	op := ev.Prop("operator")
	var val any = ev.Prop("value")
	if ev.Type == "date" && op == "anniversary" {
		op, val = "=", "anniversary"
	}
	if vs := ev.PropList("value"); len(vs) > 1 {
		val = vs
	}
	filter := []map[string]any{{"glue": "and", "object": "lead", "field": ev.Prop("field"), "operator": op,
		"properties": map[string]any{"filter": val}}}
	raw, _ := json.Marshal(filter)
	node, err := segments.Parse(raw)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %v", ev.Prop("field"), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmp, err := x.s.deps.Segments.Compiler(ctx, x.now, segments.One)
	if err != nil {
		return "", nil, err
	}
	return cmp.Compile(node)
}

// formFieldSQL: the value of a field in any of the contact's submissions of a form
// (Mautic's form.field_value), compared case-insensitively.
func formFieldSQL(ev *Event) (string, []any, error) {
	form, field := ev.Prop("form"), strings.TrimSpace(ev.Prop("field"))
	if form == "" || field == "" {
		return "", nil, fmt.Errorf("form field condition: choose a form and a field")
	}
	val := strings.ToLower(ev.Prop("value"))
	v := "lower(coalesce(json_extract(r.vals, ?), ''))"
	var cmp string
	var arg any = val
	switch ev.Prop("operator") {
	case "=":
		cmp = v + " = ?"
	case "!=":
		cmp = v + " <> ?"
	case "like":
		cmp = v + " LIKE ?"
	case "startsWith":
		cmp, arg = v+" LIKE ? ESCAPE '\\'", escapeLike(val)+"%"
	case "endsWith":
		cmp, arg = v+" LIKE ? ESCAPE '\\'", "%"+escapeLike(val)
	case "contains":
		cmp, arg = v+" LIKE ? ESCAPE '\\'", "%"+escapeLike(val)+"%"
	case "gt", "gte", "lt", "lte":
		// Mautic compares in the result column's type: numbers as numbers ("12" > "9"),
		// other values as text; an empty answer matches nothing.
		op := sqlOps[ev.Prop("operator")]
		raw := "json_extract(r.vals, ?)"
		if n, err := strconv.ParseFloat(strings.TrimSpace(ev.Prop("value")), 64); err == nil {
			cmp, arg = "coalesce("+raw+", '') <> '' AND CAST("+raw+" AS REAL) "+op+" ?", n
			path := formPath(field)
			return "EXISTS (SELECT 1 FROM form_results r WHERE r.contact_id = c.id AND r.form_id = ? AND " + cmp + ")",
				[]any{form, path, path, arg}, nil
		}
		cmp = v + " <> '' AND " + v + " " + op + " ?"
		path := formPath(field)
		return "EXISTS (SELECT 1 FROM form_results r WHERE r.contact_id = c.id AND r.form_id = ? AND " + cmp + ")",
			[]any{form, path, path, arg}, nil
	default:
		return "", nil, fmt.Errorf("form field condition: operator %q", ev.Prop("operator"))
	}
	path := formPath(field)
	return "EXISTS (SELECT 1 FROM form_results r WHERE r.contact_id = c.id AND r.form_id = ? AND " + cmp + ")",
		[]any{form, path, arg}, nil
}

// formPath is the JSON path of a form field alias in form_results.vals.
func formPath(field string) string { return `$."` + strings.ReplaceAll(field, `"`, ``) + `"` }

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
