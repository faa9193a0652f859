package tracking

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"magpie/backend/forms"
)

// The hand-written answer is byte for byte what json.Encoder wrote before.
func TestFormAnswerJSON(t *testing.T) {
	for _, a := range []formAnswer{
		{Success: 1, Message: "Thank you, your submission was received."},
		{Success: 1, Redirect: "https://example.com/thanks?a=1&b=<2>"},
		{Success: 1, Message: "Merci « beaucoup » — \"vraiment\"\n\t\\", Download: "https://t.example/asset/x?t=abc.def"},
		{Success: 0, Message: "bad \xff utf-8 \u2028"},
		{},
	} {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(a); err != nil {
			t.Fatal(err)
		}
		if got := a.appendJSON(nil); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%+v:\n got %s\nwant %s", a, got, want.Bytes())
		}
	}
}

// Form posts ride the spool's group commit: concurrent posts share fsyncs (the handler has
// none of its own), and each is answered only after the batch holding it is durable.
func TestFormPostsShareGroupCommit(t *testing.T) {
	var syncs atomic.Int64
	prev := syncData
	syncData = func(f *os.File) error {
		syncs.Add(1)
		time.Sleep(3 * time.Millisecond) // a slow disk: posts arriving meanwhile join the next batch
		return prev(f)
	}
	defer func() { syncData = prev }()
	p := buildFormPipeline(t, SpoolOptions{}, func(c *Config) { c.FormRatePerIP = -1 })
	f := p.saveForm(t, forms.Form{Name: "Group", Fields: []forms.Field{
		{Alias: "email", Label: "Email", Type: forms.Email, MapTo: "contact.email", Required: true}}})
	const posts = 40
	base := syncs.Load()
	var wg sync.WaitGroup
	codes := make([]int, posts)
	for i := range posts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := url.Values{"mauticform[formId]": {f.ID}, "mauticform[email]": {fmt.Sprintf("g%d@example.com", i)}}.Encode()
			r := httptest.NewRequest("POST", "/form/submit/ajax", strings.NewReader(body))
			r.Header.Set("Content-Type", formCT)
			r.RemoteAddr = fmt.Sprintf("10.1.0.%d:1000", i)
			w := httptest.NewRecorder()
			p.srv.Handler().ServeHTTP(w, r)
			codes[i] = w.Code
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Fatalf("post %d: status %d", i, c)
		}
	}
	n := syncs.Load() - base
	if n < 1 || n >= posts/2 {
		t.Errorf("%d posts took %d fsyncs; want them grouped (1 ≤ n < %d)", posts, n, posts/2)
	}
	if p.spool.Pending() == 0 {
		t.Error("nothing durable in the spool after the answers")
	}
	t.Logf("%d concurrent posts, %d group commits", posts, n)
}
