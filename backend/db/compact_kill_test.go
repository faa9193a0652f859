//go:build unix

package db

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The process is killed (SIGKILL) at each stage of a compact: the store opens afterwards
// with every row, at the old page size before the rename and the new one after it.
func TestCompactKilled(t *testing.T) {
	if stage := os.Getenv("MAGPIE_COMPACT_KILL_AT"); stage != "" {
		progressEvery = 100 * time.Microsecond
		compactHook = func(s string) {
			if s == stage {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
		Compact(context.Background(), os.Getenv("MAGPIE_COMPACT_PATH"), CompactOptions{PageSize: 16384})
		os.Exit(3) // not reached when killed
	}
	for _, tc := range []struct {
		stage        string
		wantPageSize int
	}{
		{"copying", 4096}, {"copied", 4096}, {"verified", 4096}, {"synced", 4096}, {"renamed", 16384},
	} {
		t.Run(tc.stage, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			fillStore(t, path, 4096)
			before := digest(t, path)
			cmd := exec.Command(os.Args[0], "-test.run", "^TestCompactKilled$")
			cmd.Env = append(os.Environ(), "MAGPIE_COMPACT_KILL_AT="+tc.stage, "MAGPIE_COMPACT_PATH="+path)
			err := cmd.Run()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child: %v, want killed", err)
			}
			if got := pageSizeOf(t, path); got != tc.wantPageSize {
				t.Fatalf("page size %d, want %d", got, tc.wantPageSize)
			}
			if after := digest(t, path); after != before {
				t.Fatalf("rows changed: %s, want %s", after, before)
			}
			// The next compact clears a partial copy and works.
			if _, err := Compact(context.Background(), path, CompactOptions{}); err != nil {
				t.Fatal(err)
			}
			if after := digest(t, path); after != before {
				t.Fatalf("rows changed after a second compact: %s, want %s", after, before)
			}
		})
	}
}
