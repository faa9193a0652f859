package emails

import (
	"context"
	"fmt"
	"os"

	"magpie/backend/apperr"
	"magpie/backend/sending"
)

// AssetFile reads an asset's file for an attachment: its file name, MIME type and bytes
// (package assets; installed by core, as emails cannot import assets).
type AssetFile func(ctx context.Context, assetID string) (name, contentType string, data []byte, err error)

// SetAssetFiles installs where asset attachments are read from.
func (s *Service) SetAssetFiles(f AssetFile) { s.mu.Lock(); s.assetFile = f; s.mu.Unlock() }

// maxAttachments is the total size of an email's attachments (most ESPs refuse a message
// above 10–25 MB, and base64 adds a third).
const maxAttachments = 10 << 20

// readAttachments loads an email's attachments: an asset (AssetID) from the asset store, a
// file (Path) from disk. Errors name the attachment.
func (s *Service) readAttachments(ctx context.Context, list []Attachment) ([]sending.Attachment, error) {
	s.mu.Lock()
	af := s.assetFile
	s.mu.Unlock()
	var out []sending.Attachment
	total := 0
	for _, a := range list {
		var b []byte
		var err error
		name, ct := a.Name, a.ContentType
		if a.AssetID != "" {
			if af == nil {
				err = errNoAssets
			} else {
				var n, c string
				n, c, b, err = af(ctx, a.AssetID)
				if name == "" {
					name = n
				}
				if ct == "" {
					ct = c
				}
			}
		} else {
			b, err = os.ReadFile(a.Path)
		}
		if err != nil {
			return nil, apperr.Invalidf("emails.errors.attachment", map[string]any{"name": a.Name, "detail": fmt.Sprint(err)},
				"attachment %s cannot be read: %v", a.Name, err)
		}
		total += len(b)
		if total > maxAttachments {
			return nil, apperr.Invalidf("emails.errors.attachmentsSize", map[string]any{"name": a.Name},
				"the attachments are larger than 10 MB (at %s)", a.Name)
		}
		out = append(out, sending.Attachment{Name: name, ContentType: ct, Data: b})
	}
	return out, nil
}
