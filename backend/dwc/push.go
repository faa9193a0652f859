package dwc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/ids"
)

// Campaign-pushed content (Mautic's "Push dynamic content" action): a campaign chooses, for
// one contact, which item a slot shows; it wins over the slot's own (filter-chosen) content
// until another push replaces it or the pushed item is deleted or unpublished.

func init() {
	db.Declare(db.Table{Name: "dwc_pushes", Synced: true})
	// Pushes follow the contact into a merge (the winner's own push for a slot stays).
	contacts.OnMerge(func(tx *db.Tx, winner, loser string) error {
		rows, err := tx.Query("SELECT slot, dwc_id FROM dwc_pushes WHERE contact_id = ? AND deleted = 0", loser)
		if err != nil {
			return err
		}
		type push struct{ slot, item string }
		var moved []push
		for rows.Next() {
			var p push
			if err := rows.Scan(&p.slot, &p.item); err != nil {
				rows.Close()
				return err
			}
			moved = append(moved, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range moved {
			if _, err := tx.Delete("dwc_pushes", pushID(loser, p.slot)); err != nil {
				return err
			}
			var has int
			if err := tx.QueryRow("SELECT EXISTS(SELECT 1 FROM dwc_pushes WHERE id = ? AND deleted = 0)", pushID(winner, p.slot)).Scan(&has); err != nil {
				return err
			}
			if has == 0 {
				if err := upsertPush(tx, winner, p.slot, p.item); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ErrNoItem: the item to push does not exist or is in the trash.
var ErrNoItem = errors.New("dwc: no such dynamic content item (deleted?)")

func pushID(contact, slot string) string {
	return ids.Derived("dwc_push", contact, strings.ToLower(slot))
}

// ValidSlot reports whether name can be a slot name (as on the site: letters, digits, _ and -).
func ValidSlot(name string) bool { return slotRE.MatchString(name) }

// Push makes the item itemID (any item: its own slot name does not matter) the content of slot
// for a contact, in the caller's transaction (a campaign action). It returns ErrNoItem when
// the item is gone.
func Push(tx *db.Tx, contactID, slot, itemID string) error {
	if !ValidSlot(slot) {
		return fmt.Errorf("dwc: slot name %q is invalid", slot)
	}
	var ok int
	if err := tx.QueryRow("SELECT EXISTS(SELECT 1 FROM dwc_slots WHERE id = ? AND deleted = 0)", itemID).Scan(&ok); err != nil {
		return err
	}
	if ok == 0 {
		return fmt.Errorf("%w: %q", ErrNoItem, itemID)
	}
	return upsertPush(tx, contactID, slot, itemID)
}

func upsertPush(tx *db.Tx, contactID, slot, itemID string) error {
	id := pushID(contactID, slot)
	var cur string
	var del int
	err := tx.QueryRow("SELECT dwc_id, deleted FROM dwc_pushes WHERE id = ?", id).Scan(&cur, &del)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err = tx.Insert("dwc_pushes", id, db.Cols{"contact_id": contactID, "slot": slot, "dwc_id": itemID, "at": tx.NowMs()})
	case err != nil:
	case cur == itemID && del == 0:
		return nil
	default:
		if del == 1 {
			if _, err = tx.Restore("dwc_pushes", id); err != nil {
				return err
			}
		}
		_, err = tx.Update("dwc_pushes", id, db.Cols{"dwc_id": itemID, "at": tx.NowMs()})
	}
	if err == nil {
		tx.Signal("dwc_pushes:changed", contactID)
	}
	return err
}

// pushed returns the published item a campaign pushed into slot for the contact, if any.
func (s *Service) pushed(ctx context.Context, contactID, slot string) (*plan, error) {
	var item string
	err := s.db.R.QueryRowContext(ctx, `SELECT p.dwc_id FROM dwc_pushes p JOIN dwc_slots d ON d.id = p.dwc_id
		WHERE p.id = ? AND p.deleted = 0 AND d.deleted = 0 AND d.is_published = 1`, pushID(contactID, slot)).Scan(&item)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.planByID(ctx, item)
}
