package events

import (
	"encoding/json"
	"strconv"
	"strings"
)

// marshalData is json.Marshal(data) as a string. A tracker hit's data is a few plain
// string values ({"ip":"203.0.113.0"}), a points change's a few integers
// ({"delta":5,"points":12}): those are written directly, keys sorted as encoding/json sorts
// them, without reflection (≈ 0.5 s of the writer per 1M hits, ≈ 0.6 µs per point change);
// anything else — other value types, more keys, a byte JSON would escape — goes through
// encoding/json. TestMarshalData checks both give the same bytes.
func marshalData(data map[string]any) (string, error) {
	if s, ok := plainData(data); ok {
		return s, nil
	}
	js, err := json.Marshal(data)
	return string(js), err
}

func plainData(data map[string]any) (string, bool) {
	const maxKeys = 8
	if len(data) > maxKeys {
		return "", false
	}
	var keys [maxKeys]string
	n, size := 0, 2
	for k, v := range data {
		if !plainJSON(k) {
			return "", false
		}
		switch x := v.(type) {
		case string:
			if !plainJSON(x) {
				return "", false
			}
			size += len(x) + 2
		case int, int64:
			size += 20
		default:
			return "", false
		}
		// Insertion sort: a handful of keys.
		i := n
		for ; i > 0 && keys[i-1] > k; i-- {
			keys[i] = keys[i-1]
		}
		keys[i] = k
		n++
		size += len(k) + 4
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteByte('{')
	var num [20]byte
	for i, k := range keys[:n] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(k)
		b.WriteString(`":`)
		switch x := data[k].(type) {
		case string:
			b.WriteByte('"')
			b.WriteString(x)
			b.WriteByte('"')
		case int:
			b.Write(strconv.AppendInt(num[:0], int64(x), 10))
		case int64:
			b.Write(strconv.AppendInt(num[:0], x, 10))
		}
	}
	b.WriteByte('}')
	return b.String(), true
}

// plainJSON reports whether encoding/json writes s as itself between quotes: printable
// ASCII other than the quote, the backslash and the HTML characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
