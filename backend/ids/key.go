package ids

// Key is a UUID in canonical text form (lowercase hex, 8-4-4-4-12) held in 16 bytes,
// without a pointer: code that keeps hundreds of thousands of ids in memory (a tracking
// catch-up's carried aggregates, its devices' and contacts' last hits) gives the Go
// collector nothing to follow in them (strings took the 1M-hit ingest bench from 184 to
// 627 collections; docs/BENCHMARKS.md § Desktop ingest, branch ev2). Byte order is the
// text's order.
type Key [16]byte

// KeyOf returns the key of s when s is a UUID in canonical lowercase form; anything else
// (ok false) has no key, since its text could not be given back exactly.
func KeyOf(s string) (k Key, ok bool) {
	if len(s) != 36 {
		return k, false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return k, false
			}
			i--
			continue
		}
		hi, ok1 := hexVal(s[i])
		lo, ok2 := hexVal(s[i+1])
		if !ok1 || !ok2 {
			return k, false
		}
		k[j] = hi<<4 | lo
		j++
	}
	return k, true
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// String is the id's text again.
func (k Key) String() string {
	const hexd = "0123456789abcdef"
	var b [36]byte
	j := 0
	for i, c := range k {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hexd[c>>4], hexd[c&15]
		j += 2
	}
	return string(b[:])
}

// Map maps ids to values, holding canonical UUIDs as Keys (no pointer per entry when V
// has none) and any other id as a string. The zero Map is empty and ready to use.
type Map[V any] struct {
	keys  map[Key]V
	other map[string]V // ids that are not canonical UUIDs (tests, imported rows)
}

// Get returns the value of id.
func (m *Map[V]) Get(id string) (V, bool) {
	if k, ok := KeyOf(id); ok {
		v, ok := m.keys[k]
		return v, ok
	}
	v, ok := m.other[id]
	return v, ok
}

// Set sets the value of id.
func (m *Map[V]) Set(id string, v V) {
	if k, ok := KeyOf(id); ok {
		if m.keys == nil {
			m.keys = map[Key]V{}
		}
		m.keys[k] = v
		return
	}
	if m.other == nil {
		m.other = map[string]V{}
	}
	m.other[id] = v
}

// Delete removes id.
func (m *Map[V]) Delete(id string) {
	if k, ok := KeyOf(id); ok {
		delete(m.keys, k)
		return
	}
	delete(m.other, id)
}

// Len is the number of ids.
func (m *Map[V]) Len() int { return len(m.keys) + len(m.other) }

// All calls f for every id, in no order.
func (m *Map[V]) All(f func(id string, v V)) {
	for k, v := range m.keys {
		f(k.String(), v)
	}
	for id, v := range m.other {
		f(id, v)
	}
}

// Clear removes every id.
func (m *Map[V]) Clear() {
	clear(m.keys)
	clear(m.other)
}
