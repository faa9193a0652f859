// Command webload is the load generator for the tracker's public web routes (issue 9): a
// landing page, a DWC slot, the focus item list and an AJAX form post, each run separately by
// bounded keep-alive clients on loopback; it prints the measured figures as JSON lines.
//
//	go run ./tests/bench/webload -url http://127.0.0.1:8089 -page spring -slot hero -form ID -c 32 -d 10s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"magpie/backend/tracking/trackingtest"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8089", "tracker base URL (loopback only)")
	c := flag.Int("c", 32, "concurrent keep-alive clients (page, dwc, focus)")
	fc := flag.Int("form-c", 100, "concurrent submitters (form)")
	d := flag.Duration("d", 10*time.Second, "duration of each scenario")
	page := flag.String("page", "spring", "landing page alias")
	slot := flag.String("slot", "hero", "DWC slot name")
	formID := flag.String("form", "", "form id (published, no minimum time)")
	only := flag.String("only", "page,dwc,focus,form", "scenarios to run, comma-separated")
	prefix := flag.String("email-prefix", "u", "start of the submitted email addresses (form)")
	flag.Parse()
	origin := "https://www.example.com"
	var seq atomic.Int64
	scen := map[string]func(*rand.Rand, string, []byte) []byte{
		"page": func(_ *rand.Rand, dev string, req []byte) []byte {
			req = append(req, trackingtest.Head("GET", *base, "/p/"+*page, origin)...)
			return append(req, "Cookie: mautic_device_id="+dev+"\r\n\r\n"...)
		},
		"dwc": func(_ *rand.Rand, dev string, req []byte) []byte {
			req = append(req, trackingtest.Head("GET", *base, "/dwc/"+*slot+"?mautic_device_id="+dev, origin)...)
			return append(req, "\r\n"...)
		},
		"focus": func(rnd *rand.Rand, dev string, req []byte) []byte {
			u := url.QueryEscape("https://www.example.com/blog/post-" + strconv.Itoa(rnd.Intn(500)))
			req = append(req, trackingtest.Head("GET", *base, "/focus?url="+u+"&mautic_device_id="+dev, origin)...)
			return append(req, "\r\n"...)
		},
		"form": func(_ *rand.Rand, dev string, req []byte) []byte {
			// Every post a new address (so every stored result is a distinct contact the
			// nothing-lost check can count); -email-prefix keeps runs against one store apart.
			body := "mauticform%5BformId%5D=" + *formID + "&mauticform%5Bemail%5D=" + *prefix + strconv.FormatInt(seq.Add(1), 10) +
				"%40bench.example.com&mauticform%5Bfirst%5D=Bench&mauticform%5Bmautic_device_id%5D=" + dev
			req = append(req, trackingtest.Head("POST", *base, "/form/submit/ajax", origin)...)
			req = append(req, "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "...)
			req = strconv.AppendInt(req, int64(len(body)), 10)
			req = append(req, "\r\n\r\n"...)
			return append(req, body...)
		},
	}
	for _, name := range strings.Split(*only, ",") {
		build, ok := scen[name]
		if !ok || (name == "form" && *formID == "") {
			fmt.Fprintf(os.Stderr, "webload: unknown scenario %q (or -form missing)\n", name)
			os.Exit(2)
		}
		conc := *c
		if name == "form" {
			conc = *fc
		}
		res, err := trackingtest.Run(context.Background(), trackingtest.Options{URL: *base, Concurrency: conc, Duration: *d,
			Devices: 5000, Origin: origin, Request: build})
		if err != nil {
			fmt.Fprintln(os.Stderr, "webload:", name, err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "%-5s c=%d: %s\n", name, conc, res)
		json.NewEncoder(os.Stdout).Encode(map[string]any{"scenario": name, "concurrency": conc, "result": res})
	}
}
