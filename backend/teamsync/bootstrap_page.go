package teamsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"magpie/backend/rqlite"
)

// A bootstrap page is a run of whole rows of the cluster's state, in key order, read in one
// statement (one snapshot): a row whose cells all carry one clock — almost every row — comes
// back as one result row (table, row, clock, site, its cells as one JSON object, cell
// count); a row with cells of several clocks comes back as one result row per clock. The
// grouping follows the state's primary key (tbl, row_id, col), so the cluster streams it
// without sorting (the earlier cell-count pages grouped a LIMIT subquery through a temporary
// B-tree: 2.4× the cluster's CPU), and a page never ends inside a row. CROSS JOIN keeps the
// join order: SQLite 3.54 otherwise scans the whole state behind a Bloom filter.
const statePageSQL = `WITH pg AS (
  SELECT tbl, row_id, '{' || group_concat(json_quote(col) || ':' || val, ',') || '}' AS obj,
         min(hlc) AS h1, max(hlc) AS h2, min(site_id) AS s1, max(site_id) AS s2, count(*) AS n
  FROM state WHERE (tbl, row_id) > (?, ?)
  GROUP BY tbl, row_id ORDER BY tbl, row_id LIMIT ?)
SELECT tbl, row_id, h1, s1, obj, n FROM pg WHERE h1 = h2 AND s1 = s2
UNION ALL
SELECT s.tbl, s.row_id, s.hlc, s.site_id, '{' || group_concat(json_quote(s.col) || ':' || s.val, ',') || '}', count(*)
FROM pg CROSS JOIN state s ON s.tbl = pg.tbl AND s.row_id = pg.row_id
WHERE pg.h1 <> pg.h2 OR pg.s1 <> pg.s2
GROUP BY s.tbl, s.row_id, s.hlc, s.site_id`

// statePageRows bounds the rows of a page: the first page asks for statePage/20 rows, the
// next ones for as many as make about statePage cells at the last page's width.
func statePageRows(lastRows, lastCells int) int {
	if lastRows == 0 || lastCells == 0 {
		return statePage / 20
	}
	// At most statePage/20 rows as well: a page of narrow rows costs per row, not per cell.
	return min(max(statePage*lastRows/lastCells, 16), statePage/20)
}

// pageRetries is how often a page read that got no answer is tried again (with backoff)
// before the bootstrap gives up: a read is idempotent, and starting a million-row bootstrap
// over for one slow answer would cost far more.
var pageRetries = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}

// rawQuerier is a client that can return raw values (rqlite.Client): pages then decode in one
// pass without boxing every value, into a reused buffer.
type rawQuerier interface {
	QueryRawFunc(ctx context.Context, level rqlite.Level, fn func([]rqlite.RawResult) error, stmts ...rqlite.Statement) error
}

// queryRaw runs one statement and hands its rows as raw values to fn (valid only during
// fn), through QueryRawFunc when the client has it.
func queryRaw(ctx context.Context, c Client, st rqlite.Statement, fn func([][]rqlite.Raw) error) error {
	if rq, ok := c.(rawQuerier); ok {
		return rq.QueryRawFunc(ctx, rqlite.Weak, func(res []rqlite.RawResult) error { return fn(res[0].Values) }, st)
	}
	res, err := c.Query(ctx, rqlite.Weak, st)
	if err != nil {
		return err
	}
	out := make([][]rqlite.Raw, len(res[0].Values))
	for i, row := range res[0].Values {
		out[i] = make([]rqlite.Raw, len(row))
		for j, v := range row {
			b, err := json.Marshal(v)
			if err != nil {
				return err
			}
			out[i][j] = b
		}
	}
	return fn(out)
}

// fetchStatePages reads the cluster's state page after page into out until the last one (or
// an error, or ctx ends).
func fetchStatePages(ctx context.Context, c Client, out chan<- statePageResult) {
	var kt, kr string
	var lastRows, lastCells int
	send := func(r statePageResult) bool {
		select {
		case out <- r:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		limit := statePageRows(lastRows, lastCells)
		var changes []change
		var rows, cells int
		var next [2]string
		var err error
		for try := 0; ; try++ {
			err = queryRaw(ctx, c, rqlite.S(statePageSQL, kt, kr, limit), func(page [][]rqlite.Raw) (err error) {
				changes, rows, cells, next, err = decodeStatePage(page)
				return err
			})
			if err == nil || !errors.Is(err, rqlite.ErrIndeterminate) || try >= len(pageRetries) {
				break
			}
			select {
			case <-time.After(pageRetries[try]):
			case <-ctx.Done():
				return
			}
		}
		if err != nil {
			send(statePageResult{err: err})
			return
		}
		full := rows >= limit
		if !send(statePageResult{changes: changes, cells: cells, last: !full}) || !full {
			return
		}
		kt, kr = next[0], next[1]
		lastRows, lastCells = rows, cells
	}
}

// decodeStatePage turns a page (table, row, hlc, site, cells as a JSON object, cell count)
// into changes; it returns them, the number of distinct rows and of cells, and the greatest
// (table, row) key (where the next page starts). A row whose cells do not decode is kept as
// a change without columns but with its raw text, so the caller parks it instead of losing
// the page.
func decodeStatePage(page [][]rqlite.Raw) ([]change, int, int, [2]string, error) {
	out := make([]change, 0, len(page))
	var cells int
	var next [2]string
	seen := make(map[[2]string]struct{}, len(page))
	for _, r := range page {
		if len(r) < 6 {
			return nil, 0, 0, next, fmt.Errorf("sync: state row has %d columns, want 6", len(r))
		}
		tbl, err1 := r[0].Str()
		row, err2 := r[1].Str()
		hlc, err3 := r[2].Int()
		site, err4 := r[3].Str()
		obj, err5 := r[4].Str()
		n, err6 := r[5].Int()
		for _, err := range []error{err1, err2, err3, err4, err5, err6} {
			if err != nil {
				return nil, 0, 0, next, fmt.Errorf("sync: bad state cells of %s.%s: %v", r[0], r[1], err)
			}
		}
		ch := change{tbl: tbl, row: row, hlc: hlc, site: site}
		ch.id = "state:" + tbl + "\x00" + row + "\x00" + strconv.FormatInt(hlc, 10) + "\x00" + site
		cols, err := decodeStateObject(obj)
		if err != nil {
			ch.raw, ch.bad = obj, err.Error()
		} else {
			ch.cols = cols
		}
		out = append(out, ch)
		cells += int(n)
		k := [2]string{tbl, row}
		seen[k] = struct{}{}
		if k[0] > next[0] || (k[0] == next[0] && k[1] > next[1]) {
			next = k
		}
	}
	return out, len(seen), cells, next, nil
}
