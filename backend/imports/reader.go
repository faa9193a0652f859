package imports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// parsed is one batch read from the file: its rows, its rejected lines and the byte offset
// just after it (the cursor committed with it).
type parsed struct {
	rows    []row
	rejects []Rejection
	offset  int64
	done    bool   // the file ends with this batch
	err     error  // reading the file failed
	ready   *ready // prepared by the reader (a side file that began empty), or nil
}

// reader cuts the CSV into batches of parsed rows.
type reader struct {
	cr                    *csv.Reader
	p                     plan
	baseLine, startOffset int64
	batch                 int
	rawW                  bytes.Buffer
	enc                   *csv.Writer
}

func (rd *reader) next() parsed {
	if rd.enc == nil {
		rd.enc = csv.NewWriter(&rd.rawW)
	}
	var b parsed
	for len(b.rows)+len(b.rejects) < rd.batch {
		cells, rerr := rd.cr.Read()
		if errors.Is(rerr, io.EOF) {
			b.done = true
			break
		}
		if rerr != nil {
			var pe *csv.ParseError
			if errors.As(rerr, &pe) {
				b.rejects = append(b.rejects, Rejection{Line: rd.baseLine + int64(pe.StartLine), Reason: "malformed CSV: " + pe.Err.Error()})
				continue
			}
			b.err = rerr
			return b
		}
		line, _ := rd.cr.FieldPos(0)
		abs := rd.baseLine + int64(line)
		if len(cells) == 1 && strings.TrimSpace(cells[0]) == "" {
			continue // blank line
		}
		r, perr := rd.p.parse(cells, abs)
		if perr != nil {
			rd.rawW.Reset()
			_ = rd.enc.Write(cells)
			rd.enc.Flush()
			rej := Rejection{Line: abs, Reason: perr.Error(), Raw: rd.rawW.String()}
			var re *rowError
			if errors.As(perr, &re) {
				rej.Problems = re.problems
			}
			b.rejects = append(b.rejects, rej)
			continue
		}
		b.rows = append(b.rows, r)
	}
	b.offset = rd.startOffset + rd.cr.InputOffset()
	return b
}

type lineCounter struct{ n int64 }

func (l *lineCounter) Write(b []byte) (int, error) {
	l.n += int64(bytes.Count(b, []byte{'\n'}))
	return len(b), nil
}
