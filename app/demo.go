package app

import (
	"context"

	"magpie/backend/apperr"
	"magpie/backend/jobs"
	"magpie/backend/seed"
)

// LoadDemo generates demo data (contacts with companies, tags, custom fields and a
// timeline of page hits and email events) in the background and returns the job id.
func (a *System) LoadDemo(contacts int) (string, error) {
	if contacts <= 0 || contacts > 2_000_000 {
		return "", apperr.Invalidf("demo.errors.size", map[string]any{"contacts": contacts},
			"demo data needs between 1 and 2,000,000 contacts, not %d", contacts)
	}
	c := a.s.core
	opt := seed.Options{Contacts: contacts, Companies: -1, Events: 5 * contacts, Seed: 1}
	return c.Jobs.Start("demo", "Demo data", func(ctx context.Context, p *jobs.Progress) error {
		res, err := seed.Run(ctx, c.Contacts, opt, func(done, total int64) { p.Set(done, total, "") })
		p.SetResult(res)
		return err
	})
}
