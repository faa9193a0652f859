package core

import (
	"context"
	"time"

	"magpie/backend/db"
	"magpie/backend/ids"
	"magpie/backend/teamsync"
)

// emailLease makes one executor of the team send emails (issue 6): alone (sync off) this
// installation always sends; in a team it sends only while it holds the "emails.sender"
// lease on the shared cluster, and not at all while the cluster cannot be reached (another
// device may be sending).
type emailLease struct {
	db   *db.DB
	sync *teamsync.Service
}

const emailLeaseTTL = 2 * time.Minute

func (l emailLease) Held(ctx context.Context) bool {
	if l.sync == nil {
		return true
	}
	set, err := l.sync.LoadSettings()
	if err != nil || !set.Enabled {
		return err == nil
	}
	cl, err := set.Client()
	if err != nil {
		return false
	}
	holder, err := l.db.Meta(ctx, "emails.lease_holder")
	if err != nil {
		return false
	}
	if holder == "" {
		holder = ids.New()
		if err := l.db.SetMeta(ctx, "emails.lease_holder", holder); err != nil {
			return false
		}
	}
	now := time.Now()
	if t, ok := cl.ServerDate(); ok {
		now = t
	}
	ok, err := teamsync.AcquireLease(ctx, cl, "emails.sender", holder, now, emailLeaseTTL)
	return err == nil && ok
}
