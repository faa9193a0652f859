package imports

import (
	"context"

	"magpie/backend/contacts"
	"magpie/backend/db"
)

// RunFresh is Run for a caller that can let go of the store once the import is done (the
// CLI): when the store holds no contacts yet, the import is big (bulkMinBytes) and no other
// program has the store open, the import runs in a side file — a VACUUM INTO copy of the
// store, import record included, written without journal, fsync or WAL checkpoints and with
// its bulk inserts on the connection itself (db.OpenScratch) — through the same Run, with
// the same merge rules, rejections and sync recorder; side is that file's path. The caller
// then closes every connection to the store and calls db.InstallFile(store, side). Until
// then the store is untouched: a failed, cancelled or killed import leaves it as it was,
// its import record not done, and a later run (magpie import resume) starts the file over,
// so nothing is imported twice. Otherwise side is "" and the import ran in the store.
func (s *Service) RunFresh(ctx context.Context, id string, report func(Record)) (side string, err error) {
	if ok, err := s.fresh(ctx, id); err != nil || !ok {
		if err != nil {
			return "", err
		}
		return "", s.Run(ctx, id, report)
	}
	defer func() {
		if err != nil {
			s.finish(id, err) // the store's record says how the run ended, as Run's would
		}
	}()
	side, err = contacts.InScratch(ctx, s.db, func(cs *contacts.Service) error {
		return New(cs, nil, s.dataDir).Run(ctx, id, report)
	})
	return side, err
}

// fresh says whether import id may run in a side file: nothing of it committed yet, a big
// file, a store without contacts, open in no other program.
func (s *Service) fresh(ctx context.Context, id string) (bool, error) {
	rec, err := s.Get(ctx, id)
	if err != nil {
		return false, err
	}
	if rec.Offset > 0 || rec.Status == StatusDone || rec.Size < bulkMinBytes {
		return false, nil
	}
	var used bool
	if err := s.db.R.QueryRowContext(ctx, anyContact).Scan(&used); err != nil || used {
		return false, err
	}
	busy, err := db.InUseElsewhere(s.db.Path)
	return err == nil && !busy, err
}
