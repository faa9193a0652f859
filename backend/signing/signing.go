// Package signing makes the tamper-proof tokens of public links: email open pixels, click
// redirects, unsubscribe links, contact identification in links. A token is
//
//	base64url(payload) "." base64url(HMAC-SHA256(secret, purpose || payload)[:16])
//
// where payload is a version byte, an optional expiry (Unix seconds) and length-prefixed
// fields. The purpose ("click", "open", "unsub"…) is part of the MAC, so a token minted for
// one purpose is useless for another. Tokens carry everything the tracker needs (contact, send,
// destination URL), so any stateless tracker can verify them with the team secret alone —
// and a click token can only ever redirect to the URL it was minted with (no open redirect).
package signing

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// Errors.
var (
	ErrMalformed = errors.New("signing: malformed token")
	ErrSignature = errors.New("signing: bad signature")
	ErrExpired   = errors.New("signing: token expired")
	ErrNoSecret  = errors.New("signing: secret must be at least 32 bytes")
)

const (
	version = 1
	macLen  = 16
	// MaxToken bounds what Verify accepts (a click token carries its URL).
	MaxToken = 8192
)

var enc = base64.RawURLEncoding

// Signer signs and verifies with one secret.
type Signer struct {
	secret []byte
	now    func() time.Time
}

// NewSecret returns a fresh random secret.
func NewSecret() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

// New returns a signer; the secret must be at least 32 bytes.
func New(secret []byte) (*Signer, error) {
	if len(secret) < 32 {
		return nil, ErrNoSecret
	}
	return &Signer{secret: append([]byte(nil), secret...), now: time.Now}, nil
}

// Sign mints a token for purpose carrying fields; ttl 0 means it never expires.
func (s *Signer) Sign(purpose string, ttl time.Duration, fields ...string) string {
	var exp uint64
	if ttl > 0 {
		exp = uint64(s.now().Add(ttl).Unix())
	}
	p := make([]byte, 0, 16+len(fields)*24)
	p = append(p, version)
	p = binary.AppendUvarint(p, exp)
	p = binary.AppendUvarint(p, uint64(len(fields)))
	for _, f := range fields {
		p = binary.AppendUvarint(p, uint64(len(f)))
		p = append(p, f...)
	}
	return enc.EncodeToString(p) + "." + enc.EncodeToString(s.mac(purpose, p))
}

func (s *Signer) mac(purpose string, payload []byte) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// Verify checks a token minted for purpose and returns its fields.
func (s *Signer) Verify(purpose, token string) ([]string, error) {
	if len(token) > MaxToken {
		return nil, ErrMalformed
	}
	a, b, ok := strings.Cut(token, ".")
	if !ok {
		return nil, ErrMalformed
	}
	p, err := enc.DecodeString(a)
	if err != nil || len(p) < 3 || p[0] != version {
		return nil, ErrMalformed
	}
	sig, err := enc.DecodeString(b)
	if err != nil || len(sig) != macLen {
		return nil, ErrMalformed
	}
	if !hmac.Equal(sig, s.mac(purpose, p)) {
		return nil, ErrSignature
	}
	r := p[1:]
	exp, n := binary.Uvarint(r)
	if n <= 0 {
		return nil, ErrMalformed
	}
	r = r[n:]
	count, n := binary.Uvarint(r)
	if n <= 0 || count > 64 {
		return nil, ErrMalformed
	}
	r = r[n:]
	fields := make([]string, 0, count)
	for i := uint64(0); i < count; i++ {
		l, n := binary.Uvarint(r)
		if n <= 0 || uint64(len(r)-n) < l {
			return nil, ErrMalformed
		}
		fields = append(fields, string(r[n:n+int(l)]))
		r = r[n+int(l):]
	}
	if len(r) != 0 {
		return nil, ErrMalformed
	}
	if exp != 0 && uint64(s.now().Unix()) > exp {
		return nil, ErrExpired
	}
	return fields, nil
}
