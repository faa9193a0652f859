//go:build linux

package tracking

import (
	"runtime"
	"syscall"
)

// backgroundNice is the scheduling niceness of the tracker's in-process ingest: with the
// same cores serving the public, the kernel runs request handling (nice 0) first and the
// ingest with what is left, so a burst being turned into contacts does not add its CPU time
// to the answers' latency; on an idle machine the ingest runs at full speed all the same.
const backgroundNice = 10

// lowerPriority moves the calling goroutine to its own OS thread and lowers that thread's
// priority (Linux schedules threads individually: setpriority on the thread id). The thread
// ends with the goroutine (it stays locked), so no other goroutine inherits the priority.
// Best effort: when the kernel refuses, the goroutine runs at normal priority.
func lowerPriority() {
	runtime.LockOSThread()
	syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), backgroundNice)
}
