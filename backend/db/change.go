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
