//go:build !linux

package tracking

import "os"

// syncData is fsync where fdatasync is not available (a variable: a test counts the group
// commits).
var syncData = func(f *os.File) error { return f.Sync() }
