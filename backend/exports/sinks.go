package exports

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/xuri/excelize/v2"

	"magpie/backend/apperr"
)

// The file writers of an export, one per format.

// ---- CSV ----

type csvSink struct {
	f  *os.File
	bw *bufio.Writer
	w  *csv.Writer
	s  []string
}

func newCSV(path string) (*csvSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	bw.Write([]byte{0xEF, 0xBB, 0xBF}) // BOM: spreadsheet apps then read UTF-8
	return &csvSink{f: f, bw: bw, w: csv.NewWriter(bw)}, nil
}

func (c *csvSink) header(h []string) error { return c.w.Write(h) }

func (c *csvSink) row(vals []any) error {
	c.s = c.s[:0]
	for _, v := range vals {
		c.s = append(c.s, text(v))
	}
	return c.w.Write(c.s)
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func (c *csvSink) close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		c.f.Close()
		return err
	}
	if err := c.bw.Flush(); err != nil {
		c.f.Close()
		return err
	}
	if err := c.f.Sync(); err != nil {
		c.f.Close()
		return err
	}
	return c.f.Close()
}

func (c *csvSink) abort() { c.f.Close() }

// ---- XLSX ----

type xlsxSink struct {
	path string
	f    *excelize.File
	sw   *excelize.StreamWriter
	n    int
	dst  io.Writer // the file being written, set by close
}

func newXLSX(path string) (*xlsxSink, error) {
	f := excelize.NewFile()
	x := &xlsxSink{path: path, f: f}
	// The zip goes straight to the file: File.Write otherwise builds the whole zip in a
	// growing bytes.Buffer first (120 MB of heap at the end of a 1M-row export, over the
	// 300 MB budget). excelize's buffer stays empty; the one thing it does with it is
	// marking local headers zip64 for an entry over 4 GB, which a 1,048,576-row sheet of
	// contacts does not reach (the central directory is zip64 either way).
	// Deflate at best speed: the compression of a 1M-row sheet is most of the export time
	// at the default level, for a file only ~15% smaller.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(x.dst)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		f.Close()
		return nil, err
	}
	x.sw = sw
	return x, nil
}

func (x *xlsxSink) header(h []string) error {
	vals := make([]any, len(h))
	for i, s := range h {
		vals[i] = s
	}
	return x.row(vals)
}

// maxCell is the longest text a spreadsheet cell holds.
const maxCell = 32767

func (x *xlsxSink) row(vals []any) error {
	x.n++
	if x.n > 1048576 {
		return apperr.Invalidf("exports.errors.xlsxRows", nil, "an XLSX sheet holds at most 1,048,575 contacts; export to CSV instead")
	}
	for i, v := range vals {
		if s, ok := v.(string); ok && len(s) > maxCell {
			vals[i] = s[:maxCell]
		}
	}
	cellName, _ := excelize.CoordinatesToCellName(1, x.n)
	return x.sw.SetRow(cellName, vals)
}

func (x *xlsxSink) close() error {
	if err := x.sw.Flush(); err != nil {
		x.f.Close()
		return err
	}
	out, err := os.Create(x.path)
	if err != nil {
		x.f.Close()
		return err
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	x.dst = bw
	if err := x.f.Write(io.Discard); err != nil {
		out.Close()
		x.f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		out.Close()
		x.f.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		x.f.Close()
		return err
	}
	if err := out.Close(); err != nil {
		x.f.Close()
		return err
	}
	return x.f.Close()
}

func (x *xlsxSink) abort() { x.f.Close() }
