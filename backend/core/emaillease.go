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
//
// The same type with name "reports.scheduler" makes one device of the team (a desktop or
// `magpie worker`) run the scheduled reports.
type emailLease struct {
	db   *db.DB
	sync *teamsync.Service
	name string // the lease on the cluster ("" = "emails.sender")
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
	name := l.name
	if name == "" {
		name = "emails.sender"
	}
	ok, err := teamsync.AcquireLease(ctx, cl, name, holder, now, emailLeaseTTL)
	return err == nil && ok
}

// ReportsLease is the team lease under which scheduled reports run (desktops and workers).
const ReportsLease = "reports.scheduler"
