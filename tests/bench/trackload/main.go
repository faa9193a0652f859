// Command trackload is the tracker benchmark's load generator: bounded keep-alive clients
// posting page hits to a `magpie tracker` on loopback; it prints the measured figures as JSON.
//
//	go run ./tests/bench/trackload -url http://127.0.0.1:8089 -c 32 -d 10s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"magpie/backend/tracking/trackingtest"
)

func main() {
	u := flag.String("url", "http://127.0.0.1:8089", "tracker base URL (loopback only)")
	c := flag.Int("c", 32, "concurrent keep-alive clients")
	d := flag.Duration("d", 10*time.Second, "duration")
	n := flag.Int("n", 0, "stop after N requests (0 = only the duration bounds the run)")
	devices := flag.Int("devices", 10000, "distinct visitor devices")
	engine := flag.String("engine", defaultEngine(), `client: "epoll" (one thread, Linux) or "goroutines" (one per connection)`)
	rate := flag.Float64("rate", 0, "open loop: send this many requests per second, latency counted from each one's due time (epoll engine; 0 = closed loop)")
	cpuProfile := flag.String("cpuprofile", "", "write the load generator's own CPU profile to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "trackload:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	res, err := trackingtest.Run(context.Background(), trackingtest.Options{URL: *u, Concurrency: *c, Duration: *d, Max: *n, Devices: *devices,
		Engine: strings.TrimPrefix(*engine, "goroutines"), Rate: *rate})
	if err != nil {
		fmt.Fprintln(os.Stderr, "trackload:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, res)
	json.NewEncoder(os.Stdout).Encode(res)
}

func defaultEngine() string {
	if runtime.GOOS == "linux" {
		return "epoll"
	}
	return "goroutines"
}
