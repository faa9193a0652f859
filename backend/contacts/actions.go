// Batch actions on contacts (the grid's and the contact page's): one transaction per call,
// each contact changed through Ops.

package contacts

import (
	"context"

	"magpie/backend/apperr"
	"magpie/backend/db"
)

// Batch runs fn for each id in one transaction and returns how many it changed.
func (s *Service) Batch(ctx context.Context, idList []string, source string, fn func(o *Ops, id string) (bool, error)) (int, error) {
	n := 0
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		o := NewOps(tx, source)
		for _, id := range idList {
			ok, err := fn(o, id)
			if err != nil {
				return wrapNotFound(err, id)
			}
			if ok {
				n++
			}
		}
		return nil
	})
	return n, err
}

// Delete moves contacts to the trash.
func (s *Service) Delete(ctx context.Context, idList []string, source string) (int, error) {
	return s.Batch(ctx, idList, source, func(o *Ops, id string) (bool, error) { return o.Delete(id) })
}

// Restore brings contacts back from the trash.
func (s *Service) Restore(ctx context.Context, idList []string, source string) (int, error) {
	return s.Batch(ctx, idList, source, func(o *Ops, id string) (bool, error) { return o.Restore(id) })
}

// Tag adds and removes tags on contacts.
func (s *Service) Tag(ctx context.Context, idList []string, add, remove []string, source string) (int, error) {
	return s.Batch(ctx, idList, source, func(o *Ops, id string) (bool, error) { return true, o.Tag(id, add, remove) })
}

// SetDNC marks contacts do-not-contact on a channel.
func (s *Service) SetDNC(ctx context.Context, idList []string, channel string, reason int, comments, source string) (int, error) {
	if reason < ReasonUnsubscribed || reason > ReasonManual {
		return 0, apperr.Invalidf("contacts.errors.dncReason", map[string]any{"reason": reason},
			"reason must be unsubscribed, bounced or manual")
	}
	return s.Batch(ctx, idList, source, func(o *Ops, id string) (bool, error) {
		return true, o.SetDNC(id, channel, reason, "", comments)
	})
}

// SetOwner assigns contacts to a team member (users.id; "" = no owner).
func (s *Service) SetOwner(ctx context.Context, idList []string, ownerID, source string) (int, error) {
	var owner any
	if ownerID != "" {
		var n int
		if err := s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE id = ? AND deleted = 0", ownerID).Scan(&n); err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, apperr.NotFoundf("users.errors.notFound", map[string]any{"id": ownerID}, "no team member %q", ownerID)
		}
		owner = ownerID
	}
	return s.Batch(ctx, idList, source, func(o *Ops, id string) (bool, error) {
		return true, o.Update(id, db.Cols{"owner_id": owner})
	})
}

// RemoveDNC makes contacts contactable again on a channel.
func (s *Service) RemoveDNC(ctx context.Context, idList []string, channel, source string) (int, error) {
	return s.Batch(ctx, idList, source, func(o *Ops, id string) (bool, error) { return o.RemoveDNC(id, channel) })
}

// AdjustPoints changes a contact's points by delta.
func (s *Service) AdjustPoints(ctx context.Context, id string, delta int64, reason, source string) error {
	_, err := s.Batch(ctx, []string{id}, source, func(o *Ops, id string) (bool, error) {
		return true, o.AdjustPoints(id, delta, reason)
	})
	return err
}

// LinkCompany links a contact to a company.
func (s *Service) LinkCompany(ctx context.Context, contactID, companyID string, primary bool, source string) error {
	_, err := s.Batch(ctx, []string{contactID}, source, func(o *Ops, id string) (bool, error) {
		return true, o.LinkCompany(id, companyID, primary)
	})
	return err
}

// UnlinkCompany unlinks a contact from a company.
func (s *Service) UnlinkCompany(ctx context.Context, contactID, companyID, source string) error {
	_, err := s.Batch(ctx, []string{contactID}, source, func(o *Ops, id string) (bool, error) {
		return true, o.UnlinkCompany(id, companyID)
	})
	return err
}
