package tracking

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"magpie/backend/db"
)

// prefetch is the next batch of hits read and decoded on another goroutine (the second
// core) while the writer commits the current one: hits are immutable once stored, so
// reading them through the read pool outside the write transaction is safe. The stored
// rows of the batch's devices are read too; those are not immutable, so the writer uses
// them only when nothing but the batch being written changed the store since
// (Ingester.batchDevices).
type prefetch struct {
	after   int64 // the batch holds the hits after this seq
	size    int   // at most this many
	commits int64 // db.DB.Commits when it started (inside the batch being written)
	done    chan struct{}
	hits    []storedHit
	err     error
	devs    devInfo
	devErr  error
}

// startPrefetch reads the up to size hits after seq after in the background; commits is
// db.DB.Commits read by the running batch.
func (g *Ingester) startPrefetch(after int64, size int, commits int64) {
	p := &prefetch{after: after, size: size, commits: commits, done: make(chan struct{})}
	g.next = p
	go func() {
		defer close(p.done)
		p.err = readHits(context.Background(), g, p)
	}()
}

// takePrefetch returns the prefetched batch when it is the one wanted (same cursor and
// size, complete), else nil: the caller then reads the hits in its transaction.
func (g *Ingester) takePrefetch(after int64, size int) *prefetch {
	p := g.next
	if p == nil {
		return nil
	}
	g.next = nil
	<-p.done
	if p.err != nil || p.after != after || p.size != size || len(p.hits) < size {
		return nil // a short batch is read again in the transaction: more may have come
	}
	return p
}

// dropPrefetch waits for a prefetch in flight and forgets it.
func (g *Ingester) dropPrefetch() {
	if p := g.next; p != nil {
		<-p.done
		g.next = nil
	}
}

// hitTextColumns are the text columns of a hit (hitColumns but at and bot), in the order
// scanHits cuts them out.
var hitTextColumns = slices.DeleteFunc(slices.Clone(hitColumns), func(c string) bool { return c == "at" || c == "bot" })

// hitsSQL reads a hit's text columns as one string (their concatenation) and its byte
// lengths as another ("3,4,36,…"): two values per row for the driver to copy and box
// instead of fourteen (database/sql's scan was most of the prefetch's CPU: 2.9 of 4.7 s in
// the 1M-hit bench, docs/BENCHMARKS.md § Desktop ingest, branch ing5).
var hitsSQL = func() string {
	lens, cat := make([]string, len(hitTextColumns)), make([]string, len(hitTextColumns))
	for i, c := range hitTextColumns {
		cat[i] = "coalesce(" + c + ", '')"
		lens[i] = "octet_length(" + cat[i] + ")"
	}
	return "SELECT seq, at, bot, " + strings.Join(lens, " || ',' || ") + ", " + strings.Join(cat, " || ") +
		" FROM hits WHERE seq > ? ORDER BY seq LIMIT ?"
}()

// readHits is loadHits, then the batch's devices (prefetchDevices), for p through a
// connection of the read pool, without memory mapping and with a small page cache: a
// catch-up reads the whole hits table once, and mapped pages would count in the process's
// RSS (as the XLSX export's reads, backend/exports).
func readHits(ctx context.Context, g *Ingester, p *prefetch) (err error) {
	c, err := g.db().R.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	var cache int
	if err := c.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
		return err
	}
	if _, err := c.ExecContext(ctx, "PRAGMA cache_size = -4096; PRAGMA mmap_size = 0"); err != nil {
		return err
	}
	defer func() {
		_, e := c.ExecContext(context.Background(), fmt.Sprintf("PRAGMA cache_size = %d; PRAGMA mmap_size = %d", cache, db.ReadMmapSize))
		if err == nil {
			err = e
		}
	}()
	rows, err := c.QueryContext(ctx, hitsSQL, p.after, p.size)
	if err != nil {
		return err
	}
	if p.hits, err = scanHits(rows, p.size); err != nil {
		return err
	}
	prefetchDevices(ctx, c, p)
	return nil
}

type hitRows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}

func scanHits(rows hitRows, limit int) ([]storedHit, error) {
	defer rows.Close()
	// The whole batch's room at once: a storedHit is ≈ 300 bytes, and growing the slice from
	// a small start allocated five times the batch (1.2 GB of the 1M-hit bench's 7.8 GB).
	out := make([]storedHit, 0, min(limit, 20_000))
	for rows.Next() {
		var h storedHit
		var lens, all string
		if err := rows.Scan(&h.seq, &h.At, &h.Bot, &lens, &all); err != nil {
			return nil, err
		}
		// One string per hit, its fields substrings of it: a dozen allocations fewer per hit,
		// and fewer objects for the collector to mark while two batches are held.
		var f [14]string
		pos := 0
		for i := range f {
			n, rest, ok := cutLen(lens)
			if !ok || pos+n > len(all) {
				return nil, fmt.Errorf("tracking: hit %d: bad column lengths %q", h.seq, lens)
			}
			f[i], pos, lens = all[pos:pos+n], pos+n, rest
		}
		h.ID, h.Kind, h.Device, h.Contact, h.Email, h.Send, h.Form = f[0], Kind(f[1]), f[2], f[3], f[4], f[5], f[6]
		h.URL, h.Title, h.Referrer, h.Lang, h.UA, h.IP = f[7], f[8], f[9], f[10], f[11], f[12]
		if f[13] != "" {
			h.Data = decodeData(f[13])
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// cutLen reads the decimal length at the start of s, up to the next comma.
func cutLen(s string) (n int, rest string, ok bool) {
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if i == 0 || i > 10 {
		return 0, s, false
	}
	if i < len(s) {
		if s[i] != ',' {
			return 0, s, false
		}
		i++
	}
	return n, s[i:], true
}

// decodeData decodes a hit's stored data (a JSON object of strings). The tracker's objects
// are flat and rarely escaped: those are cut out directly (encoding/json's map decoding was
// ≈ 2.7 µs and 550 bytes of garbage a hit); anything else goes through encoding/json.
func decodeData(s string) map[string]string {
	if m, ok := flatStrings(s); ok {
		return m
	}
	var m map[string]string
	_ = json.Unmarshal([]byte(s), &m)
	return m
}

// flatStrings parses {"k":"v",...} without escapes or whitespace; ok is false for anything
// else (the caller then uses encoding/json).
func flatStrings(s string) (map[string]string, bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' || strings.IndexByte(s, '\\') >= 0 {
		return nil, false
	}
	m := make(map[string]string, strings.Count(s, ":"))
	i := 1
	if s[i] == '}' {
		return m, i == len(s)-1
	}
	str := func() (string, bool) {
		if i >= len(s) || s[i] != '"' {
			return "", false
		}
		j := strings.IndexByte(s[i+1:], '"')
		if j < 0 {
			return "", false
		}
		v := s[i+1 : i+1+j]
		i += j + 2
		return v, true
	}
	for {
		k, ok := str()
		if !ok || i >= len(s) || s[i] != ':' {
			return nil, false
		}
		i++
		v, ok := str()
		if !ok || i >= len(s) {
			return nil, false
		}
		m[k] = v
		switch s[i] {
		case ',':
			i++
		case '}':
			return m, i == len(s)-1
		default:
			return nil, false
		}
	}
}
