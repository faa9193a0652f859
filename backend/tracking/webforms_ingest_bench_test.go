package tracking

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"magpie/backend/forms"
)

// BenchmarkFormIngest: the store side of a form submission (the cost that decides how fast a
// burst drains): 2,000 submissions of a defined form with a tag action, each by a new visitor
// with a new email, spooled, stored into hits, then ingested (identify, contact, event, result,
// tag) in the tracker's batches. Reported per submission.
func BenchmarkFormIngest(b *testing.B) {
	const n = 2000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := buildFormPipeline(b, SpoolOptions{NoSync: true}, func(c *Config) { c.FormRatePerIP = -1 })
		f, err := p.forms.Save(context.Background(), forms.Form{Name: "Bench", Published: true, Fields: []forms.Field{
			{Alias: "email", Label: "Email", Type: forms.Email, MapTo: "contact.email", Required: true},
			{Alias: "first", Label: "First", Type: forms.Text, MapTo: "contact.firstname"}},
			Actions: []forms.Action{{Type: forms.ActTags, Add: []string{"bench"}}}})
		if err != nil {
			b.Fatal(err)
		}
		p.ing.Batch = 1000
		for k := 0; k < n; k++ {
			body := url.Values{"mauticform[formId]": {f.ID}, "mauticform[email]": {fmt.Sprintf("b%d-%d@example.com", i, k)},
				"mauticform[first]": {"Ann"}}.Encode()
			r := httptest.NewRequest("POST", "/form/submit/ajax", strings.NewReader(body))
			r.Header.Set("Content-Type", formCT)
			w := httptest.NewRecorder()
			p.srv.Handler().ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
		for {
			recs, err := p.spool.readAvailable(500)
			if err != nil {
				b.Fatal(err)
			}
			if len(recs) == 0 {
				break
			}
			hits := make([]Hit, 0, len(recs))
			for _, r := range recs {
				h, _ := decodeHit(r.Data)
				hits = append(hits, h)
			}
			if err := p.store.StoreHits(context.Background(), hits); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		total := 0
		for {
			st, err := p.ing.RunOnce(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if st.Hits == 0 {
				break
			}
			total += st.Hits
		}
		if total != n {
			b.Fatalf("ingested %d of %d", total, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/submission")
}
