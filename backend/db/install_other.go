//go:build !unix

package db

import "errors"

var errNoInstall = errors.New("db: replacing the store file is not supported on this system")

// InUseElsewhere cannot tell here: it says the store is in use, so callers keep to the
// ordinary write path.
func InUseElsewhere(string) (bool, error) { return true, nil }

// InstallFile is not supported here.
func InstallFile(string, string) error { return errNoInstall }
