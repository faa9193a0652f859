package rqlite_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"magpie/backend/rqlite"
)

// A cluster behind TLS: an untrusted certificate is refused with a message that says so
// (what the status badge and Settings show), and works once its CA is given or verification
// is skipped on purpose.
func TestTLSErrors(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"results":[{"columns":["1"],"types":["integer"],"values":[[1]]}]}`))
	}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	for _, c := range []struct {
		name string
		tls  *tls.Config
		want string // "" = the query works
	}{
		{"system roots only", nil, "TLS handshake failed (certificate not trusted"},
		{"the cluster's CA", &tls.Config{RootCAs: pool}, ""},
		{"verification skipped", &tls.Config{InsecureSkipVerify: true}, ""}, //nolint:gosec // the option under test
	} {
		cl, err := rqlite.New(rqlite.Config{URLs: []string{srv.URL}, TLS: c.tls, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cl.Query(context.Background(), rqlite.Weak, rqlite.S("SELECT 1"))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err = %v, want it to say %q", c.name, err, c.want)
		case c.want != "" && errors.Is(err, rqlite.ErrAuth):
			t.Errorf("%s: a TLS failure reported as bad credentials: %v", c.name, err)
		}
	}
}
