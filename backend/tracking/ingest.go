package tracking

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/emails"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/forms"
	"magpie/backend/ids"
)

// CursorKey is the meta key holding the seq of the last hit turned into events.
const CursorKey = "tracking.ingest_seq"

// Source is the events' source for everything the tracker causes.
const Source = "tracker"

func init() {
	// Devices follow their contact into a merge.
	contacts.OnMerge(func(tx *db.Tx, winner, loser string) error {
		_, err := tx.Exec("UPDATE tracking_devices SET contact_id = ? WHERE contact_id = ?", winner, loser)
		return err
	})
}

// Ingester turns stored hits into contacts and events, exactly once (the cursor moves in the
// same transaction as the events it produced), in batches.
type Ingester struct {
	Contacts *contacts.Service
	Batch    int // hits per transaction (default 1000)
	Log      *slog.Logger

	// NoCatchUp keeps every index during a big backlog; CatchUpMin overrides the backlog
	// that starts catch-up mode (see catchUp).
	NoCatchUp  bool
	CatchUpMin int

	LastCatchUp CatchUpTimes // where the end of the last catch-up went

	Ingested atomic.Int64
	Skipped  atomic.Int64 // bots, unknown contacts, hits without device

	restore func(context.Context) error // set in catch-up mode
	carry   *events.Carry               // the catch-up's aggregates, written once per contact for many batches
	// CarryMax is how many contacts the catch-up's aggregates may hold in memory before
	// they are written (default carryMax).
	CarryMax  int
	recovered bool              // aggregates owed by a catch-up that stopped were written
	memLimit  int64             // the Go heap's soft limit before catch-up
	active    ids.Map[int64]    // catch-up mode: the carried last_active of plain hits (no pointer per contact)
	seen      map[ids.Key]int64 // catch-up mode: the carried last_seen of plain hits' devices
	next      *prefetch         // the next batch, being read
	last      *lastBatch        // the last batch committed (batchDevices)
	ckpt      *checkpointer     // WAL checkpoints beside the writer, in catch-up mode
}

// IngestStats describe one batch.
type IngestStats struct {
	Hits, Skipped, Contacts, Merges int
	Cursor                          int64
}

func (g *Ingester) db() *db.DB { return g.Contacts.DB() }

// RunOnce ingests one batch; Hits == 0 means there was nothing to do.
func (g *Ingester) RunOnce(ctx context.Context) (IngestStats, error) {
	if g.Batch <= 0 {
		g.Batch = 1000
	}
	meta, err := g.fieldMeta(ctx)
	if err != nil {
		return IngestStats{}, err
	}
	if !g.recovered {
		// A catch-up stopped (crash) before writing the aggregates it carried: from the log.
		if err := recoverActive(ctx, g.db()); err != nil {
			return IngestStats{}, fmt.Errorf("tracking: last_active owed by a catch-up: %w", err)
		}
		if err := recoverSeen(ctx, g.db()); err != nil {
			return IngestStats{}, fmt.Errorf("tracking: last_seen owed by a catch-up: %w", err)
		}
		if err := events.RecoverCarried(ctx, g.db()); err != nil {
			return IngestStats{}, fmt.Errorf("tracking: aggregates owed by a catch-up: %w", err)
		}
		g.recovered = true
	}
	if err := g.catchUp(ctx); err != nil {
		return IngestStats{}, err
	}
	size := g.batchSize()
	g.waitIfLong()
	var st IngestStats
	var staged map[string]int64      // catch-up mode: the batch's last_active, carried once committed
	var stagedSeen map[ids.Key]int64 // and its plain hits' last_seen
	var before, version int64        // db commits and the writer's data_version when the batch began
	var done *lastBatch
	err = g.db().Write(ctx, func(tx *db.Tx) error {
		staged, stagedSeen = nil, nil
		st = IngestStats{}
		var cur string
		if err := tx.QueryRow("SELECT v FROM meta WHERE k = ?", CursorKey).Scan(&cur); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		st.Cursor, _ = strconv.ParseInt(cur, 10, 64)
		before = g.db().Commits()
		if err := tx.QueryRow("PRAGMA data_version").Scan(&version); err != nil {
			return err
		}
		var hits []storedHit
		p := g.takePrefetch(st.Cursor, size)
		if p != nil {
			hits = p.hits
		} else if hits, err = loadHits(tx, st.Cursor, size); err != nil || len(hits) == 0 {
			return err
		}
		if len(hits) == size {
			// A full batch: more are likely queued; read them while this one is written.
			g.startPrefetch(hits[len(hits)-1].seq, size, before)
		}
		// The per-batch maps are sized for the batch: growing them hit by hit cost ≈ 1 µs per
		// hit of rehashing on the writer.
		n := len(hits)
		batch := events.NewBatch
		if g.carry != nil {
			batch = func(tx *db.Tx) *events.Batch {
				b, berr := g.carry.Batch(tx)
				err = berr
				return b
			}
		}
		run := &ingestRun{g: g, tx: tx, ops: contacts.NewOps(tx, Source), meta: meta, active: make(map[string]int64, n), st: &st,
			devices: make(map[string]string, n), alive: make(map[string]bool, n), seen: make(map[string]int64, n), wrote: map[string]bool{},
			batch: batch(tx)}
		if err != nil {
			return err
		}
		if g.carry != nil {
			run.now = map[string]int64{}
			run.seenPlain = make(map[ids.Key]int64, n)
			staged, stagedSeen = run.active, run.seenPlain
		}
		run.batch.Reserve(n)
		if err := tx.QueryRow("SELECT EXISTS(SELECT 1 FROM contact_merges)").Scan(&run.anyMerge); err != nil {
			return err
		}
		info, err := g.batchDevices(tx, hits, p, before, version)
		if err != nil {
			return err
		}
		run.known, run.vstate = info.known, info.vstate
		for _, sh := range hits {
			if err := run.one(sh.Hit); err != nil {
				return fmt.Errorf("tracking: ingest hit %s (seq %d): %w", sh.ID, sh.seq, err)
			}
			st.Cursor = sh.seq
			st.Hits++
		}
		if err := run.flushPending(); err != nil {
			return err
		}
		if err := run.flushSeen(); err != nil {
			return err
		}
		if err := run.flushActive(); err != nil {
			return err
		}
		if err := run.batch.Flush(); err != nil {
			return err
		}
		done = &lastBatch{before: before, version: version, wrote: run.wrote, clean: st.Merges == 0 && tx.Trashed() == 0}
		return tx.SetMeta(CursorKey, strconv.FormatInt(st.Cursor, 10))
	})
	g.last = nil
	if err == nil {
		g.last = done
	}
	if g.carry != nil {
		if err == nil {
			g.carry.Commit()
			for id, at := range staged {
				if have, ok := g.active.Get(id); !ok || at > have {
					g.active.Set(id, at)
				}
			}
			for k, at := range stagedSeen {
				if at > g.seen[k] {
					g.seen[k] = at
				}
			}
		} else {
			g.carry.Abort()
		}
	}
	if err == nil {
		g.kickCheckpoint()
		if g.carry != nil && g.carry.Len() >= cmp.Or(g.CarryMax, carryMax) {
			err = g.writeCarry(ctx)
		}
		g.Ingested.Add(int64(st.Hits - st.Skipped))
		g.Skipped.Add(int64(st.Skipped))
		if st.Hits < size {
			err = g.caughtUp(ctx)
		}
	}
	return st, err
}

// Run ingests until ctx ends: at once when wake fires, else every poll interval (another
// process — a tracker on the same data dir, or the rqlite puller — may add hits).
func (g *Ingester) Run(ctx context.Context, wake <-chan struct{}, poll time.Duration) error {
	if g.Log == nil {
		g.Log = slog.Default()
	}
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	defer g.dropPrefetch()
	defer func() {
		// Stopped in catch-up mode: rebuild the deferred indexes now (else db.Open does).
		if err := g.caughtUp(context.Background()); err != nil {
			g.Log.Error("tracking: ingest stopped while catching up", "err", err)
		}
	}()
	for {
		st, err := g.RunOnce(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			g.Log.Error("tracking: ingest failed; retrying", "err", err)
		}
		if err == nil && st.Hits >= g.Batch {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		case <-t.C:
		}
	}
}

type storedHit struct {
	Hit
	seq int64
}

func loadHits(tx *db.Tx, after int64, limit int) ([]storedHit, error) {
	rows, err := tx.Query(hitsSQL, after, limit)
	if err != nil {
		return nil, err
	}
	return scanHits(rows, limit)
}

type fieldInfo struct {
	field  fields.Field
	unique bool
	public bool
}

func (g *Ingester) fieldMeta(ctx context.Context) (map[string]fieldInfo, error) {
	fs, err := g.Contacts.Fields().List(ctx, fields.Contact)
	if err != nil {
		return nil, err
	}
	out := make(map[string]fieldInfo, len(fs))
	for _, f := range fs {
		if !f.System {
			out[f.Alias] = fieldInfo{field: f, unique: f.UniqueIdentifier, public: f.PubliclyUpdatable}
		}
	}
	return out, nil
}

type ingestRun struct {
	g      *Ingester
	tx     *db.Tx
	ops    *contacts.Ops
	meta   map[string]fieldInfo
	active map[string]int64
	now    map[string]int64 // catch-up mode: the contacts of hits that are not plain (flushActive)
	st     *IngestStats
	// Per-batch caches (cleared when a merge moves contacts around).
	devices   map[string]string // device → live contact
	alive     map[string]bool   // contact → live
	seen      map[string]int64  // device → last hit in this batch
	seenPlain map[ids.Key]int64 // catch-up mode: seen of plain hits' devices, carried (Ingester.seen)
	anyMerge  bool              // contact_merges has rows: ids must be followed
	// batch appends the hit events with their behaviour aggregates written once per
	// contact at the end of the batch.
	batch *events.Batch
	// known holds the stored device rows of the batch's devices, read in a few queries
	// (dropped after a merge, which rewrites them); vstate the deleted flag of the
	// derived visitor contacts of devices without a row (absent: no such contact).
	known  map[string]deviceRow
	vstate map[string]int
	wrote  map[string]bool // devices whose row this batch wrote (lastBatch)
	// Plain hits held for flushPending: their events, new visitors and device rows.
	pend     []events.Event
	visitors []contacts.NewContact
	devRows  [][]any
}

// device returns the stored row of a device ("" contact: none).
func (r *ingestRun) device(dev string) (deviceRow, error) {
	if r.known != nil {
		return r.known[dev], nil
	}
	var d deviceRow
	err := r.tx.QueryRow(`SELECT td.contact_id, c.deleted FROM tracking_devices td
		LEFT JOIN contacts c ON c.id = td.contact_id WHERE td.device_id = ?`, dev).Scan(&d.contact, &d.deleted)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return d, err
}

// merged clears the caches after a merge.
func (r *ingestRun) merged() {
	r.anyMerge = true
	r.known, r.vstate = nil, nil
	clear(r.devices)
	clear(r.alive)
}

func (r *ingestRun) follow(id string) (string, error) {
	if !r.anyMerge {
		return id, nil
	}
	return contacts.MergedInto(r.tx, id)
}

func (r *ingestRun) one(h Hit) error {
	if h.Bot {
		r.st.Skipped++
		return nil
	}
	if plainHit(h) {
		return r.plain(h)
	}
	// Anything else writes more than its event: the events held so far go in first, so
	// every effect and hook keeps the order of the hits.
	if err := r.flushPending(); err != nil {
		return err
	}
	contact, err := r.resolve(h, false)
	if err != nil {
		return err
	}
	if contact == "" {
		r.st.Skipped++
		return nil
	}
	ev, values := hitEvent(h, contact)
	switch h.Kind {
	case KindOpen, KindClick, KindUnsub:
		// The email's statistics (reads, clicks per link, unsubscribes) in the same transaction.
		if err := emails.CountHit(r.tx, h.ID, string(h.Kind), h.Send, h.Email, contact, ev.At, h.UA, h.URL); err != nil {
			return err
		}
	}
	switch h.Kind {
	case KindPage:
		ev.Type, ev.ObjectID = events.PageHit, h.Data["page_id"] // landing pages name themselves
		if contact, err = r.identify(contact, h, true); err != nil {
			return err
		}
		if tags := h.Data["tags"]; tags != "" {
			if err := r.ops.Tag(contact, strings.Split(tags, ","), nil); err != nil {
				return err
			}
		}
	case KindForm:
		ev.Type, ev.ObjectID = events.FormSubmitted, h.Form
		if contact, err = r.identify(contact, h, false); err != nil {
			return err
		}
		if err := storeUploads(r.tx, h, values); err != nil {
			return err
		}
	case KindAsset:
		ev.Type, ev.ObjectID = events.AssetDownloaded, h.Form
	case KindFocus:
		ev.Type, ev.ObjectID = events.FocusViewed, h.Form
		if h.Data["action"] == "convert" {
			ev.Type = events.FocusConverted
		}
	case KindDWC:
		ev.Type, ev.ObjectID = events.DWCRequested, h.Data["slot"]
	case KindOpen:
		ev.Type, ev.ObjectID = events.EmailRead, h.Email
	case KindClick:
		ev.Type, ev.ObjectID = events.EmailClicked, h.Email
	case KindUnsub:
		if err := r.ops.SetDNC(contact, "email", contacts.ReasonUnsubscribed, h.Email, "unsubscribed from an email link"); err != nil {
			return err
		}
		r.touch(contact, h.At)
		return nil
	case KindPrefs:
		return r.applyPrefs(contact, h)
	case KindResub:
		if _, err := r.ops.RemoveDNC(contact, "email"); err != nil {
			return err
		}
		r.touch(contact, h.At)
		return nil
	default:
		r.st.Skipped++
		return nil
	}
	ev.ContactID = contact
	if _, err := r.batch.Append(ev); err != nil {
		return err
	}
	r.touch(contact, h.At)
	return nil
}

// storeUploads stores the files a form hit carries (file.<alias>, base64) as the submission's
// uploads, before the form.submitted event whose hook stores the result: the bytes never go
// into the event log.
func storeUploads(tx *db.Tx, h Hit, values map[string]string) error {
	var ups []forms.Upload
	for k, v := range h.Data {
		alias, ok := strings.CutPrefix(k, "file.")
		if !ok {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) == 0 {
			continue // a damaged file is dropped; the name stays in the values
		}
		ups = append(ups, forms.Upload{Field: alias, Name: values[alias], Data: b})
	}
	if len(ups) == 0 {
		return nil
	}
	sort.Slice(ups, func(i, j int) bool { return ups[i].Field < ups[j].Field })
	return forms.StoreUploadsTx(tx, h.ID, h.Form, ups)
}

// touch advances a contact's last_active at the end of the batch; touchPlain for a plain
// hit, whose part is carried in catch-up mode (flushActive).
func (r *ingestRun) touch(contact string, at int64) {
	r.touchPlain(contact, at)
	if r.now != nil && at > r.now[contact] {
		r.now[contact] = at
	}
}

func (r *ingestRun) touchPlain(contact string, at int64) {
	if at > r.active[contact] {
		r.active[contact] = at
	}
}

// live reports whether a contact exists and is not trashed.
func (r *ingestRun) live(id string) (bool, error) {
	if ok, known := r.alive[id]; known {
		return ok, nil
	}
	var deleted int
	err := r.tx.QueryRow("SELECT deleted FROM contacts WHERE id = ?", id).Scan(&deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.alive[id] = deleted == 0
	return deleted == 0, nil
}

// resolve finds the hit's contact: the signed token's contact, else the device's contact,
// else a new anonymous visitor (id derived from the device, so every desktop agrees). With
// lazy (a plain hit) a new visitor and the device row are held for flushPending.
func (r *ingestRun) resolve(h Hit, lazy bool) (string, error) {
	if h.Contact != "" {
		// A copy: the hit's strings are views of its whole stored row (scanHits), and the
		// contact id may be kept past the batch (carried last_active and aggregates).
		c, err := r.follow(strings.Clone(h.Contact))
		if err != nil {
			return "", err
		}
		if ok, err := r.live(c); err != nil || !ok {
			return "", err // unknown or trashed contact: nothing is recorded
		}
		if h.Device != "" {
			if err := r.setDevice(h.Device, c, h, lazy); err != nil {
				return "", err
			}
		}
		return c, nil
	}
	if h.Device == "" {
		return "", nil
	}
	if c, ok := r.devices[h.Device]; ok {
		r.saw(h, lazy)
		return c, nil
	}
	row, err := r.device(h.Device)
	if err != nil {
		return "", err
	}
	c, deletedNow := row.contact, row.deleted
	if c != "" {
		if deletedNow.Valid {
			r.alive[c] = deletedNow.Int64 == 0
		}
		if c, err = r.follow(c); err != nil {
			return "", err
		}
		ok, err := r.live(c)
		if err != nil {
			return "", err
		}
		if ok {
			r.devices[h.Device] = c
			r.saw(h, lazy)
			return c, nil
		}
	}
	c = VisitorID(h.Device)
	taken, err := r.visitorTaken(c)
	if err != nil {
		return "", err
	}
	if taken {
		// The device's first visitor was trashed: a new visitor, still derived from the hit.
		c = laterVisitorID(h.Device, h.ID)
	}
	if lazy {
		r.visitors = append(r.visitors, contacts.NewContact{ID: c, At: h.Time()})
	} else if _, err := r.ops.Create(db.Cols{}, contacts.CreateOpts{ID: c, At: h.Time()}); err != nil {
		return "", err
	}
	r.st.Contacts++
	r.alive[c] = true
	return c, r.setDevice(h.Device, c, h, lazy)
}

// saw advances the last hit of the hit's device: carried for a plain hit in catch-up mode
// when the device id is a UUID (ids.KeyOf), else written at the end of the batch.
func (r *ingestRun) saw(h Hit, plain bool) {
	if plain && r.seenPlain != nil {
		if k, ok := ids.KeyOf(h.Device); ok {
			r.seenPlain[k] = max(r.seenPlain[k], h.At)
			return
		}
	}
	r.seen[h.Device] = max(r.seen[h.Device], h.At)
}

const upsertDevice = `INSERT INTO tracking_devices(device_id, contact_id, first_seen, last_seen, user_agent)`
const upsertDeviceConflict = `
		ON CONFLICT(device_id) DO UPDATE SET contact_id = excluded.contact_id, last_seen = max(last_seen, excluded.last_seen)`

func (r *ingestRun) setDevice(device, contact string, h Hit, lazy bool) error {
	r.devices[device] = contact
	r.wrote[device] = true
	if lazy {
		r.devRows = append(r.devRows, []any{device, contact, h.At, h.At, nz(h.UA)})
		return nil
	}
	_, err := r.tx.Exec(upsertDevice+" VALUES(?, ?, ?, ?, ?)"+upsertDeviceConflict, device, contact, h.At, h.At, nz(h.UA))
	return err
}
