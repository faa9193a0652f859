package emails

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"magpie/backend/apperr"
	"magpie/backend/internal/smtptest"
)

// attachmentsOf returns the attachment parts of a received message: file name → bytes.
func attachmentsOf(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	var walk func(ct string, r io.Reader)
	walk = func(ct string, r io.Reader) {
		mt, params, _ := mime.ParseMediaType(ct)
		if !strings.HasPrefix(mt, "multipart/") {
			return
		}
		mr := multipart.NewReader(r, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return
			}
			if p.FileName() != "" {
				b, _ := io.ReadAll(p) // multipart decodes quoted-printable only: base64 below
				if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
					b = decodeB64(t, b)
				}
				out[p.FileName()] = b
				continue
			}
			walk(p.Header.Get("Content-Type"), p)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body)
	return out
}

// TestAttachments_SentAsMIMEParts: an asset and a local file are attached to every message
// as real MIME parts; a missing asset stops the send with an error naming it.
func TestAttachments_SentAsMIMEParts(t *testing.T) {
	f := newFixture(t)
	srv := smtptest.Start(t)
	f.smtp(srv)
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 250}, 3000)...)
	f.s.SetAssetFiles(func(_ context.Context, id string) (string, string, []byte, error) {
		if id == "asset-1" {
			return "guide.pdf", "application/pdf", pdf, nil
		}
		return "", "", nil, errors.New("no such asset")
	})
	file := filepath.Join(t.TempDir(), "prices.csv")
	os.WriteFile(file, []byte("item,price\nbook,12\n"), 0o600)
	f.contacts(2, "s", nil)
	e := f.segmentEmail("<p>x</p>", "s")
	e.Attachments = []Attachment{{AssetID: "asset-1"}, {Name: "prices.csv", Path: file, ContentType: "text/csv"}}
	e, err := f.s.Save(f.ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	f.s.QueueSegment(f.ctx, e.ID)
	if st, err := f.s.Drain(f.ctx, DrainOptions{}); err != nil || st.Sent != 2 {
		t.Fatalf("drain %+v %v", st, err)
	}
	for _, m := range srv.Messages() {
		got := attachmentsOf(t, m.Raw)
		if !bytes.Equal(got["guide.pdf"], pdf) || string(got["prices.csv"]) != "item,price\nbook,12\n" {
			t.Fatalf("attachments %d: pdf %d bytes, csv %q", len(got), len(got["guide.pdf"]), got["prices.csv"])
		}
	}
	// The test send carries them too.
	if err := f.s.SendTest(f.ctx, e, "me@example.com"); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if got := attachmentsOf(t, msgs[len(msgs)-1].Raw); len(got) != 2 {
		t.Fatalf("test send attachments: %d", len(got))
	}
	// A missing asset: the test send says which attachment.
	e.Attachments = []Attachment{{Name: "gone.pdf", AssetID: "asset-2"}}
	if err := f.s.SendTest(f.ctx, e, "me@example.com"); apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "gone.pdf") {
		t.Fatalf("missing asset: %v", err)
	}
	// An attachment with neither an asset nor a path is refused on save.
	e.Attachments = []Attachment{{Name: "nothing"}}
	if _, err := f.s.Save(f.ctx, e); err == nil {
		t.Fatal("an empty attachment was saved")
	}
}

func decodeB64(t *testing.T, b []byte) []byte {
	t.Helper()
	s := strings.Join(strings.Fields(string(b)), "")
	out, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
