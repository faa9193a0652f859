package tracking

import (
	"bytes"
	"context"
	"slices"
	"strings"

	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/ids"
)

// seenCarryTx is how many devices' last_seen one transaction of the catch-up's end writes.
const seenCarryTx = 20_000

// writeSeen advances tracking_devices.last_seen of the devices the catch-up's plain hits
// resolved (g.seen), in key order — a maximum, so a crash before the carried aggregates'
// commit just recomputes it from the owed ranges (recoverSeen).
func (g *Ingester) writeSeen(ctx context.Context) error {
	keys := make([]ids.Key, 0, len(g.seen))
	for k := range g.seen {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b ids.Key) int { return bytes.Compare(a[:], b[:]) })
	for len(keys) > 0 {
		part := keys[:min(len(keys), seenCarryTx)]
		keys = keys[len(part):]
		devs, ats := make([]string, len(part)), make([]int64, len(part))
		for i, k := range part {
			devs[i], ats[i] = k.String(), g.seen[k]
		}
		if err := g.db().Write(ctx, func(tx *db.Tx) error { return updateSeen(tx, devs, ats) }); err != nil {
			return err
		}
	}
	clear(g.seen)
	return nil
}

// updateSeen advances the last_seen of devs (sorted) to ats, 500 devices per statement.
func updateSeen(tx *db.Tx, devs []string, ats []int64) error {
	for len(devs) > 0 {
		n := min(len(devs), 500)
		args := make([]any, 0, 2*n)
		for i, d := range devs[:n] {
			args = append(args, d, ats[i])
		}
		devs, ats = devs[n:], ats[n:]
		if _, err := tx.Exec(`WITH v(d, at) AS (VALUES `+pairs(n)+`)
			UPDATE tracking_devices SET last_seen = max(last_seen, v.at) FROM v WHERE tracking_devices.device_id = v.d`, args...); err != nil {
			return err
		}
	}
	return nil
}

func pairs(n int) string { return "(?, ?)" + strings.Repeat(", (?, ?)", n-1) }

// recoverSeen advances last_seen from the plain hits of a catch-up that stopped before
// writing what it carried: the devices of the hits whose tracker events (plainHit) are in
// the owed ranges (events.Carry). Every such event's hit advanced its device's last_seen
// (resolve), and a maximum again changes nothing, so counting a hit twice is harmless.
func recoverSeen(ctx context.Context, d *db.DB) error {
	return d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(recoverSeenSQL, Source, events.PageHit, events.AssetDownloaded, events.FocusViewed, events.FocusConverted)
		return err
	})
}

// recoverSeenSQL reads the owed ranges' events by seq (CROSS JOIN keeps the ranges
// outside; "+" keeps SQLite from building an automatic index on the whole log's source or
// type instead: TestRecoverPlans).
const recoverSeenSQL = `WITH x(d, at) AS (SELECT h.device_id, max(h.at) FROM event_agg_ranges r
		CROSS JOIN events e ON e.seq BETWEEN r.lo AND r.hi CROSS JOIN hits h ON h.id = e.id
		WHERE +e.source = ? AND +e.type IN (?, ?, ?, ?) AND h.device_id IS NOT NULL GROUP BY h.device_id)
	UPDATE tracking_devices SET last_seen = max(last_seen, x.at) FROM x WHERE tracking_devices.device_id = x.d`
