package app

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"magpie/backend/events"
	"magpie/backend/tracking"
)

func TestTrackingFacadeLocalTracker(t *testing.T) {
	ctx := context.Background()
	sh := newShell(t, "")
	c := sh.core
	tr := &Tracking{sh}
	if _, err := tr.SaveSettings(TrackingSettings{PublicURL: "javascript:alert(1)"}); err == nil {
		t.Fatal("a javascript: public URL was accepted")
	}
	st, err := tr.SaveSettings(TrackingSettings{PublicURL: "https://t.example.com/", AllowedOrigins: []string{"https://www.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Settings.PublicURL != "https://t.example.com" || !strings.Contains(st.Snippet, "'https://t.example.com/mtc.js'") || !st.Ingesting {
		t.Fatalf("status %+v", st)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	local, err := tr.StartLocal(addr)
	if err != nil || !local.Running {
		t.Fatalf("start local: %+v %v", local, err)
	}
	req, _ := http.NewRequest("POST", "http://"+addr+"/mtc/event", strings.NewReader(url.Values{"page_url": {"https://www.example.com/p"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://www.example.com")
	req.Header.Set("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("hit: %v %v", err, res)
	}
	res.Body.Close()
	var hits []TrackingHit
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if hits, err = tr.RecentHits(10); err == nil && len(hits) == 1 && hits[0].ContactID != "" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(hits) != 1 || hits[0].ContactID != tracking.VisitorID(hits[0].DeviceID) {
		t.Fatalf("hits %+v", hits)
	}
	evs, _, err := events.List(ctx, c.DB.R, events.Query{ContactID: hits[0].ContactID, Types: []events.Type{events.PageHit}})
	if err != nil || len(evs) != 1 || evs[0].URL != "https://www.example.com/p" || evs[0].Device.OS != "MacOS" {
		t.Fatalf("page hit events %+v %v", evs, err)
	}
	local, _ = tr.StopLocal()
	if local.Running {
		t.Fatal("local tracker still running")
	}
}
