// Command fakerqlite serves the in-process rqlite stand-in (backend/rqlite/rqlitetest) on a
// fixed address, for the sync demo and manual trials where no rqlited binary is available.
// It speaks /db/execute, /db/query, /db/request, /status and /nodes over one SQLite file.
// It is a test tool: never point real desktops at it for real work.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"magpie/backend/rqlite/rqlitetest"
)

type proc struct {
	dir      string
	n        int
	cleanups []func()
}

func (p *proc) Helper()                           {}
func (p *proc) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }
func (p *proc) Cleanup(f func())                  { p.cleanups = append(p.cleanups, f) }
func (p *proc) TempDir() string {
	p.n++
	d := filepath.Join(p.dir, fmt.Sprintf("t%d", p.n))
	if err := os.MkdirAll(d, 0o700); err != nil {
		log.Fatal(err)
	}
	return d
}

func main() {
	addr := flag.String("addr", "127.0.0.1:4001", "address to listen on")
	dir := flag.String("dir", "", "directory for the state (default: a new temp dir)")
	user := flag.String("user", "", "require this basic-auth user")
	pass := flag.String("password", "", "and this password")
	latency := flag.Duration("latency", 0, "delay every request by this much (a remote cluster's round trip)")
	clockOffset := flag.Duration("clock-offset", 0, "show a clock this far from ours in the responses' Date headers (a skewed cluster)")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "fakerqlite")
		if err != nil {
			log.Fatal(err)
		}
		*dir = d
	}
	p := &proc{dir: *dir}
	srv := rqlitetest.New(p, rqlitetest.Options{Addr: *addr, User: *user, Password: *pass})
	srv.SetLatency(*latency)
	if *clockOffset != 0 {
		off := *clockOffset
		srv.SetClock(func() time.Time { return time.Now().Add(off) })
	}
	fmt.Printf("fakerqlite listening on %s (state in %s)\n", srv.URL(), *dir)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	for i := len(p.cleanups) - 1; i >= 0; i-- {
		p.cleanups[i]()
	}
}
