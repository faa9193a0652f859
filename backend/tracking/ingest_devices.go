package tracking

import (
	"context"
	"database/sql"

	"magpie/backend/db"
)

// devInfo is what a batch reads about its devices before resolving its hits: the stored
// row of each device (known), and for a device without one whether its derived visitor
// contact exists (vstate: the contact's deleted flag; absent: no such contact).
type devInfo struct {
	known  map[string]deviceRow
	vstate map[string]int
}

// deviceRow is a tracking_devices row with its contact's deleted flag (null: no contact).
type deviceRow struct {
	contact string
	deleted sql.NullInt64
}

// querier runs a read: the write transaction's (Tx.Query) or a read connection's.
type querier func(q string, args ...any) (*sql.Rows, error)

// hitDevices lists, once each, the devices of hits whose contact comes from their device.
func hitDevices(hits []storedHit) []string {
	seen := make(map[string]bool, len(hits))
	var list []string
	for _, h := range hits {
		if h.Device != "" && h.Contact == "" && !seen[h.Device] {
			seen[h.Device] = true
			list = append(list, h.Device)
		}
	}
	return list
}

// readDevices adds the stored rows of devs, and the state of the derived visitors of those
// without one, to info, a few hundred per query.
func readDevices(q querier, devs []string, info *devInfo) error {
	if info.known == nil {
		info.known = make(map[string]deviceRow, len(devs))
		info.vstate = make(map[string]int)
	}
	err := db.EachIn(q, `SELECT td.device_id, td.contact_id, c.deleted FROM tracking_devices td
		LEFT JOIN contacts c ON c.id = td.contact_id WHERE td.device_id IN (%s)`, devs, func(rows *sql.Rows) error {
		var dev string
		var d deviceRow
		if err := rows.Scan(&dev, &d.contact, &d.deleted); err != nil {
			return err
		}
		info.known[dev] = d
		return nil
	})
	if err != nil {
		return err
	}
	var visitors []string
	for _, d := range devs {
		if _, ok := info.known[d]; !ok {
			visitors = append(visitors, VisitorID(d))
		}
	}
	return db.EachIn(q, `SELECT id, deleted FROM contacts WHERE id IN (%s)`, visitors, func(rows *sql.Rows) error {
		var id string
		var del int
		if err := rows.Scan(&id, &del); err != nil {
			return err
		}
		info.vstate[id] = del
		return nil
	})
}

// lastBatch is what a committed batch leaves to the next one, whose device rows were read
// beside it (prefetch) from a snapshot that may not hold its writes.
type lastBatch struct {
	before  int64           // db.DB.Commits when it began: its own commit was the next
	version int64           // the writer connection's PRAGMA data_version when it began
	wrote   map[string]bool // devices whose row it wrote
	clean   bool            // no merge, nothing moved to or from the trash
}

// batchDevices returns the device info of a batch: the prefetched one when nothing but the
// previous batch (g.last) wrote since it was read — no other transaction of this process
// (Commits), none of another connection (data_version) — and that batch merged and trashed
// nothing; the devices that batch wrote are read again here. Otherwise everything is read
// in the transaction.
func (g *Ingester) batchDevices(tx *db.Tx, hits []storedHit, p *prefetch, before, version int64) (devInfo, error) {
	devs := hitDevices(hits)
	last := g.last
	if p != nil && p.devErr == nil && p.devs.known != nil && last != nil && last.clean &&
		p.commits == last.before && before == last.before+1 && version == last.version {
		info := p.devs
		var again []string
		for _, d := range devs {
			if last.wrote[d] {
				delete(info.known, d)
				delete(info.vstate, VisitorID(d))
				again = append(again, d)
			}
		}
		return info, readDevices(tx.Query, again, &info)
	}
	var info devInfo
	return info, readDevices(tx.Query, devs, &info)
}

// prefetchDevices reads the device info of a prefetched batch on its read connection.
func prefetchDevices(ctx context.Context, c *sql.Conn, p *prefetch) {
	q := func(s string, args ...any) (*sql.Rows, error) { return c.QueryContext(ctx, s, args...) }
	p.devErr = readDevices(q, hitDevices(p.hits), &p.devs)
}
