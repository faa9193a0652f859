package campaigns

import (
	"context"
	"strings"

	"magpie/backend/db"
)

// syncChunk is how many candidates of a source segment one membership transaction enters:
// a big segment entering a campaign commits in steps — each step's members with their
// root rows, whole — so a transaction stays within the writer's page cache instead of
// spilling a million rows' pages into the WAL, and the temp tables stay small. A crash keeps
// whole steps; the next sync goes on (entering is idempotent).
var syncChunk = 50000

// afterSyncChunk, when set (tests), runs after each committed entry transaction.
var afterSyncChunk func()

// SyncMembers brings a published campaign's membership in line with its source segments
// (Mautic's campaigns:rebuild, set-based): members of a source segment enter, automatic
// members in no source segment exit. It returns how many entered and exited.
func (s *Service) SyncMembers(ctx context.Context, id string) (int, error) {
	var changed int
	segs, err := s.sourceSegments(ctx, id)
	if err != nil || segs == nil {
		return 0, err
	}
	// Entries: per live source segment, its members in contact id order, syncChunk per
	// transaction. Active members are left out of the candidates (an automatic add does
	// nothing to them: Mautic's rules, addMembers).
	chunks := 0
	for _, seg := range segs.live {
		after := ""
		for {
			var got int
			var stop bool
			err := s.db.Write(ctx, func(tx *db.Tx) error {
				c, err := load(txQuerier{tx}, id)
				if err != nil || c == nil {
					stop = true
					return err
				}
				if err := prepTemp(tx); err != nil {
					return err
				}
				k, err := campaignKey(tx, id)
				if err != nil {
					return err
				}
				res, err := tx.Exec(`INSERT INTO camp_cand SELECT sm.contact_id FROM segment_members sm
					JOIN contacts ct ON ct.id = sm.contact_id AND ct.deleted = 0
					WHERE sm.segment_id = ? AND sm.contact_id > ? AND sm.manually_removed = 0
					AND NOT EXISTS (SELECT 1 FROM campaign_members m WHERE m.campaign_key = ? AND m.contact_id = sm.contact_id AND m.manually_removed = 0)
					ORDER BY sm.contact_id LIMIT ?`, seg, after, k, syncChunk)
				if err != nil {
					return err
				}
				added, _ := res.RowsAffected()
				if got = int(added); got == 0 {
					return nil
				}
				if err := tx.QueryRow("SELECT max(contact_id) FROM camp_cand").Scan(&after); err != nil {
					return err
				}
				n, err := addMembers(tx, c, false)
				changed += n
				return err
			})
			if err != nil {
				return changed, err
			}
			if afterSyncChunk != nil {
				afterSyncChunk()
			}
			if stop || got < syncChunk {
				break
			}
			if chunks++; chunks == 1 {
				// A big segment entering: as a runner's backlog (run.go), the WAL is copied
				// back on the other core and kept bounded between the entry transactions.
				defer s.db.BackgroundCheckpoints(ctx)()
			}
			s.db.RestartWALIfBig(ctx)
		}
	}
	// A source segment in the trash (or gone) would make its members exit and lose their
	// pending steps: keep them until the segment is restored or the source edited (the
	// canvas shows the problem).
	if len(segs.live) < segs.named {
		return changed, nil
	}
	// Exits: automatic, active members in no source segment any more (or trashed).
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := load(txQuerier{tx}, id)
		if err != nil || c == nil {
			return err
		}
		if changed > 0 {
			if err := kickoffAll(tx, c); err != nil { // safety net: nobody left unstarted
				return err
			}
		}
		if err := prepTemp(tx); err != nil {
			return err
		}
		in, args := "NULL", []any{id}
		if len(segs.live) > 0 {
			in = strings.TrimSuffix(strings.Repeat("?,", len(segs.live)), ",")
			for _, sg := range segs.live {
				args = append(args, sg)
			}
		}
		if _, err := tx.Exec(`INSERT INTO camp_cand SELECT m.contact_id FROM campaign_members m
			WHERE m.campaign_key = `+keyOf+` AND m.manually_added = 0 AND m.manually_removed = 0
			AND NOT EXISTS (SELECT 1 FROM segment_members sm JOIN contacts ct ON ct.id = sm.contact_id AND ct.deleted = 0
				WHERE sm.contact_id = m.contact_id AND sm.segment_id IN (`+in+`) AND sm.manually_removed = 0)`, args...); err != nil {
			return err
		}
		n, err := removeMembers(tx, id, false)
		changed += n
		return err
	})
	return changed, err
}

// sourceSet is a campaign's source segments: how many the graph names, and the ids of those
// live (not in the trash; named by id or alias).
type sourceSet struct {
	named int
	live  []string
}

// sourceSegments resolves the segment sources of published campaign id (nil when it is not
// published).
func (s *Service) sourceSegments(ctx context.Context, id string) (*sourceSet, error) {
	var out *sourceSet
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := load(txQuerier{tx}, id)
		if err != nil || c == nil {
			return err
		}
		out = &sourceSet{}
		var refs []any
		for _, src := range c.graph.Sources {
			if src.Type == "segment" {
				for _, sid := range src.IDs {
					refs = append(refs, sid)
				}
			}
		}
		out.named = len(refs)
		if len(refs) == 0 {
			return nil
		}
		in := strings.TrimSuffix(strings.Repeat("?,", len(refs)), ",")
		rows, err := tx.Query(`SELECT id FROM segments WHERE deleted = 0 AND (id IN (`+in+`) OR alias IN (`+in+`)) ORDER BY id`,
			append(refs, refs...)...)
		if err != nil {
			return err
		}
		out.live, err = db.Strings(rows, nil)
		return err
	})
	return out, err
}
