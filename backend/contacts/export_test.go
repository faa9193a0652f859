package contacts

import "time"

// SetWalkThreshold changes the result size above which pages walk the sort index (tests).
func SetWalkThreshold(n int) func() {
	old := walkThreshold
	walkThreshold = n
	return func() { walkThreshold = old }
}

// SetSparseStep makes sparse anchor indexes every step rows, for any list size, rebuilt
// without waiting for quiet (tests); WaitAnchors waits for background builds.
func SetSparseStep(s *Service, step int) {
	s.anchors.Step, s.anchors.MinRows, s.anchors.Quiet = step, 1, -1
}

// WaitAnchors waits for the background sparse index builds started so far.
func WaitAnchors(s *Service) { s.WaitSorts() }

// WaitWarm waits until WarmSorts has finished.
func WaitWarm(s *Service) {
	for s.warming.Load() {
		time.Sleep(time.Millisecond)
	}
	s.WaitSorts()
}
