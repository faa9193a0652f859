package segments_test

// Differential property test: random contacts, hits and flat Mautic filter lists; the SQL
// the compiler builds must select exactly what a plain Go evaluator of the same semantics
// (MAUTIC.md §3.2–3.6) selects, in both compile modes.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/fold"
	"magpie/backend/internal/testenv"
	"magpie/backend/segments"
)

type refContact struct {
	id        string
	city      *string
	first     *string
	points    int64
	vip       *int64
	interests *string
	tags      map[string]bool
	urls      []*string // one per hit; nil = a hit without URL
	docs      *int64    // score in the point group "Docs" (nil = no row, counts as 0)
}

type refFilter struct {
	glue, field, op string
	val             []string // one value, or the list for in-style operators
}

var (
	cityPool  = []string{"Paris", "paris ", "PARIS", "Montréal", "montreal", "Lyon", "a_b", "a%b", "Zürich", "zurich", ""}
	firstPool = []string{"Ann", "ann", "Élodie", "elodie", "Bob", "O'Neil", ""}
	tagPool   = []string{"vip", "news", "lead", "Élite"}
	urlPool   = []string{"https://a.io/pricing", "https://a.io/blog", "https://b.io/Pricing", "https://a.io/p_ricing"}
	optPool   = []string{"a", "b", "c"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func maybe(r *rand.Rand, xs []string) *string {
	if r.IntN(4) == 0 {
		return nil
	}
	s := pick(r, xs)
	return &s
}

func TestDifferential(t *testing.T) {
	seed := uint64(20260302)
	r := rand.New(rand.NewPCG(seed, seed))
	r2 := rand.New(rand.NewPCG(seed+1, seed)) // point group scores and filters: r's sequence stays as it was
	ctx := context.Background()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []fields.Input{
		{Object: fields.Contact, Alias: "vip", Label: "VIP", Type: fields.Boolean, Listable: true},
		{Object: fields.Contact, Alias: "interests", Label: "Interests", Type: fields.Multiselect, Listable: true,
			Options: []fields.Option{{Label: "a", Value: "a"}, {Label: "b", Value: "b"}, {Label: "c", Value: "c"}}},
	} {
		if _, err := fs.Add(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	cs := contacts.New(d, fs)
	seg := segments.New(d, fs)
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`INSERT INTO point_groups(id, name, date_added, date_modified) VALUES('g-docs', 'Docs', 0, 0), ('g-old', 'Old', 0, 0)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var people []*refContact
	for i := 0; i < 70; i++ {
		p := &refContact{city: maybe(r, cityPool), first: maybe(r, firstPool), points: int64(r.IntN(4)), tags: map[string]bool{}}
		vals := map[string]string{"email": fmt.Sprintf("p%d@x.io", i)}
		if p.city != nil && strings.TrimSpace(*p.city) != "" {
			vals["city"] = *p.city
			trimmed := strings.TrimSpace(*p.city) // stored trimmed
			p.city = &trimmed
		} else if p.city != nil {
			p.city = nil // "" is stored as NULL
		}
		if p.first != nil && *p.first != "" {
			vals["firstname"] = *p.first
		} else {
			p.first = nil
		}
		if r.IntN(3) > 0 {
			v := int64(r.IntN(2))
			p.vip = &v
			vals["vip"] = fmt.Sprint(v)
		}
		if r.IntN(3) > 0 {
			var parts []string
			for _, o := range optPool {
				if r.IntN(2) == 0 {
					parts = append(parts, o)
				}
			}
			if len(parts) > 0 {
				s := strings.Join(parts, "|")
				p.interests = &s
				vals["interests"] = s
			}
		}
		var tags []string
		for _, tg := range tagPool {
			if r.IntN(3) == 0 {
				tags = append(tags, tg)
				p.tags[fold.String(tg)] = true
			}
		}
		c, err := cs.Create(ctx, contacts.Input{Values: vals, Tags: tags}, "test")
		if err != nil {
			t.Fatal(err)
		}
		p.id = c.ID
		if r2.IntN(3) > 0 { // a score row in Docs (sometimes 0 or negative), and noise in another group
			k := int64(r2.IntN(5) - 1)
			p.docs = &k
			if err := d.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(`INSERT INTO point_group_scores(id, contact_id, group_id, score, date_modified) VALUES(?, ?, 'g-docs', ?, 0),
					(?, ?, 'g-old', 7, 0)`, "s1-"+c.ID, c.ID, k, "s2-"+c.ID, c.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		if p.points > 0 {
			if err := cs.AdjustPoints(ctx, c.ID, p.points, "t", "t"); err != nil {
				t.Fatal(err)
			}
		}
		for h := r.IntN(4); h > 0; h-- {
			var u *string
			if r.IntN(5) > 0 {
				s := pick(r, urlPool)
				u = &s
			}
			p.urls = append(p.urls, u)
			ev := events.Event{ContactID: c.ID, Type: events.PageHit}
			if u != nil {
				ev.URL = *u
			}
			if err := d.Write(ctx, func(tx *db.Tx) error { _, err := events.Append(tx, ev); return err }); err != nil {
				t.Fatal(err)
			}
		}
		people = append(people, p)
	}
	for round := 0; round < 400; round++ {
		n := 1 + r.IntN(4)
		var fsl []refFilter
		for i := 0; i < n; i++ {
			f := randomFilter(r)
			if r2.IntN(5) == 0 {
				f = refFilter{f.glue, "group_points_g-docs", pick(r2, []string{"=", "!=", "gt", "gte", "lt", "lte"}), []string{fmt.Sprint(r2.IntN(5) - 1)}}
			}
			fsl = append(fsl, f)
		}
		var parts []string
		for _, f := range fsl {
			var v any = f.val[0]
			if f.op == "in" || f.op == "!in" || strings.HasSuffix(f.op, "Of") {
				v = f.val
			}
			parts = append(parts, leaf(f.glue, f.field, f.op, v))
		}
		js := "[" + strings.Join(parts, ",") + "]"
		var want []string
		for _, p := range people {
			if refMatch(p, fsl) {
				want = append(want, p.id)
			}
		}
		sort.Strings(want)
		for _, mode := range []segments.Mode{segments.Scan, segments.One} {
			comp, _ := seg.Compiler(ctx, testenv.Epoch, mode)
			tree, err := segments.Parse([]byte(js))
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			cond, args, err := comp.Compile(tree)
			if err != nil {
				t.Fatalf("round %d %s: %v", round, js, err)
			}
			rows, err := d.R.Query("SELECT c.id FROM contacts c WHERE c.deleted = 0 AND ("+cond+") ORDER BY c.id", args...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var id string
				rows.Scan(&id)
				got = append(got, id)
			}
			rows.Close()
			if !equal(got, want) {
				t.Fatalf("seed %d round %d mode %d: %s\nSQL %d contacts, reference %d\nonly SQL: %v\nonly ref: %v",
					seed, round, mode, js, len(got), len(want), diff(got, want, people), diff(want, got, people))
			}
		}
	}
}

func diff(a, b []string, people []*refContact) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			for _, p := range people {
				if p.id == x {
					out = append(out, fmt.Sprintf("{city:%v first:%v pts:%d vip:%v int:%v tags:%v urls:%d}",
						deref(p.city), deref(p.first), p.points, p.vip, deref(p.interests), p.tags, len(p.urls)))
				}
			}
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func randomFilter(r *rand.Rand) refFilter {
	glue := pick(r, []string{"and", "and", "or"})
	textOps := []string{"=", "!=", "empty", "!empty", "like", "!like", "regexp", "!regexp", "startsWith", "endsWith", "contains", "in", "!in"}
	switch r.IntN(7) {
	case 0:
		return refFilter{glue, "city", pick(r, textOps), []string{pick(r, append(cityPool, "par", "%is", "mont", "^pa", "a_", "é"))}}
	case 1:
		op := pick(r, textOps)
		v := []string{pick(r, firstPool[:6])}
		if op == "in" || op == "!in" {
			v = append(v, pick(r, firstPool[:6]))
		}
		return refFilter{glue, "firstname", op, v}
	case 2:
		return refFilter{glue, "points", pick(r, []string{"=", "!=", "gt", "gte", "lt", "lte", "empty", "!empty"}), []string{fmt.Sprint(r.IntN(4))}}
	case 3:
		return refFilter{glue, "vip", pick(r, []string{"=", "!="}), []string{fmt.Sprint(r.IntN(2))}}
	case 4:
		return refFilter{glue, "interests", pick(r, []string{"in", "!in", "empty", "!empty", "anyOf", "allOf", "noneOf", "notAllOf"}),
			[]string{pick(r, optPool), pick(r, optPool)}}
	case 5:
		return refFilter{glue, "tags", pick(r, []string{"in", "!in", "empty", "!empty", "anyOf", "allOf", "noneOf", "notAllOf"}),
			[]string{pick(r, tagPool), pick(r, tagPool)}}
	}
	return refFilter{glue, "hit_url", pick(r, []string{"=", "!=", "like", "!like", "contains", "startsWith", "endsWith", "regexp", "!regexp"}),
		[]string{pick(r, append(urlPool, "pricing", "a.io", "p_r", "^https://b"))}}
}

// refMatch is the reference: Mautic's DNF over the flat list.
func refMatch(p *refContact, fs []refFilter) bool {
	any, cur := false, true
	for i, f := range fs {
		if i > 0 && f.glue == "or" {
			any = any || cur
			cur = true
		}
		cur = cur && refLeaf(p, f)
	}
	return any || cur
}

// likeRe turns a LIKE pattern (% _ and \ escapes) into a regexp.
func likeRe(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)^")
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; c {
		case '\\':
			if i+1 < len(pat) {
				i++
				b.WriteString(regexp.QuoteMeta(string(pat[i])))
			}
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func esc(s string) string { return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) }

// refText applies a text operator to one value (nil = NULL).
func refText(c *string, op string, vals []string) bool {
	v := vals[0]
	fv := fold.String(v)
	has := c != nil
	fc := ""
	if has {
		fc = fold.String(*c)
	}
	// LIKE compares character by character: trailing blanks count (no PAD SPACE).
	noTrim := func(s string) string { return strings.TrimSuffix(fold.String(s+"x"), "x") }
	like := func(pat string) bool { return has && likeRe(noTrim(pat)).MatchString(noTrim(*c)) }
	wrap := func(v string) string {
		if strings.Contains(v, "%") {
			return v
		}
		return "%" + v + "%"
	}
	switch op {
	case "=":
		return has && fc == fv
	case "!=":
		return !has || fc != fv
	case "empty":
		return !has || *c == ""
	case "!empty":
		return has && *c != ""
	case "like":
		return like(wrap(v))
	case "!like":
		return !has || !like(wrap(v))
	case "contains":
		return like("%" + esc(v) + "%")
	case "startsWith":
		return like(esc(v) + "%")
	case "endsWith":
		return like("%" + esc(v))
	case "regexp":
		return has && regexp.MustCompile("(?i)"+v).MatchString(*c)
	case "!regexp":
		return has && !regexp.MustCompile("(?i)"+v).MatchString(*c)
	case "in", "!in":
		in := false
		for _, x := range vals {
			if has && fc == fold.String(x) {
				in = true
			}
		}
		if op == "in" {
			return in
		}
		return !has || !in
	}
	panic(op)
}

func refMulti(has func(string) bool, isNull bool, op string, vals []string) bool {
	anyOf, allOf := false, true
	for _, v := range vals {
		if has(v) {
			anyOf = true
		} else {
			allOf = false
		}
	}
	switch op {
	case "anyOf":
		return anyOf
	case "allOf":
		return allOf
	case "noneOf", "!in":
		return isNull || !anyOf
	case "notAllOf":
		return isNull || !allOf
	}
	panic(op)
}

func refLeaf(p *refContact, f refFilter) bool {
	switch f.field {
	case "city":
		return refText(p.city, f.op, f.val)
	case "firstname":
		return refText(p.first, f.op, f.val)
	case "points":
		var k int64
		fmt.Sscan(f.val[0], &k)
		switch f.op {
		case "=":
			return p.points == k
		case "!=":
			return p.points != k
		case "gt":
			return p.points > k
		case "gte":
			return p.points >= k
		case "lt":
			return p.points < k
		case "lte":
			return p.points <= k
		case "empty":
			return p.points == 0
		case "!empty":
			return p.points != 0
		}
	case "vip":
		var k int64
		fmt.Sscan(f.val[0], &k)
		if f.op == "=" {
			return p.vip != nil && *p.vip == k
		}
		return p.vip == nil || *p.vip != k
	case "interests":
		set := map[string]bool{}
		if p.interests != nil {
			for _, x := range strings.Split(*p.interests, "|") {
				set[x] = true
			}
		}
		switch f.op {
		case "empty":
			return p.interests == nil
		case "!empty":
			return p.interests != nil
		case "in":
			return refMulti(func(v string) bool { return set[v] }, false, "allOf", f.val)
		}
		return refMulti(func(v string) bool { return set[v] }, p.interests == nil, f.op, f.val)
	case "tags":
		switch f.op {
		case "empty":
			return len(p.tags) == 0
		case "!empty":
			return len(p.tags) > 0
		case "in":
			return refMulti(func(v string) bool { return p.tags[fold.String(v)] }, false, "anyOf", f.val)
		}
		return refMulti(func(v string) bool { return p.tags[fold.String(v)] }, false, f.op, f.val)
	case "group_points_g-docs":
		var k, v int64
		fmt.Sscan(f.val[0], &k)
		if p.docs != nil {
			v = *p.docs
		}
		switch f.op {
		case "=":
			return v == k
		case "!=":
			return v != k
		case "gt":
			return v > k
		case "gte":
			return v >= k
		case "lt":
			return v < k
		case "lte":
			return v <= k
		}
	case "hit_url":
		neg := map[string]string{"!=": "=", "!like": "like"}
		if pos, ok := neg[f.op]; ok {
			for _, u := range p.urls {
				if u == nil || refText(u, pos, f.val) {
					return false
				}
			}
			return true
		}
		for _, u := range p.urls {
			if u != nil && refText(u, f.op, f.val) {
				return true
			}
		}
		return false
	}
	panic(f.field)
}
