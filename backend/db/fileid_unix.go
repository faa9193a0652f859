//go:build unix

package db

import (
	"fmt"
	"os"
	"syscall"
)

// fileIdentity is the file's "device:inode", the form team sync stores under
// "sync.site_file" to notice a copied or restored store (backend/teamsync/fileid_unix.go).
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
