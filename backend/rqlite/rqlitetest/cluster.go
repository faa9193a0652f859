package rqlitetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Cluster is what the cross-implementation suites need: addresses and a leader kill.
type Cluster interface {
	URLs() []string
	// KillLeader kills the current leader (SIGKILL for a real cluster) and brings it back
	// as a follower shortly after.
	KillLeader(t testing.TB)
	// Real says whether this is a real rqlited cluster.
	Real() bool
}

// StartCluster starts n nodes: real rqlited processes on loopback when $RQLITED names the
// binary, otherwise the in-process stand-in.
func StartCluster(t testing.TB, n int) Cluster {
	t.Helper()
	if bin := os.Getenv("RQLITED"); bin != "" {
		return startReal(t, bin, n)
	}
	return &fakeCluster{New(t, Options{Nodes: n})}
}

type fakeCluster struct{ *Server }

func (f *fakeCluster) KillLeader(t testing.TB) {
	f.Server.KillLeader(3)
	go func() {
		time.Sleep(200 * time.Millisecond)
		f.Server.Revive()
	}()
}

func (f *fakeCluster) Real() bool { return false }

type realCluster struct {
	t     testing.TB
	bin   string
	mu    sync.Mutex
	procs []*exec.Cmd
	args  [][]string
	http  []string
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("rqlitetest: no free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startReal(t testing.TB, bin string, n int) *realCluster {
	c := &realCluster{t: t, bin: bin}
	var raft []string
	var httpAddrs []string
	for i := 0; i < n; i++ {
		httpAddrs = append(httpAddrs, "127.0.0.1:"+strconv.Itoa(freePort(t)))
		raft = append(raft, "127.0.0.1:"+strconv.Itoa(freePort(t)))
	}
	base := t.TempDir()
	for i := 0; i < n; i++ {
		args := []string{"-node-id", "n" + strconv.Itoa(i), "-http-addr", httpAddrs[i], "-raft-addr", raft[i],
			"-bootstrap-expect", strconv.Itoa(n), "-join", strings.Join(raft, ","), filepath.Join(base, "n"+strconv.Itoa(i))}
		c.args = append(c.args, args)
		c.http = append(c.http, "http://"+httpAddrs[i])
		c.procs = append(c.procs, nil)
		c.start(i)
	}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, p := range c.procs {
			if p != nil && p.Process != nil {
				p.Process.Kill()
				p.Wait()
			}
		}
	})
	c.waitLeader(30 * time.Second)
	return c
}

func (c *realCluster) start(i int) {
	cmd := exec.Command(c.bin, c.args[i]...)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("rqlitetest: start %s: %v", c.bin, err)
	}
	c.mu.Lock()
	c.procs[i] = cmd
	c.mu.Unlock()
}

func (c *realCluster) URLs() []string { return append([]string(nil), c.http...) }
func (c *realCluster) Real() bool     { return true }

// leader returns the index of the node that says it is leader, or -1.
func (c *realCluster) leader() int {
	for i, u := range c.http {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u+"/status", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			continue
		}
		var s struct {
			Store struct {
				Raft struct {
					State string `json:"state"`
				} `json:"raft"`
			} `json:"store"`
		}
		json.NewDecoder(resp.Body).Decode(&s)
		resp.Body.Close()
		cancel()
		if s.Store.Raft.State == "Leader" {
			return i
		}
	}
	return -1
}

func (c *realCluster) waitLeader(d time.Duration) int {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if i := c.leader(); i >= 0 {
			return i
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("rqlitetest: no leader elected within %s", d)
	return -1
}

func (c *realCluster) KillLeader(t testing.TB) {
	i := c.waitLeader(30 * time.Second)
	c.mu.Lock()
	p := c.procs[i]
	c.mu.Unlock()
	p.Process.Signal(syscall.SIGKILL)
	p.Wait()
	go func() {
		time.Sleep(time.Second)
		c.start(i)
	}()
	fmt.Fprintf(os.Stderr, "rqlitetest: killed leader n%d\n", i)
}
