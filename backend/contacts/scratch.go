package contacts

import (
	"context"
	"fmt"
	"os"

	"magpie/backend/db"
	"magpie/backend/fields"
)

// InScratch runs build against a side file of d's store instead of the store: a VACUUM INTO
// copy (schema, custom fields, site id, sync state) opened by db.OpenScratch — no journal,
// fsync or WAL checkpoints, bulk inserts on the connection itself — with d's sync recorder.
// It returns the closed side file's path; the caller closes every connection to the store
// and installs it with db.InstallFile. On failure the side file is removed and the store was
// never touched. Used by the seed and the import of a fresh store.
func InScratch(ctx context.Context, d *db.DB, build func(*Service) error) (side string, err error) {
	if side, err = d.CopyToScratch(ctx); err != nil {
		return "", err
	}
	sd, err := db.OpenScratch(side, d.Clock)
	if err != nil {
		_ = os.Remove(side)
		return "", err
	}
	defer func() {
		if err != nil {
			sd.Close()
			_ = os.Remove(side)
			side = ""
		}
	}()
	sd.SetRecorder(d.Recorder())
	fs, err := fields.New(ctx, sd)
	if err != nil {
		return "", err
	}
	if err = build(New(sd, fs)); err != nil {
		return "", err
	}
	if err = sd.CloseScratch(); err != nil {
		return "", fmt.Errorf("close %s: %w", side, err)
	}
	return side, nil
}
