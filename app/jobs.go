package app

import "magpie/backend/jobs"

// Jobs shows and cancels background work.
type Jobs struct{ s *Shell }

// Recent lists the latest jobs.
func (a *Jobs) Recent() ([]jobs.Status, error) {
	st, err := a.s.core.Jobs.Recent(a.s.context(), 30)
	if st == nil {
		st = []jobs.Status{}
	}
	return st, err
}

// Get returns one job.
func (a *Jobs) Get(id string) (jobs.Status, error) {
	return a.s.core.Jobs.Get(a.s.context(), id)
}

// Cancel stops a running job; it reports false if it was not running.
func (a *Jobs) Cancel(id string) bool {
	return a.s.core.Jobs.Cancel(id)
}

// Live lists the jobs running now (the shell's jobs indicator).
func (a *Jobs) Live() []jobs.Status {
	return a.s.core.Jobs.Live()
}
