//go:build unix

package teamsync

import (
	"fmt"
	"os"
	"syscall"
)

// fileIdentity names the database file on disk (device and inode): a copy of the file, or
// a restore from a backup, gets a different identity, which tells us to take a new site id.
func fileIdentity(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
