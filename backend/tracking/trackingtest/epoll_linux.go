//go:build linux

package trackingtest

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"net"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// econn is one keep-alive connection of the epoll engine.
type econn struct {
	fd   int
	rnd  *rand.Rand
	body []byte
	req  []byte
	buf  []byte // answer bytes not parsed yet
	t0   time.Time
	busy bool // a request is waiting for its answer
}

var errShort = errors.New("trackingtest: answer incomplete")

// runEpoll drives every connection from this one locked OS thread: a request is one write,
// its answer one read (more only when it arrives in pieces), and a single epoll_wait reports
// every connection whose answer came in.
func runEpoll(ctx context.Context, host string, o Options, build func(rnd *rand.Rand, body, req []byte) ([]byte, []byte)) (Result, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	addr, err := net.ResolveTCPAddr("tcp", host)
	if err != nil {
		return Result{}, err
	}
	var sa syscall.Sockaddr
	family := syscall.AF_INET
	if ip4 := addr.IP.To4(); ip4 != nil {
		a := &syscall.SockaddrInet4{Port: addr.Port}
		copy(a.Addr[:], ip4)
		sa = a
	} else {
		a := &syscall.SockaddrInet6{Port: addr.Port}
		copy(a.Addr[:], addr.IP.To16())
		sa, family = a, syscall.AF_INET6
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return Result{}, err
	}
	defer syscall.Close(ep)

	var res Result
	lats := make([]time.Duration, 0, 1<<16)
	fail := func(msg string) {
		res.Errors++
		if res.FirstErr == "" {
			res.FirstErr = msg
		}
	}
	byFD := map[int]*econn{}
	conns := make([]*econn, o.Concurrency)
	sent, inflight := 0, 0
	dial := func(c *econn) error {
		fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		if err := syscall.Connect(fd, sa); err != nil {
			syscall.Close(fd)
			return err
		}
		syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		if err := syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(fd)
			return err
		}
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
		if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			syscall.Close(fd)
			return err
		}
		c.fd, c.buf = fd, c.buf[:0]
		byFD[fd] = c
		return nil
	}
	drop := func(c *econn) {
		if c.fd >= 0 {
			syscall.EpollCtl(ep, syscall.EPOLL_CTL_DEL, c.fd, nil)
			syscall.Close(c.fd)
			delete(byFD, c.fd)
			c.fd = -1
		}
		if c.busy {
			c.busy = false
			inflight--
		}
	}
	// send issues the connection's next request (dialling first when needed), its latency
	// counted from t0; false when it could not be sent.
	send := func(c *econn, t0 time.Time) bool {
		if ctx.Err() != nil || (o.Max > 0 && sent >= o.Max) {
			return false
		}
		if c.fd < 0 {
			if err := dial(c); err != nil {
				fail(err.Error())
				return false
			}
		}
		c.body, c.req = build(c.rnd, c.body, c.req[:0])
		c.t0 = t0
		if err := writeAll(c.fd, c.req); err != nil {
			fail(err.Error())
			drop(c)
			return false
		}
		c.busy = true
		sent++
		inflight++
		return true
	}
	// next: closed loop, the connection sends again at once; open loop (o.Rate), it waits
	// in idle for the next due request.
	var idle []*econn
	next := func(c *econn) {
		if o.Rate > 0 {
			idle = append(idle, c)
			return
		}
		send(c, time.Now())
	}
	cpu0 := CPUTime()
	start := time.Now()
	for i := range conns {
		conns[i] = &econn{fd: -1, rnd: rand.New(rand.NewSource(int64(i)))}
		next(conns[i])
	}
	wait := 10 // ms
	if o.Rate > 0 {
		wait = 1
	}
	events := make([]syscall.EpollEvent, 256)
	rbuf := make([]byte, 64<<10)
	var stopAt time.Time
	for {
		if ctx.Err() != nil || (o.Max > 0 && sent >= o.Max) {
			if inflight == 0 {
				break
			}
			if stopAt.IsZero() {
				stopAt = time.Now()
			} else if time.Since(stopAt) > 10*time.Second { // answers that never came
				for _, c := range conns {
					if c.busy {
						lats = append(lats, time.Since(c.t0))
						fail("no answer within 10 s")
					}
				}
				break
			}
		}
		if o.Rate > 0 && ctx.Err() == nil {
			due := int(time.Since(start).Seconds()*o.Rate) + 1 // requests due so far
			for sent < due && len(idle) > 0 {
				c := idle[len(idle)-1]
				if !send(c, start.Add(time.Duration(float64(sent)/o.Rate*float64(time.Second)))) {
					break // the bound is reached, or the connection failed: it stays idle
				}
				idle = idle[:len(idle)-1]
			}
		}
		n, err := syscall.EpollWait(ep, events, wait)
		if err != nil && !errors.Is(err, syscall.EINTR) {
			return res, err
		}
		for i := 0; i < n; i++ {
			c := byFD[int(events[i].Fd)]
			if c == nil {
				continue
			}
			m, err := syscall.Read(c.fd, rbuf)
			if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
				continue
			}
			if m <= 0 {
				if c.busy {
					lats = append(lats, time.Since(c.t0))
					if err == nil {
						err = errors.New("connection closed by the server")
					}
					fail(err.Error())
				}
				drop(c)
				next(c)
				continue
			}
			c.buf = append(c.buf, rbuf[:m]...)
			for c.busy {
				status, used, closing, perr := parseAnswer(c.buf)
				if perr == errShort {
					break
				}
				lats = append(lats, time.Since(c.t0))
				c.busy = false
				inflight--
				switch {
				case perr != nil:
					fail(perr.Error())
					closing = true
				case status != o.Status:
					fail("HTTP " + strconv.Itoa(status))
				default:
					res.OK++
				}
				c.buf = c.buf[:copy(c.buf, c.buf[used:])]
				if closing {
					drop(c)
				}
				next(c)
			}
		}
		if o.Rate == 0 && inflight < len(conns) && ctx.Err() == nil { // connections that could not dial or send
			for _, c := range conns {
				if !c.busy {
					send(c, time.Now())
				}
			}
		}
	}
	for _, c := range conns {
		drop(c)
	}
	return finish(res, lats, start, cpu0)
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
			time.Sleep(100 * time.Microsecond) // a full socket buffer: rare with one request in flight
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// parseAnswer reads one whole HTTP/1.1 answer at the start of b: its status, its length in
// bytes, and whether the server closes the connection after it; errShort when incomplete.
func parseAnswer(b []byte) (status, n int, closing bool, err error) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		if len(b) > 64<<10 {
			return 0, 0, false, errProto
		}
		return 0, 0, false, errShort
	}
	head := b[:end+2]
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, 0, false, errProto
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, 0, false, errProto
	}
	length, chunked := -1, false
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, 0, false, errProto
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(v)); err != nil {
				return 0, 0, false, errProto
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			closing = bytes.EqualFold(v, []byte("close"))
		}
	}
	pos := end + 4
	switch {
	case chunked:
		for {
			i := bytes.Index(b[pos:], []byte("\r\n"))
			if i < 0 {
				return 0, 0, false, errShort
			}
			size, err := strconv.ParseInt(string(bytes.TrimSpace(b[pos:pos+i])), 16, 32)
			if err != nil {
				return 0, 0, false, errProto
			}
			pos += i + 2 + int(size) + 2
			if pos > len(b) {
				return 0, 0, false, errShort
			}
			if size == 0 {
				return status, pos, closing, nil
			}
		}
	case length >= 0:
		if pos+length > len(b) {
			return 0, 0, false, errShort
		}
		return status, pos + length, closing, nil
	}
	return 0, 0, false, errProto
}
