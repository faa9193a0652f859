package reports

import (
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"time"
)

// ---- CSV: the detail rows (UTF-8 with BOM so spreadsheet apps read accents) ----

type csvSink struct {
	w    io.Writer
	cw   *csv.Writer
	cols []Column
	rec  []string
}

func (c *csvSink) begin(cols []Column, _ int64) error {
	c.cols = cols
	if _, err := c.w.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
		return err
	}
	c.cw = csv.NewWriter(c.w)
	head := make([]string, len(cols))
	for i, col := range cols {
		head[i] = col.Label
	}
	return c.cw.Write(head)
}

func (c *csvSink) row(vals []any) error {
	c.rec = c.rec[:0]
	for i, v := range vals {
		c.rec = append(c.rec, cellText(c.cols[i].Type, v))
	}
	return c.cw.Write(c.rec)
}

// finish writes the summary below the rows when there are no detail columns (a grouped
// report exported to CSV is its summary).
func (c *csvSink) finish(sum *Summary, _ io.Writer) error {
	if sum != nil && len(c.cols) == 0 {
		head := make([]string, len(sum.Columns))
		for i, col := range sum.Columns {
			head[i] = col.Label
		}
		if err := c.cw.Write(head); err != nil {
			return err
		}
		for _, r := range sum.Rows {
			rec := make([]string, len(r))
			for i, v := range r {
				rec[i] = cellText(sum.Columns[i].Type, v)
			}
			if err := c.cw.Write(rec); err != nil {
				return err
			}
		}
	}
	c.cw.Flush()
	return c.cw.Error()
}

func (c *csvSink) abort()      {}
func (c *csvSink) sheets() int { return 0 }

// ---- HTML: one self-contained page (inline CSS, no script, no remote asset) ----

// HTMLMaxRows caps the detail rows of an HTML export (a browser page, not a data file).
const HTMLMaxRows = 50000

type htmlSink struct {
	w     io.Writer
	title string
	src   string
	def   Definition
	now   time.Time
	cols  []Column
	n     int64
	total int64
	err   error
}

const htmlCSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.meta{color:#59636e;margin:0 0 16px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #d1d9e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:#4c6ef5;height:10px;border-radius:2px;min-width:1px}.note{color:#59636e;font-style:italic}
@media print{th{position:static}}`

func (h *htmlSink) printf(format string, a ...any) {
	if h.err == nil {
		_, h.err = fmt.Fprintf(h.w, format, a...)
	}
}

func (h *htmlSink) begin(cols []Column, total int64) error {
	h.cols, h.total = cols, total
	rng := "all dates"
	if h.def.DateFrom != "" || h.def.DateTo != "" {
		rng = h.def.DateFrom + " – " + h.def.DateTo
	}
	h.printf(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`+
		`<title>%s</title><style>%s</style></head><body><h1>%s</h1><p class="meta">%s · %s · generated %s UTC · %d rows</p>`,
		html.EscapeString(h.title), htmlCSS, html.EscapeString(h.title), html.EscapeString(h.src), html.EscapeString(rng),
		h.now.UTC().Format("2006-01-02 15:04"), total)
	if len(cols) > 0 {
		// the summary goes first in the page but is only known at the end: the detail table
		// is written now, the summary after it with a link at the top
		h.printf(`<p><a href="#summary">Summary</a></p><h2>Rows</h2><table><thead><tr>`)
		for _, c := range cols {
			h.printf("<th>%s</th>", html.EscapeString(c.Label))
		}
		h.printf("</tr></thead><tbody>\n")
	}
	return h.err
}

func numeric(typ string) bool { return typ == Int || typ == Float }

func (h *htmlSink) row(vals []any) error {
	h.n++
	if h.n > HTMLMaxRows {
		return h.err
	}
	h.printf("<tr>")
	for i, v := range vals {
		if numeric(h.cols[i].Type) {
			h.printf(`<td class="n">%s</td>`, html.EscapeString(cellText(h.cols[i].Type, v)))
		} else {
			h.printf("<td>%s</td>", html.EscapeString(cellText(h.cols[i].Type, v)))
		}
	}
	h.printf("</tr>\n")
	return h.err
}

func (h *htmlSink) finish(sum *Summary, _ io.Writer) error {
	if len(h.cols) > 0 {
		h.printf("</tbody></table>")
		if h.n > HTMLMaxRows {
			h.printf(`<p class="note">%d more rows are not shown: export to XLSX or CSV for every row.</p>`, h.n-HTMLMaxRows)
		}
	}
	if sum != nil {
		h.printf(`<h2 id="summary">Summary</h2><table><thead><tr>`)
		for _, c := range sum.Columns {
			h.printf("<th>%s</th>", html.EscapeString(c.Label))
		}
		nKeys := len(h.def.GroupBy)
		var maxV float64
		for _, r := range sum.Rows {
			if nKeys < len(r) && num(r[nKeys]) > maxV {
				maxV = num(r[nKeys])
			}
		}
		h.printf(`<th aria-hidden="true"></th></tr></thead><tbody>`)
		for _, r := range sum.Rows {
			h.printf("<tr>")
			for i, v := range r {
				cls := ""
				if numeric(sum.Columns[i].Type) {
					cls = ` class="n"`
				}
				h.printf("<td%s>%s</td>", cls, html.EscapeString(cellText(sum.Columns[i].Type, v)))
			}
			w := 0.0
			if maxV > 0 && nKeys < len(r) {
				w = 100 * num(r[nKeys]) / maxV
			}
			h.printf(`<td style="width:30%%"><div class="bar" style="width:%.1f%%"></div></td></tr>`, w)
		}
		h.printf("</tbody></table>")
	}
	h.printf("</body></html>\n")
	return h.err
}

func (h *htmlSink) abort()      {}
func (h *htmlSink) sheets() int { return 0 }
