// Package memo remembers the results of a pure function of a string, up to a bound.
package memo

import (
	"strings"
	"sync"
)

// Cache maps keys to f's results; it is emptied whole when it reaches Max entries (the
// callers' key sets are small: user agents, names), and safe for concurrent use.
type Cache[V any] struct {
	Max int
	mu  sync.RWMutex
	m   map[string]V
}

// Get returns f(key), computed once while key stays in the cache. The key is copied
// before it is kept: it may be a view of a much larger string (a CSV line, a stored hit).
func (c *Cache[V]) Get(key string, f func(string) V) V {
	c.mu.RLock()
	v, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		return v
	}
	v = f(key)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.Max {
		c.m = make(map[string]V)
	}
	c.m[strings.Clone(key)] = v
	c.mu.Unlock()
	return v
}

// Has says whether key's result is cached.
func (c *Cache[V]) Has(key string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.m[key]
	return ok
}
