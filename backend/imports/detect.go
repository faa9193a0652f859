package imports

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"magpie/backend/apperr"
)

// Encodings a CSV file may use.
const (
	UTF8        = "utf-8"
	UTF8BOM     = "utf-8-bom"
	Windows1252 = "windows-1252"
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// sampleSize is how much of a file detection reads.
const sampleSize = 256 << 10

// previewRows is how many data rows Analyze returns.
const previewRows = 10

// Analysis is what the mapping screen shows about a file before importing it.
type Analysis struct {
	Path      string     `json:"path"`
	FileName  string     `json:"fileName"`
	Size      int64      `json:"size"`
	Delimiter string     `json:"delimiter"` // "," ";" or "\t"
	Encoding  string     `json:"encoding"`  // utf-8 | utf-8-bom | windows-1252
	Columns   []string   `json:"columns"`   // header cells, in file order
	Preview   [][]string `json:"preview"`   // the first data rows
	// Mapping is the suggested target of each column (same order as Columns): a field
	// alias, "tags", or "" to skip the column.
	Mapping []string `json:"mapping"`
}

// Open opens path and returns a reader of its text as UTF-8 (BOM removed), given the
// file's encoding.
func decoded(r io.Reader, encoding string) (io.Reader, error) {
	switch encoding {
	case UTF8, "":
		return r, nil
	case UTF8BOM:
		br := bufio.NewReaderSize(r, 64<<10)
		head, err := br.Peek(3)
		if err == nil && bytes.Equal(head, bom) {
			_, _ = br.Discard(3)
		}
		return br, nil
	case Windows1252:
		return transform.NewReader(r, charmap.Windows1252.NewDecoder()), nil
	}
	return nil, apperr.Invalidf("imports.errors.encoding", map[string]any{"encoding": encoding},
		"unknown encoding %q (use utf-8 or windows-1252)", encoding)
}

// DetectEncoding guesses the encoding of a sample of the start of a file.
func DetectEncoding(sample []byte, complete bool) string {
	if bytes.HasPrefix(sample, bom) {
		return UTF8BOM
	}
	s := sample
	if !complete {
		// The sample may end inside a multi-byte rune: drop up to 3 trailing bytes.
		for i := 0; i < 3 && len(s) > 0 && !utf8.Valid(s); i++ {
			s = s[:len(s)-1]
		}
	}
	if utf8.Valid(s) {
		return UTF8
	}
	return Windows1252
}

// DetectDelimiter picks the delimiter among , ; and tab that splits the sample into the
// most columns, consistently across its first lines.
func DetectDelimiter(text []byte) string {
	best, bestScore := ",", -1
	for _, d := range []rune{',', ';', '\t'} {
		r := csv.NewReader(bytes.NewReader(text))
		r.Comma = d
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		counts := map[int]int{}
		first := 0
		n := 0
		for n < 50 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if n == 0 {
				first = len(rec)
			}
			counts[len(rec)]++
			n++
		}
		if n == 0 || first < 2 {
			continue
		}
		// Score: header width, times the share of rows agreeing with it.
		score := first * counts[first] * 100 / n
		if score > bestScore {
			best, bestScore = string(d), score
		}
	}
	return best
}

// Analyze reads the start of a CSV file and returns its delimiter, encoding, header, the
// first rows and a suggested mapping onto targets.
func Analyze(path string, targets []Target) (Analysis, error) {
	f, err := os.Open(path)
	if err != nil {
		return Analysis{}, fileError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Analysis{}, fileError(path, err)
	}
	if fi.IsDir() {
		return Analysis{}, apperr.Invalidf("imports.errors.isDir", map[string]any{"path": path}, "%s is a directory, not a CSV file", path)
	}
	sample := make([]byte, sampleSize)
	n, err := io.ReadFull(f, sample)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Analysis{}, fileError(path, err)
	}
	sample = sample[:n]
	complete := int64(n) == fi.Size()
	if n == 0 {
		return Analysis{}, apperr.Invalidf("imports.errors.empty", map[string]any{"path": path}, "%s is empty", path)
	}
	if bytes.IndexByte(sample, 0) >= 0 {
		return Analysis{}, apperr.Invalidf("imports.errors.binary", map[string]any{"path": path},
			"%s is not a text CSV file (it contains binary data)", filepath.Base(path))
	}
	a := Analysis{Path: path, FileName: filepath.Base(path), Size: fi.Size()}
	a.Encoding = DetectEncoding(sample, complete)
	rd, _ := decoded(bytes.NewReader(sample), a.Encoding)
	text, err := io.ReadAll(rd)
	if err != nil {
		return Analysis{}, fileError(path, err)
	}
	if !complete {
		// Cut at the last line break so the last sampled row is not a truncated one.
		if i := bytes.LastIndexByte(text, '\n'); i > 0 {
			text = text[:i+1]
		}
	}
	a.Delimiter = DetectDelimiter(text)
	r := newCSV(bytes.NewReader(text), a.Delimiter)
	header, err := r.Read()
	if err != nil {
		return Analysis{}, apperr.Invalidf("imports.errors.header", map[string]any{"path": path},
			"%s: cannot read the header row: %v", filepath.Base(path), err)
	}
	a.Columns = cleanHeader(header)
	for len(a.Preview) < previewRows {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue // shown as a rejected row at import time
			}
			break
		}
		a.Preview = append(a.Preview, append([]string(nil), rec...))
	}
	if a.Preview == nil {
		a.Preview = [][]string{}
	}
	a.Mapping = AutoMap(a.Columns, targets)
	return a, nil
}

func newCSV(r io.Reader, delim string) *csv.Reader {
	c := csv.NewReader(r)
	if delim != "" {
		c.Comma = []rune(delim)[0]
	}
	c.FieldsPerRecord = -1
	c.ReuseRecord = true
	return c
}

func cleanHeader(h []string) []string {
	out := make([]string, len(h))
	for i, c := range h {
		c = string(bytes.TrimPrefix([]byte(c), bom))
		out[i] = string(bytes.TrimSpace([]byte(c)))
		if out[i] == "" {
			out[i] = fmt.Sprintf("column %d", i+1)
		}
	}
	return out
}

func fileError(path string, err error) error {
	p := map[string]any{"path": path}
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &apperr.Error{Code: apperr.NotFound, Key: "imports.errors.noFile", Params: p, Err: err, Msg: fmt.Sprintf("no file %s", path)}
	case errors.Is(err, os.ErrPermission):
		return &apperr.Error{Code: apperr.Forbidden, Key: "imports.errors.fileDenied", Params: p, Err: err, Msg: fmt.Sprintf("cannot read %s: permission denied", path)}
	}
	return &apperr.Error{Code: apperr.Unavailable, Key: "imports.errors.fileRead", Params: p, Err: err, Msg: fmt.Sprintf("cannot read %s: %v", path, err)}
}
