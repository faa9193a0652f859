package seed

import (
	"context"

	"magpie/backend/contacts"
	"magpie/backend/db"
)

// freshMin is the smallest seed RunFresh builds in a side file (below it the copy and the
// swap are not worth it).
var freshMin = 20000

// RunFresh is Run for a caller that can let go of the store once the data is made (the
// CLI): when the store is fresh — no contacts, no events, no segments, no campaigns — and
// no other program has it open, the data is built in a side file (a VACUUM INTO copy of
// the store: same schema, fields, site id, sync state) written without journal, fsync or
// WAL checkpoints (db.OpenScratch), with the same generator, write path and sync recorder,
// its indexes rebuilt; side is that file's path. The caller then closes every connection
// to the store and calls db.InstallFile(store, side), which renames it over the store (on
// failure it removes side). Until then the store is untouched: a kill leaves it as it was
// (and the side file is removed by the next bulk load). Otherwise side is "" and the data
// was written into the store by Run.
func RunFresh(ctx context.Context, cs *contacts.Service, opt Options, progress func(done, total int64)) (res Result, side string, err error) {
	d := cs.DB()
	if ok, err := freshStore(ctx, d, opt); err != nil || !ok {
		if err != nil {
			return Result{}, "", err
		}
		res, err := Run(ctx, cs, opt, progress)
		return res, "", err
	}
	side, err = contacts.InScratch(ctx, d, func(cs *contacts.Service) error {
		res, err = Run(ctx, cs, opt, progress)
		return err
	})
	return res, side, err
}

// freshStore says whether the seed may be built in a side file.
func freshStore(ctx context.Context, d *db.DB, opt Options) (bool, error) {
	if opt.Defaults().Contacts < freshMin {
		return false, nil
	}
	var used bool
	if err := d.R.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM contacts) OR EXISTS(SELECT 1 FROM events)
		OR EXISTS(SELECT 1 FROM segments) OR EXISTS(SELECT 1 FROM campaigns)`).Scan(&used); err != nil {
		return false, err
	}
	if used {
		return false, nil
	}
	busy, err := db.InUseElsewhere(d.Path)
	return err == nil && !busy, err
}
