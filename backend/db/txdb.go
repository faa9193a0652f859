package db

// DB returns the store the transaction writes to (hooks that keep per-store caches, such as
// points rules, key them by it).
func (t *Tx) DB() *DB { return t.d }
