//go:build !unix

package tracking

// lockDir is a no-op where flock is not available; run one tracker per spool dir.
func lockDir(dir string) (func(), error) { return func() {}, nil }
