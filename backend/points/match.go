package points

import (
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"magpie/backend/db"
	"magpie/backend/events"
)

// hitStat is what url.hit limits need about a contact's hits on the URLs a pattern matches.
type hitStat struct {
	count int64         // hits on matching URLs, this one included
	prev  sql.NullInt64 // the previous hit on a matching URL (ms)
	// prevDone says prev was looked up (only limits on returns need it).
	prevDone bool
}

// matches reports whether event e satisfies the action. stats caches url.hit look-ups per
// pattern for the event being processed.
func (a *action) matches(tx *db.Tx, e events.Event, stats *map[string]*hitStat) (bool, error) {
	if !live(a.up, a.down, tx.NowMs()) {
		return false, nil
	}
	anyID := len(a.ids) == 0 || a.ids[e.ObjectID]
	switch a.typ {
	case EmailOpen, EmailSend, FormSubmit, AssetDownload:
		return anyID, nil
	case EmailClick:
		return anyID && (a.p.URL == "" || Fnmatch(a.p.URL, e.URL)), nil
	case PageHit:
		return e.ObjectID != "" && anyID, nil
	case PageVisits:
		if err := events.Settle(tx, e.ContactID); err != nil { // an ingest batch may hold them
			return false, err
		}
		var n int64
		err := tx.QueryRow("SELECT page_hits FROM contact_stats WHERE contact_id = ?", e.ContactID).Scan(&n)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		return n >= a.p.PageHits, nil
	case URLHit:
		if e.URL == "" || !Fnmatch(a.p.URL, e.URL) {
			return false, nil
		}
		p := a.p
		if !p.FirstTime && p.PageHits <= 1 && p.EveryNth <= 1 && p.ReturnsWithin == 0 && p.ReturnsAfter == 0 {
			return true, nil
		}
		if *stats == nil {
			*stats = map[string]*hitStat{}
		}
		st := (*stats)[p.URL]
		if st == nil {
			var err error
			if st, err = urlHits(tx, p.URL, e); err != nil {
				return false, err
			}
			(*stats)[p.URL] = st
		}
		if (p.ReturnsWithin > 0 || p.ReturnsAfter > 0) && !st.prevDone {
			if err := st.previous(tx, p.URL, e); err != nil {
				return false, err
			}
		}
		at := e.At.UnixMilli()
		switch {
		case p.FirstTime && st.count != 1,
			p.PageHits > 1 && st.count < p.PageHits,
			p.EveryNth > 1 && st.count%p.EveryNth != 0,
			p.ReturnsWithin > 0 && (!st.prev.Valid || at-st.prev.Int64 > p.ReturnsWithin*1000),
			p.ReturnsAfter > 0 && (!st.prev.Valid || at-st.prev.Int64 < p.ReturnsAfter*1000):
			return false, nil
		}
		return true, nil
	}
	return false, nil
}

// urlHits counts the contact's hits on URLs matching pattern from the per-contact URL
// aggregates (events.Append has already counted e) and, when asked, finds the previous hit's
// time; both are single prepared look-ups with the pattern turned into SQLite GLOB.
func urlHits(tx *db.Tx, pattern string, e events.Event) (*hitStat, error) {
	if err := events.Settle(tx, e.ContactID); err != nil { // an ingest batch may hold them
		return nil, err
	}
	st := &hitStat{}
	err := tx.QueryRow(`SELECT coalesce(sum(cu.n), 0) FROM contact_urls cu JOIN urls u ON u.id = cu.url_id
		WHERE cu.contact_id = ? AND u.url GLOB ?`, e.ContactID, Glob(pattern)).Scan(&st.count)
	return st, err
}

func (st *hitStat) previous(tx *db.Tx, pattern string, e events.Event) error {
	st.prevDone = true
	return tx.QueryRow(`SELECT max(at) FROM events WHERE contact_id = ? AND type = 'page.hit' AND at <= ? AND id <> ?
		AND url GLOB ?`, e.ContactID, e.At.UnixMilli(), e.ID, Glob(pattern)).Scan(&st.prev)
}

// Glob turns an fnmatch pattern into SQLite's GLOB, which has the same * ? and [..] but
// negates classes with ^ and has no escape: [!a] becomes [^a], \* becomes [*].
func Glob(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			i++
			switch p[i] {
			case '*', '?', '[', ']':
				b.WriteByte('[')
				b.WriteByte(p[i])
				b.WriteByte(']')
			default:
				b.WriteByte(p[i])
			}
		case c == '[' && i+1 < len(p) && p[i+1] == '!':
			if strings.IndexByte(p[i+2:], ']') < 0 {
				b.WriteString("[[]!") // unclosed: literal
				i++
				continue
			}
			b.WriteString("[^")
			i++
		case c == '[' && strings.IndexByte(p[i+1:], ']') < 0:
			b.WriteString("[[]")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Fnmatch is PHP's fnmatch($pattern, $s) with no flags, as Mautic matches point and campaign
// URLs (quirk Q16, kept): case-sensitive; * matches any run of characters including "/",
// ? one character, [abc] / [a-z] / [!abc] a class, and \ escapes the next character.
func Fnmatch(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for len(pattern) > 0 && pattern[0] == '*' {
				pattern = pattern[1:]
			}
			if pattern == "" {
				return true
			}
			for i := 0; i <= len(s); {
				if Fnmatch(pattern, s[i:]) {
					return true
				}
				if i == len(s) {
					break
				}
				_, w := utf8.DecodeRuneInString(s[i:])
				i += w
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			_, w := utf8.DecodeRuneInString(s)
			pattern, s = pattern[1:], s[w:]
		case '[':
			if s == "" {
				return false
			}
			r, w := utf8.DecodeRuneInString(s)
			ok, rest, valid := class(pattern[1:], r)
			if !valid { // no closing ]: a literal [
				if s[0] != '[' {
					return false
				}
				pattern, s = pattern[1:], s[1:]
				continue
			}
			if !ok {
				return false
			}
			pattern, s = rest, s[w:]
		default:
			if pattern[0] == '\\' && len(pattern) > 1 {
				pattern = pattern[1:]
			}
			pr, pw := utf8.DecodeRuneInString(pattern)
			r, w := utf8.DecodeRuneInString(s)
			if s == "" || pr != r {
				return false
			}
			pattern, s = pattern[pw:], s[w:]
		}
	}
	return s == ""
}

// class matches r against a bracket expression whose body starts p (after "["); it returns
// whether r is in it, the pattern after "]", and false when the class is not closed.
func class(p string, r rune) (bool, string, bool) {
	neg := false
	if p != "" && (p[0] == '!' || p[0] == '^') {
		neg, p = true, p[1:]
	}
	in := false
	first := true
	for {
		if p == "" {
			return false, "", false
		}
		if p[0] == ']' && !first {
			return in != neg, p[1:], true
		}
		first = false
		lo, w := utf8.DecodeRuneInString(p)
		p = p[w:]
		hi := lo
		if len(p) >= 2 && p[0] == '-' && p[1] != ']' {
			hi, w = utf8.DecodeRuneInString(p[1:])
			p = p[1+w:]
		}
		if lo <= r && r <= hi {
			in = true
		}
	}
}
