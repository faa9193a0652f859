package tracking

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"magpie/backend/ids"
)

func TestWebview(t *testing.T) {
	contact := ids.New()
	render := func(_ context.Context, msg string) (string, error) {
		if msg != "msg1" {
			return "", errors.New("no such message")
		}
		return "<html><body>Hello</body></html>", nil
	}
	cases := []struct {
		name   string
		render func(context.Context, string) (string, error)
		token  func(f *fixture) string
		status int
	}{
		{"shown", render, func(f *fixture) string { return f.signer.Sign(PurposeWebview, 0, "msg1", "em1", contact) }, 200},
		{"unknown message", render, func(f *fixture) string { return f.signer.Sign(PurposeWebview, 0, "nope", "em1", contact) }, 404},
		{"open token refused", render, func(f *fixture) string { return f.signer.Sign(PurposeOpen, 0, "msg1", "em1", contact) }, 403},
		{"no store", nil, func(f *fixture) string { return f.signer.Sign(PurposeWebview, 0, "msg1", "em1", contact) }, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, func(cfg *Config) { cfg.Webview = c.render })
			w := f.do(httptest.NewRequest("GET", "/e/v/"+c.token(f), nil))
			if w.Code != c.status {
				t.Fatalf("status %d, want %d (%s)", w.Code, c.status, w.Body.String())
			}
			if c.status == http.StatusOK {
				if !strings.Contains(w.Body.String(), "Hello") || !strings.Contains(w.Header().Get("Content-Security-Policy"), "default-src 'none'") {
					t.Fatalf("body %q csp %q", w.Body.String(), w.Header().Get("Content-Security-Policy"))
				}
			}
		})
	}
}
