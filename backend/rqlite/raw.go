package rqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Raw is one value of a query result left as its JSON token (a string with its quotes, a
// number, null, true/false, or a nested array for blob_array). Big pages (a bootstrap reads
// hundreds of thousands of values a second) decode in one pass over the body this way: no
// interface boxing, no json.Number, no float64 anywhere, so integers stay exact.
type Raw []byte

// IsNull says whether the value is JSON null.
func (r Raw) IsNull() bool { return string(r) == "null" }

// Str returns a JSON string value unescaped; it fails on anything else.
func (r Raw) Str() (string, error) {
	s, ok := unquote(r)
	if !ok {
		return "", fmt.Errorf("rqlite: value %.40s is not a JSON string", string(r))
	}
	return s, nil
}

// Int returns an integer value exactly: a JSON integer of any size that fits int64, or a
// string holding one. Fractions, exponents and out-of-range numbers fail instead of being
// rounded (gorqlite's float64 decoding silently changes integers above 2^53).
func (r Raw) Int() (int64, error) {
	b := []byte(r)
	if len(b) > 0 && b[0] == '"' {
		s, err := r.Str()
		if err != nil {
			return 0, err
		}
		b = []byte(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("rqlite: value %.40s is not an exact 64-bit integer", string(r))
	}
	return n, nil
}

// RawResult is one statement's result with raw values.
type RawResult struct {
	Columns []string
	Values  [][]Raw
	Error   string
}

// bodyBuf, when a context carries one (QueryRawFunc), receives the response body instead of
// a fresh allocation: a bootstrap reads thousands of multi-megabyte pages, and growing a new
// buffer for each one (zeroed, faulted in, returned to the OS) was a visible share of it.
type bodyBufKey struct{}

func readBody(ctx context.Context, resp *http.Response) ([]byte, error) {
	buf, _ := ctx.Value(bodyBufKey{}).(*bytes.Buffer)
	if buf == nil {
		return io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	}
	buf.Reset()
	if resp.ContentLength > 0 {
		buf.Grow(int(min(resp.ContentLength, 1<<30)))
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, 1<<30))
	return buf.Bytes(), err
}

var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// QueryRawFunc is QueryRaw whose results are only valid inside fn: the response is read
// into a pooled buffer that the next call reuses (copy what must outlive fn — Str and Int
// already do).
func (c *Client) QueryRawFunc(ctx context.Context, level Level, fn func([]RawResult) error, stmts ...Statement) error {
	buf := bodyBufs.Get().(*bytes.Buffer)
	defer bodyBufs.Put(buf)
	res, err := c.QueryRaw(context.WithValue(ctx, bodyBufKey{}, buf), level, stmts...)
	if err != nil {
		return err
	}
	return fn(res)
}

// QueryRaw is Query with values left raw (see Raw), for large pages. The same outcome rules
// apply: a top-level error, a statement error or a result count that differs from the
// statement count is an error.
func (c *Client) QueryRaw(ctx context.Context, level Level, stmts ...Statement) ([]RawResult, error) {
	if len(stmts) == 0 {
		return nil, nil
	}
	q := url.Values{}
	if level != "" {
		q.Set("level", string(level))
	}
	body, err := encodeStatements(stmts)
	if err != nil {
		return nil, err
	}
	raw, err := c.post(ctx, "/db/query", q, body)
	if err != nil {
		return nil, err
	}
	res, top, err := decodeRaw(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: unreadable response from /db/query: %v", ErrIndeterminate, err)
	}
	if top != "" && !c.cfg.Unguarded {
		return nil, fmt.Errorf("rqlite: /db/query failed: %s", top)
	}
	for i, r := range res {
		if r.Error != "" && i < len(stmts) {
			return res, &StatementError{Index: i, SQL: stmts[i].SQL, Msg: r.Error}
		}
	}
	if len(res) != len(stmts) && !c.cfg.Unguarded {
		return nil, fmt.Errorf("rqlite: /db/query returned %d results for %d statements", len(res), len(stmts))
	}
	return res, nil
}

// decodeRaw scans a /db/query answer: {"results":[{"columns":[…],"values":[[…],…]},…],
// "error":…}. Other keys (types, time) are skipped.
func decodeRaw(b []byte) ([]RawResult, string, error) {
	p := &scan{b: b}
	var out []RawResult
	var top string
	err := p.object(func(key string) error {
		switch key {
		case "results":
			return p.array(func() error {
				var r RawResult
				err := p.object(func(k string) error {
					switch k {
					case "columns":
						return p.array(func() error {
							s, err := p.str()
							r.Columns = append(r.Columns, s)
							return err
						})
					case "values":
						return p.rows(&r)
					case "error":
						s, err := p.str()
						r.Error = s
						return err
					}
					_, err := p.value()
					return err
				})
				out = append(out, r)
				return err
			})
		case "error":
			s, err := p.str()
			top = s
			return err
		}
		_, err := p.value()
		return err
	})
	if err != nil {
		return nil, "", err
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, "", errors.New("trailing data after the JSON answer")
	}
	return out, top, nil
}

type scan struct {
	b []byte
	i int
}

func (p *scan) ws() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\t' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *scan) fail(want string) error {
	return fmt.Errorf("want %s at byte %d", want, p.i)
}

// object calls field for each key; field must consume the value.
func (p *scan) object(field func(key string) error) error {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return p.fail("{")
	}
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return nil
	}
	for {
		k, err := p.str()
		if err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.fail(":")
		}
		p.i++
		if err := field(k); err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.b) {
			return p.fail("} or ,")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return p.fail("} or ,")
		}
	}
}

// array calls elem for each element; elem must consume it.
func (p *scan) array(elem func() error) error {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return p.fail("[")
	}
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.b) {
			return p.fail("] or ,")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return p.fail("] or ,")
		}
	}
}

// rows reads the values array: every row's tokens are carved from one backing slice.
func (p *scan) rows(r *RawResult) error {
	var flat []Raw
	var ends []int
	err := p.array(func() error {
		err := p.array(func() error {
			v, err := p.value()
			flat = append(flat, v)
			return err
		})
		ends = append(ends, len(flat))
		return err
	})
	if err != nil {
		return err
	}
	r.Values = make([][]Raw, len(ends))
	start := 0
	for i, e := range ends {
		r.Values[i] = flat[start:e:e]
		start = e
	}
	return nil
}

// str reads a JSON string and returns it unescaped.
func (p *scan) str() (string, error) {
	v, err := p.value()
	if err != nil {
		return "", err
	}
	s, ok := unquote(v)
	if !ok {
		return "", fmt.Errorf("want a string before byte %d", p.i)
	}
	return s, nil
}

// value returns the raw token of the next value (nested arrays and objects whole).
func (p *scan) value() (Raw, error) {
	p.ws()
	if p.i >= len(p.b) {
		return nil, p.fail("a value")
	}
	start := p.i
	switch c := p.b[p.i]; {
	case c == '"':
		p.i++
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case '\\':
				p.i += 2
				continue
			case '"':
				p.i++
				return Raw(p.b[start:p.i]), nil
			}
			p.i++
		}
		return nil, p.fail("the end of a string")
	case c == '[' || c == '{':
		depth := 0
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case '"':
				if _, err := p.value(); err != nil {
					return nil, err
				}
				continue
			case '[', '{':
				depth++
			case ']', '}':
				depth--
				if depth == 0 {
					p.i++
					return Raw(p.b[start:p.i]), nil
				}
			}
			p.i++
		}
		return nil, p.fail("the end of an array")
	default:
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case ',', ']', '}', ' ', '\n', '\t', '\r':
				if p.i == start {
					return nil, p.fail("a value")
				}
				return Raw(p.b[start:p.i]), nil
			}
			p.i++
		}
		return Raw(p.b[start:p.i]), nil
	}
}

// unquote decodes a JSON string token: plain ones (no escapes) in one copy, the usual
// escapes by hand, anything odd (bad UTF-8, a lone surrogate) through encoding/json.
func unquote(b []byte) (string, bool) {
	n := len(b)
	if n < 2 || b[0] != '"' || b[n-1] != '"' {
		return "", false
	}
	in := b[1 : n-1]
	esc := -1
	for i, c := range in {
		if c == '\\' || c < 0x20 || c == '"' {
			esc = i
			break
		}
	}
	if esc < 0 && utf8.Valid(in) {
		return string(in), true
	}
	if s, ok := unescape(in, esc); ok {
		return s, true
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", false
	}
	return s, true
}

// unescape decodes the body of a JSON string whose first escape is at esc; ok is false for
// anything it does not handle exactly as encoding/json would.
func unescape(in []byte, esc int) (string, bool) {
	if esc < 0 {
		return "", false
	}
	out := make([]byte, 0, len(in))
	out = append(out, in[:esc]...)
	for i := esc; i < len(in); i++ {
		c := in[i]
		if c < 0x20 || c == '"' {
			return "", false
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(in) {
			return "", false
		}
		i++
		switch in[i] {
		case '"', '\\', '/':
			out = append(out, in[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(in, i+1)
			if !ok {
				return "", false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// a high surrogate followed by \u and a low one; lone ones go to encoding/json
				if r >= 0xdc00 || i+6 >= len(in) || in[i+1] != '\\' || in[i+2] != 'u' {
					return "", false
				}
				r2, ok := hex4(in, i+3)
				if !ok {
					return "", false
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return "", false
				}
				i += 6
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	if !utf8.Valid(out) {
		return "", false
	}
	return string(out), true
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
