package db

// Col returns the value the change wrote to column k, and whether it wrote k, whichever
// form the change has: Cols, or Keys with Values (the bulk writes' lean form).
func (c *Change) Col(k string) (any, bool) {
	if c.Cols != nil {
		v, ok := c.Cols[k]
		return v, ok
	}
	for i, n := range c.Keys {
		if n == k && i < len(c.Values) {
			return c.Values[i], true
		}
	}
	return nil, false
}

// Columns returns the columns the change wrote as a map: Cols itself, or a new map built
// from Keys and Values. Callers must not modify it.
func (c *Change) Columns() Cols {
	if c.Cols != nil || len(c.Values) != len(c.Keys) {
		return c.Cols
	}
	m := make(Cols, len(c.Keys))
	for i, k := range c.Keys {
		m[k] = c.Values[i]
	}
	return m
}

// changeList is a transaction's announced changes, in order. A slice a bulk write hands
// over (InsertMany, UpdateWhereChanges: thousands of changes) is kept as it is, not copied
// onto one transaction-long slice that append regrows by 1.25× (a 5,000-contact campaign
// batch copied its multi-MB list again and again: 149 MB per 200k contacts); all lays the
// parts end to end once, at commit.
type changeList struct {
	parts [][]Change // handed-over slices and closed runs of single changes, in order
	tail  []Change   // single changes since the last handed-over slice
	n     int
	// bulk, when not nil (Tx.Bulk), replaces the list: it only names the tables changed.
	bulk map[string]bool
}

// add appends one change.
func (l *changeList) add(ch Change) {
	if l.bulk != nil {
		l.bulk[ch.Table] = true
		return
	}
	l.tail = append(l.tail, ch)
	l.n++
}

// addMany appends chs without copying them: the caller hands the slice over and never
// writes it again.
func (l *changeList) addMany(chs []Change) {
	if len(chs) == 0 {
		return
	}
	if l.bulk != nil {
		for _, ch := range chs {
			l.bulk[ch.Table] = true
		}
		return
	}
	if len(l.tail) > 0 {
		l.parts = append(l.parts, l.tail)
		l.tail = nil
	}
	l.parts = append(l.parts, chs)
	l.n += len(chs)
}

// all returns every change in order (one slice of the exact size when there are parts).
func (l *changeList) all() []Change {
	switch {
	case len(l.parts) == 0:
		return l.tail
	case len(l.parts) == 1 && len(l.tail) == 0:
		return l.parts[0]
	}
	out := make([]Change, 0, l.n)
	for _, p := range l.parts {
		out = append(out, p...)
	}
	return append(out, l.tail...)
}
