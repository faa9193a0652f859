package events

import (
	"context"
	"database/sql"

	"magpie/backend/db"
)

// DeferIndexes drops the secondary indexes of the event log for a bulk load that will
// append about adding events (an import, demo data), when the log is small next to it:
// rebuilding sorts every logged event once, which is far cheaper than keeping five
// indexes (type/at, type/object, type/url, …) row by row — but not when the log already
// holds many times the load. events_contact_type stays (imports read it to tell their own
// contacts from earlier ones; every per-contact read of the log goes through it). The returned function rebuilds them (and
// db.Open does after a crash, see db.DB.DeferIndexes); it is a no-op when nothing was
// deferred.
func DeferIndexes(ctx context.Context, d *db.DB, adding int64) (func(context.Context) error, error) {
	var n sql.NullInt64
	if err := d.R.QueryRowContext(ctx, "SELECT max(seq) FROM events").Scan(&n); err != nil {
		return nil, err
	}
	if adding < 10000 || adding < n.Int64 {
		return func(context.Context) error { return nil }, nil
	}
	return d.DeferIndexes(ctx, []string{"events"}, []string{"events_contact_type"})
}
