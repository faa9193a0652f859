//go:build unix

package db

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// SQLite's lock bytes (os_unix.c): on the database file the pending, reserved and shared
// range; on the -shm file the "DMS" byte every connection in WAL mode holds a read lock on
// for as long as it has the wal-index mapped.
const (
	pendingByte = 0x40000000
	lockRange   = 2 + 510 // pending, reserved, shared range
	shmDMS      = 128
)

// InUseElsewhere reports whether another process has the store at path open (it holds a
// lock on the file or on its wal-index). Locks of this process are not seen (POSIX locks
// never conflict within a process).
func InUseElsewhere(path string) (bool, error) {
	for _, c := range []struct {
		file       string
		start, len int64
	}{{path, pendingByte, lockRange}, {path + "-shm", shmDMS, 1}} {
		f, err := os.OpenFile(c.file, os.O_RDWR, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return false, err
		}
		lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart, Start: c.start, Len: c.len}
		err = syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk)
		f.Close()
		if err != nil {
			return false, err
		}
		if lk.Type != syscall.F_UNLCK {
			return true, nil
		}
	}
	return false, nil
}

// InstallFile puts the complete, closed store file from (a scratch store, CloseScratch) in
// place of the store at path, atomically: a crash before the rename leaves the old store,
// after it the new one. Every connection of this process to path must be closed. It holds
// write locks on the store's lock bytes and wal-index while it swaps, so a process opening
// the store meanwhile waits (busy) and one that has it open makes it fail with ErrInUse
// (nothing changed; the caller removes from).
func InstallFile(path, from string) error {
	db, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer db.Close()
	shm, err := os.OpenFile(path+"-shm", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer shm.Close()
	for _, l := range []struct {
		f          *os.File
		start, len int64
	}{{db, pendingByte, lockRange}, {shm, shmDMS, 1}} {
		lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart, Start: l.start, Len: l.len}
		if err := syscall.FcntlFlock(l.f.Fd(), syscall.F_SETLK, &lk); err != nil {
			if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
				return ErrInUse
			}
			return fmt.Errorf("db: lock %s: %w", l.f.Name(), err)
		}
	}
	// Nobody has the store open: its WAL, if any, is the old store's (the last connection
	// normally checkpoints and deletes it), and must not be replayed into the new file.
	if err := os.Remove(path + "-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := shm.Truncate(0); err != nil {
		return err
	}
	if err := os.Rename(from, path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}
