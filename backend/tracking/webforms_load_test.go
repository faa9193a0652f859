package tracking

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"magpie/backend/forms"
)

// TestFormLoad: N concurrent submitters post a defined form for D seconds over real HTTP
// while the pump stores hits and the ingester turns them into contacts, results and actions;
// afterwards every acknowledged submission is a result with its contact — nothing is lost.
// Defaults are small (2 s, 20 submitters); `make bench` runs it with FORMS_LOAD_SECONDS=30
// FORMS_LOAD_USERS=100 and reports the latency percentiles it logs.
func TestFormLoad(t *testing.T) {
	secs, users := envInt("FORMS_LOAD_SECONDS", 1), envInt("FORMS_LOAD_USERS", 20)
	p := newFormPipeline(t, func(c *Config) { c.FormRatePerIP = -1 })
	f := p.saveForm(t, forms.Form{Name: "Load", Fields: []forms.Field{
		{Alias: "email", Label: "Email", Type: forms.Email, MapTo: "contact.email", Required: true},
		{Alias: "first", Label: "First", Type: forms.Text, MapTo: "contact.firstname"},
		{Alias: "hp", Type: forms.Honeypot}},
		Actions: []forms.Action{{Type: forms.ActTags, Add: []string{"load"}}, {Type: forms.ActPoints, Points: 1}}})
	srv := httptest.NewServer(p.srv.Handler())
	defer srv.Close()
	p.ing.Batch = 500
	ctx, cancel := context.WithCancel(context.Background())
	pump := &Pump{Spool: p.spool, Store: p.store, Metrics: p.srv.Metrics(), Log: p.srv.log}
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { defer bg.Done(); pump.Run(ctx) }()
	go func() { defer bg.Done(); p.ing.Run(ctx, nil, 50*time.Millisecond) }()

	var ok, bad atomic.Int64
	lat := make([][]time.Duration, users)
	end := time.Now().Add(time.Duration(secs) * time.Second)
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: users}}
	for u := 0; u < users; u++ {
		wg.Add(1)
		go func(u int) {
			defer wg.Done()
			for i := 0; time.Now().Before(end); i++ {
				body := url.Values{"mauticform[formId]": {f.ID}, "mauticform[email]": {fmt.Sprintf("u%d-%d@load.example.com", u, i)},
					"mauticform[first]": {"Load"}, "mauticform[hp]": {""}}.Encode()
				start := time.Now()
				req, _ := http.NewRequest("POST", srv.URL+"/form/submit/ajax", strings.NewReader(body))
				req.Header.Set("Content-Type", formCT)
				req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
				resp, err := client.Do(req)
				if err != nil {
					bad.Add(1)
					continue
				}
				resp.Body.Close()
				lat[u] = append(lat[u], time.Since(start))
				if resp.StatusCode == 200 {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		}(u)
	}
	wg.Wait()
	// Let the pump and the ingester catch up (as long as they make progress), then stop them.
	last, lastAt := int64(-1), time.Now()
	for time.Since(lastAt) < 30*time.Second {
		n, _ := p.forms.Results(context.Background(), f.ID, 0, 1)
		if n.Total >= ok.Load() {
			break
		}
		if n.Total != last {
			last, lastAt = n.Total, time.Now()
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	bg.Wait()
	t.Logf("accepted %d stored %d ingested %d", p.srv.Metrics().Accepted.Load(), p.srv.Metrics().Stored.Load(), p.ing.Ingested.Load())
	if bad.Load() != 0 {
		t.Fatalf("%d submissions failed", bad.Load())
	}
	res, err := p.forms.Results(context.Background(), f.ID, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	var contacts, tagged int64
	p.d.R.QueryRow("SELECT count(*) FROM contacts WHERE email LIKE '%@load.example.com' AND deleted = 0 AND points = 1").Scan(&contacts)
	p.d.R.QueryRow("SELECT count(*) FROM contact_tags ct JOIN tags g ON g.id = ct.tag_id WHERE g.name = 'load' AND ct.deleted = 0").Scan(&tagged)
	if res.Total != ok.Load() || contacts != ok.Load() || tagged != ok.Load() {
		t.Fatalf("acknowledged %d, results %d, contacts %d, tagged %d", ok.Load(), res.Total, contacts, tagged)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(q float64) time.Duration { return all[min(len(all)-1, int(q*float64(len(all))))] }
	t.Logf("FORMLOAD users=%d seconds=%d submissions=%d rate=%.0f/s p50=%v p95=%v p99=%v max=%v (client-observed, loopback, fsynced spool)",
		users, secs, ok.Load(), float64(ok.Load())/float64(secs), pct(0.50), pct(0.95), pct(0.99), all[len(all)-1])
}

// BenchmarkFormPost: one defined-form submission (parse, validation, honeypot, hit into the
// spool) through the handler, requests in parallel; nosync=true leaves out the fsync.
func BenchmarkFormPost(b *testing.B) {
	for _, nosync := range []bool{false, true} {
		b.Run(fmt.Sprintf("nosync=%v", nosync), func(b *testing.B) {
			p := buildFormPipeline(b, SpoolOptions{NoSync: nosync}, func(c *Config) { c.FormRatePerIP = -1 })
			f, err := p.forms.Save(context.Background(), forms.Form{Name: "Bench", Published: true, Fields: []forms.Field{
				{Alias: "email", Label: "Email", Type: forms.Email, MapTo: "contact.email", Required: true},
				{Alias: "first", Label: "First", Type: forms.Text, MapTo: "contact.firstname"},
				{Alias: "topic", Label: "Topic", Type: forms.Select, Options: []forms.Option{{Value: "a", Label: "A"}, {Value: "b", Label: "B"}}},
				{Alias: "hp", Type: forms.Honeypot}}})
			if err != nil {
				b.Fatal(err)
			}
			stop, consumed := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(consumed)
				for {
					recs, _ := p.spool.Read(500, stop)
					if len(recs) == 0 {
						return
					}
					p.spool.Commit(recs[len(recs)-1].End)
				}
			}()
			var n atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					body := url.Values{"mauticform[formId]": {f.ID}, "mauticform[email]": {fmt.Sprintf("b%d@example.com", i)},
						"mauticform[first]": {"Ann"}, "mauticform[topic]": {"a"}, "mauticform[hp]": {""}}.Encode()
					r := httptest.NewRequest("POST", "/form/submit/ajax", strings.NewReader(body))
					r.Header.Set("Content-Type", formCT)
					r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
					r.RemoteAddr = fmt.Sprintf("10.0.%d.%d:1000", i%250, i/250%250)
					w := httptest.NewRecorder()
					p.srv.Handler().ServeHTTP(w, r)
					if w.Code != 200 {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
			b.StopTimer()
			close(stop)
			<-consumed
		})
	}
}
