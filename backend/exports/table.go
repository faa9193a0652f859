package exports

import (
	"fmt"
	"os"

	"magpie/backend/apperr"
)

// WriteTable writes any table (a header and rows) as CSV or XLSX to path, through a .part
// file renamed at the end (a crash never leaves a truncated file under the final name).
// rows calls emit once per row. Other features (form results) use it.
func WriteTable(path, format string, header []string, rows func(emit func([]any) error) error) (Result, error) {
	tmp := path + ".part"
	var out sink
	var err error
	if format == XLSX {
		out, err = newXLSX(tmp)
	} else {
		format = CSV
		out, err = newCSV(tmp)
	}
	if err != nil {
		return Result{}, apperr.New(apperr.Unavailable, "exports.errors.write", fmt.Sprintf("cannot write %s: %v", path, err), map[string]any{"path": path})
	}
	ok := false
	defer func() {
		if !ok {
			out.abort()
			os.Remove(tmp)
		}
	}()
	if err := out.header(header); err != nil {
		return Result{}, err
	}
	var n int64
	if err := rows(func(v []any) error { n++; return out.row(v) }); err != nil {
		return Result{}, err
	}
	if err := out.close(); err != nil {
		return Result{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return Result{}, err
	}
	ok = true
	fi, _ := os.Stat(path)
	res := Result{Path: path, Format: format, Rows: n}
	if fi != nil {
		res.Bytes = fi.Size()
	}
	return res, nil
}
