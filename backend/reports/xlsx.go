package reports

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"magpie/backend/charts"
)

// SheetRows is the most rows an Excel sheet holds (header included); the detail rows
// continue on "Report 2", "Report 3"… past it.
var SheetRows = 1048576

// maxCell is the longest text a spreadsheet cell holds.
const maxCell = 32767

type xlsxSink struct {
	f        *excelize.File
	sw       *excelize.StreamWriter
	name     string
	cols     []Column
	sheet    int    // 1-based number of the current detail sheet
	sheetNm  string // its name
	n        int    // rows written on the current sheet (header included)
	headID   int
	dateTime int
	dateOnly int
	decimal  int
	buf      []any
}

func newXLSX(name string) *xlsxSink {
	f := excelize.NewFile()
	// Deflate at best speed: compressing a 1M-row sheet at the default level is most of
	// the export time, for a file only ~15% smaller (same choice as backend/exports).
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	return &xlsxSink{f: f, name: name}
}

func (x *xlsxSink) styles() error {
	var err error
	if x.headID, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7ECF5"}},
		Border: []excelize.Border{{Type: "bottom", Color: "8C959F", Style: 1}}}); err != nil {
		return err
	}
	fmtDT := "yyyy-mm-dd hh:mm:ss"
	if x.dateTime, err = x.f.NewStyle(&excelize.Style{CustomNumFmt: &fmtDT}); err != nil {
		return err
	}
	fmtD := "yyyy-mm-dd"
	if x.dateOnly, err = x.f.NewStyle(&excelize.Style{CustomNumFmt: &fmtD}); err != nil {
		return err
	}
	fmtN := "#,##0.00"
	x.decimal, err = x.f.NewStyle(&excelize.Style{CustomNumFmt: &fmtN})
	return err
}

func width(c Column) float64 {
	w := float64(len([]rune(c.Label))) + 4
	switch c.Type {
	case DateTime:
		w = max(w, 20)
	case Date:
		w = max(w, 12)
	case Int, Float:
		w = max(w, 12)
	default:
		w = max(w, 24)
	}
	return min(w, 60)
}

func (x *xlsxSink) begin(cols []Column, _ int64) error {
	x.cols = cols
	if err := x.styles(); err != nil {
		return err
	}
	if len(cols) == 0 {
		// a summary-only report: the first sheet is the summary
		return x.f.SetSheetName("Sheet1", "Summary")
	}
	if err := x.f.SetSheetName("Sheet1", "Report"); err != nil {
		return err
	}
	return x.newSheet()
}

func (x *xlsxSink) newSheet() error {
	x.sheet++
	x.sheetNm = "Report"
	if x.sheet > 1 {
		x.sheetNm = fmt.Sprintf("Report %d", x.sheet)
		if _, err := x.f.NewSheet(x.sheetNm); err != nil {
			return err
		}
	}
	sw, err := x.f.NewStreamWriter(x.sheetNm)
	if err != nil {
		return err
	}
	x.sw, x.n = sw, 0
	for i, c := range x.cols {
		if err := sw.SetColWidth(i+1, i+1, width(c)); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(x.cols))
	for i, c := range x.cols {
		head[i] = excelize.Cell{StyleID: x.headID, Value: c.Label}
	}
	x.n++
	return sw.SetRow("A1", head)
}

// closeSheet adds the auto-filter over the sheet's rows and flushes it. The filter is set
// on the worksheet the stream writer still holds, so it is written with the sheet.
func (x *xlsxSink) closeSheet() error {
	last, _ := excelize.CoordinatesToCellName(len(x.cols), max(x.n, 2))
	if err := x.f.AutoFilter(x.sheetNm, "A1:"+last, nil); err != nil {
		return err
	}
	return x.sw.Flush()
}

func (x *xlsxSink) row(vals []any) error {
	if x.n >= SheetRows {
		if err := x.closeSheet(); err != nil {
			return err
		}
		if err := x.newSheet(); err != nil {
			return err
		}
	}
	x.n++
	x.buf = x.buf[:0]
	for i, v := range vals {
		x.buf = append(x.buf, x.cell(x.cols[i].Type, v))
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.n)
	return x.sw.SetRow(cell, x.buf)
}

// cell types a value: numbers stay numbers, dates are Excel dates with a date style.
func (x *xlsxSink) cell(typ string, v any) any {
	switch t := v.(type) {
	case time.Time:
		if typ == Date {
			return excelize.Cell{StyleID: x.dateOnly, Value: t}
		}
		return excelize.Cell{StyleID: x.dateTime, Value: t}
	case float64:
		if typ == Float {
			return excelize.Cell{StyleID: x.decimal, Value: t}
		}
	case string:
		if len(t) > maxCell {
			return t[:maxCell]
		}
	}
	return v
}

var excelChart = map[charts.Kind]excelize.ChartType{
	charts.Line:   excelize.Line,
	charts.Bar:    excelize.Col,
	charts.Pie:    excelize.Pie,
	charts.Funnel: excelize.Bar, // Excel has no funnel: horizontal bars in summary order
}

func (x *xlsxSink) finish(sum *Summary, w io.Writer) error {
	if x.sw != nil {
		if err := x.closeSheet(); err != nil {
			return err
		}
	}
	if sum != nil {
		if err := x.summarySheet(sum); err != nil {
			return err
		}
	}
	if err := x.f.Write(w); err != nil {
		return err
	}
	return x.f.Close()
}

// summarySheet writes the grouped summary and a native chart of the report's graph.
func (x *xlsxSink) summarySheet(sum *Summary) error {
	const name = "Summary"
	if idx, _ := x.f.GetSheetIndex(name); idx < 0 {
		if _, err := x.f.NewSheet(name); err != nil {
			return err
		}
	}
	for i, c := range sum.Columns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := x.f.SetColWidth(name, col, col, width(c)); err != nil {
			return err
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := x.f.SetCellValue(name, cell, c.Label); err != nil {
			return err
		}
	}
	lastHead, _ := excelize.CoordinatesToCellName(max(len(sum.Columns), 1), 1)
	if err := x.f.SetCellStyle(name, "A1", lastHead, x.headID); err != nil {
		return err
	}
	for r, row := range sum.Rows {
		vals := make([]any, len(row))
		for i, v := range row {
			vals[i] = x.cell(sum.Columns[i].Type, v)
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := x.f.SetSheetRow(name, cell, &vals); err != nil {
			return err
		}
	}
	if err := x.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if len(sum.Rows) > 0 && len(sum.Columns) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(sum.Columns), len(sum.Rows)+1)
		if err := x.f.AutoFilter(name, "A1:"+last, nil); err != nil {
			return err
		}
	}
	return x.chart(name, sum)
}

func (x *xlsxSink) chart(sheet string, sum *Summary) error {
	nKeys := 0
	for _, c := range sum.Columns {
		if c.ID != "" && !isAgg(c.ID) {
			nKeys++
		}
	}
	kind := charts.Kind("")
	if sum.Chart != nil {
		series, _, _ := charts.Used(sum.Chart)
		if len(series) > 0 {
			kind = charts.Kind(series[0])
		}
	}
	ct, ok := excelChart[kind]
	if !ok || nKeys == 0 || len(sum.Rows) == 0 {
		return nil
	}
	// The chart reads a block of categories × series: with two group columns it is a pivot
	// written to the right of the summary; else the summary itself.
	d := chartData(sum, nKeys)
	startCol := 1
	first := 2
	if nKeys == 2 {
		startCol = len(sum.Columns) + 2
		hdr, _ := excelize.CoordinatesToCellName(startCol, 1)
		head := []any{sum.Columns[0].Label}
		for _, s := range d.Series {
			head = append(head, s.Name)
		}
		if err := x.f.SetSheetRow(sheet, hdr, &head); err != nil {
			return err
		}
		for i, c := range d.Categories {
			row := []any{c}
			for _, s := range d.Series {
				row = append(row, s.Values[i])
			}
			cell, _ := excelize.CoordinatesToCellName(startCol, i+2)
			if err := x.f.SetSheetRow(sheet, cell, &row); err != nil {
				return err
			}
		}
	}
	n := len(d.Categories)
	catCol, _ := excelize.ColumnNumberToName(startCol)
	var series []excelize.ChartSeries
	for j := range d.Series {
		col, _ := excelize.ColumnNumberToName(startCol + 1 + j)
		if nKeys == 1 {
			col, _ = excelize.ColumnNumberToName(nKeys + 1 + j)
		}
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$1", sheet, col),
			Categories: fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, catCol, first, catCol, n+1),
			Values:     fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, col, first, col, n+1),
		})
		if ct == excelize.Pie {
			break
		}
	}
	anchor, _ := excelize.CoordinatesToCellName(startCol+len(d.Series)+2, 2)
	return x.f.AddChart(sheet, anchor, &excelize.Chart{Type: ct, Series: series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: x.name}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 640, Height: 360}})
}

func isAgg(id string) bool {
	for fn := range aggFns {
		if len(id) > len(fn) && id[:len(fn)+1] == fn+":" {
			return true
		}
	}
	return false
}

func (x *xlsxSink) abort() { x.f.Close() }

func (x *xlsxSink) sheets() int { return x.f.SheetCount }
