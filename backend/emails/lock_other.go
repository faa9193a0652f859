//go:build !unix

package emails

import (
	"os"
	"time"
)

// tryLock without flock: a journal untouched for ten minutes is considered abandoned.
func tryLock(f *os.File) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	return fi.Size() == 0 || time.Since(fi.ModTime()) > 10*time.Minute, nil
}
