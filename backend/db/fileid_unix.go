//go:build unix

package db

import (
	"fmt"
	"os"
	"syscall"
)

// FileIdentity names the file on disk by its "device:inode": a copy of the file, or a restore
// from a backup, gets another identity. Team sync stores it under "sync.site_file" to notice
// a copied or restored store and take a new site id.
func FileIdentity(path string) string {
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
