package teamsync

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"magpie/backend/db"
)

// Cell values travel as JSON text (change_log.cols, state.val). Integers are written as
// JSON integers and read back with UseNumber, so they stay exact at any size; blobs are
// {"$b": base64}; booleans become 0/1 as SQLite stores them.

func encodeValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, int64, float64:
		return x, nil
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return nil, fmt.Errorf("%d does not fit an SQLite integer", x)
		}
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return nil, fmt.Errorf("%d does not fit an SQLite integer", x)
		}
		return int64(x), nil
	case time.Time:
		// The text mattn/go-sqlite3 stores for a time.Time, so both sides hold the same value.
		return x.Format("2006-01-02 15:04:05.999999999-07:00"), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case float32:
		return float64(x), nil
	case []byte:
		return map[string]string{"$b": base64.StdEncoding.EncodeToString(x)}, nil
	}
	return nil, fmt.Errorf("unsupported value type %T", v)
}

// encodeCols writes cols as a JSON object with sorted keys — byte for byte what json.Marshal
// writes (TestEncodeColsMatchesJSON) — without reflection for the common plain strings and
// integers: it runs once per recorded row, millions of times in an import.
func encodeCols(cols map[string]any) (string, error) {
	keys := make([]string, 0, len(cols))
	for k := range cols {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return encodeSorted(cols, keys)
}

// encodeSorted is encodeCols for the sorted keys of cols (callers that need them too sort
// once).
func encodeSorted(cols map[string]any, keys []string) (string, error) {
	b := make([]byte, 0, 32*len(keys)+2)
	b = append(b, '{')
	for i, k := range keys {
		e, err := encodeValue(cols[k])
		if err != nil {
			return "", fmt.Errorf("column %s: %w", k, err)
		}
		if f, ok := e.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return "", fmt.Errorf("column %s: %v cannot be synced", k, f)
		}
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendJSON(b, k); err != nil {
			return "", err
		}
		b = append(b, ':')
		if b, err = appendJSON(b, e); err != nil {
			return "", fmt.Errorf("column %s: %w", k, err)
		}
	}
	b = append(b, '}')
	return string(b), nil
}

// appendJSON appends v as json.Marshal writes it.
func appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case string:
		if plainJSON(x) {
			b = append(b, '"')
			b = append(b, x...)
			return append(b, '"'), nil
		}
	}
	j, err := json.Marshal(v)
	return append(b, j...), err
}

// plainJSON says whether json.Marshal writes s as is between quotes: valid UTF-8 with no
// control character, quote, backslash, HTML-escaped character, DEL, U+2028 or U+2029.
func plainJSON(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
		ascii = ascii && c < 0x80
	}
	return ascii || (utf8.ValidString(s) && !strings.ContainsRune(s, '\u2028') && !strings.ContainsRune(s, '\u2029'))
}

func encodeOne(v any) (string, error) {
	e, err := encodeValue(v)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(e)
	return string(b), err
}

func decodeCols(s string) (db.Cols, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("cols are not a JSON object: %v", err)
	}
	if raw == nil {
		return nil, fmt.Errorf("cols are not a JSON object: %s", s)
	}
	out := make(db.Cols, len(raw))
	for k, v := range raw {
		x, err := fromJSON(v)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", k, err)
		}
		out[k] = x
	}
	return out, nil
}

func decodeOne(r []byte) (any, error) {
	// Fast paths for the common shapes (a plain string, an integer, null); anything else
	// goes through the JSON decoder.
	switch n := len(r); {
	case n == 4 && string(r) == "null":
		return nil, nil
	case n >= 2 && r[0] == '"' && r[n-1] == '"' && bytes.IndexByte(r[1:n-1], '\\') < 0 && bytes.IndexByte(r[1:n-1], '"') < 0:
		return string(r[1 : n-1]), nil
	case n > 0 && n < 19 && (r[0] == '-' || (r[0] >= '0' && r[0] <= '9')):
		if i, err := strconv.ParseInt(string(r), 10, 64); err == nil {
			return i, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(r))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return fromJSON(v)
}

// decodeOneString is decodeOne for a value inside a string: a plain string value is a
// substring of it (no copy).
func decodeOneString(r string) (any, error) {
	switch n := len(r); {
	case n == 4 && r == "null":
		return nil, nil
	case n >= 2 && r[0] == '"' && r[n-1] == '"' && strings.IndexByte(r[1:n-1], '\\') < 0 && strings.IndexByte(r[1:n-1], '"') < 0:
		return r[1 : n-1], nil
	case n > 0 && n < 19 && (r[0] == '-' || (r[0] >= '0' && r[0] <= '9')):
		if i, err := strconv.ParseInt(r, 10, 64); err == nil {
			return i, nil
		}
	}
	return decodeOne([]byte(r))
}

// fromJSON converts a value decoded with UseNumber into a cell value.
func fromJSON(v any) (any, error) {
	switch x := v.(type) {
	case nil, string:
		return x, nil
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i, nil
		}
		return strconv.ParseFloat(string(x), 64)
	case map[string]any:
		if b, ok := x["$b"].(string); ok && len(x) == 1 {
			return base64.StdEncoding.DecodeString(b)
		}
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return nil, fmt.Errorf("unsupported JSON value %v", v)
}

func sortedCols(c db.Cols) []string {
	out := make([]string, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
