package dashboard

import (
	"context"
	"sort"
	"time"
)

// topCounts sums one dash_top kind over the range in Go (no SQL sort of the rows): whole
// months from the monthly rows; a partial month at either end from its daily rows, or —
// when fewer of its days (up to today) lie outside the range than inside — from its
// monthly row minus the outside days.
func topCounts(ctx context.Context, s *Service, sp span, kind string) (map[string]*topVal, error) {
	type part struct {
		kind     string
		from, to string
		sign     int64
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	month := func(t time.Time) string { return t.Format("2006-01") }
	first, last := sp.Start, sp.End.AddDate(0, 0, -1)
	today := s.db.Clock.Now().In(sp.loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, sp.loc)
	var parts []part
	fm := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, sp.loc)
	lm := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, sp.loc)
	// edge adds the days [from, to] of the month starting at m, directly or by subtraction.
	edge := func(m, from, to time.Time) {
		end := m.AddDate(0, 1, -1)
		inside := int(to.Sub(from).Hours()/24+0.5) + 1
		outside := 0
		for d := m; !d.After(end) && !d.After(today); d = d.AddDate(0, 0, 1) {
			if d.Before(from) || d.After(to) {
				outside++
			}
		}
		if outside+1 >= inside {
			parts = append(parts, part{kind, day(from), day(to), 1})
			return
		}
		parts = append(parts, part{"m:" + kind, month(m), month(m), 1})
		if from.After(m) {
			parts = append(parts, part{kind, day(m), day(from.AddDate(0, 0, -1)), -1})
		}
		if to.Before(end) {
			parts = append(parts, part{kind, day(to.AddDate(0, 0, 1)), day(end), -1})
		}
	}
	if fm.Equal(lm) {
		edge(fm, first, last)
	} else {
		edge(fm, first, fm.AddDate(0, 1, -1))
		if mid, midEnd := fm.AddDate(0, 1, 0), lm.AddDate(0, -1, 0); !mid.After(midEnd) {
			parts = append(parts, part{"m:" + kind, month(mid), month(midEnd), 1})
		}
		edge(lm, lm, last)
	}
	out := map[string]*topVal{}
	labelled := kind != "page" && kind != "referrer" // pages and hosts are their own label
	for _, p := range parts {
		q := "SELECT key, '', n FROM dash_top WHERE kind = ? AND day >= ? AND day <= ?"
		if labelled {
			q = "SELECT key, label, n FROM dash_top WHERE kind = ? AND day >= ? AND day <= ?"
		}
		rows, err := s.db.R.QueryContext(ctx, q, p.kind, p.from, p.to)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var key, label string
			var n int64
			if err := rows.Scan(&key, &label, &n); err != nil {
				rows.Close()
				return nil, err
			}
			v := out[key]
			if v == nil {
				v = &topVal{label: key}
				out[key] = v
			}
			if labelled && label > v.label {
				v.label = label
			}
			v.n += p.sign * n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// topN ranks counts by n (then key) and keeps the first n with a positive count.
func topN(counts map[string]*topVal, n int) []struct {
	key string
	v   *topVal
} {
	type kv = struct {
		key string
		v   *topVal
	}
	var l []kv
	for k, v := range counts {
		if v.n > 0 {
			l = append(l, kv{k, v})
		}
	}
	sort.Slice(l, func(i, j int) bool {
		if l[i].v.n != l[j].v.n {
			return l[i].v.n > l[j].v.n
		}
		return l[i].key < l[j].key
	})
	if len(l) > n {
		l = l[:n]
	}
	return l
}
